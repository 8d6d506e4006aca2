import { describe, expect, it } from "vitest";
import { parseProcNetTcp, TcpState } from "../../src/health/proc-net-tcp.js";
import { judgeSocketTable } from "../../src/health/socket-table-check.js";

// Captured on Linux 6.18 (x86-64, little-endian): a listener on 127.0.0.1:40199 (0x9D07) opened with
// backlog 2 by a process that never accepts, eight clients connecting. The accept queue shows 3
// (backlog + 1: the kernel's "full"), the other clients sit in SYN_SENT, one client has written 3.8 MB
// (its tx_queue), and the server-side socket has 0x1F3E5 bytes nobody has read (rx_queue).
// Line 14 is the SYN_RECV form the kernel prints for a request socket (get_openreq4), added by hand
// because a loopback handshake never stays half-open, and line 15 (198.51.100.1:179 from
// 198.51.100.2, uid 107) to cover other addresses.
const TCP4 = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   1: 0100007F:9D07 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 8437 4 0000000000000000 100 0 0 10 0
   2: 0100007F:B5D0 0100007F:9D07 01 0039DA86:00000000 04:00000010 00000000     0        0 7755 2 0000000000000000 20 0 0 10 -1
   5: 0100007F:B5F8 0100007F:9D07 02 00000001:00000000 01:00000064 00000001     0        0 7758 2 0000000000000000 20 0 0 10 -1
  10: 0100007F:9D07 0100007F:B5DE 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 0 0 10 -1
  13: 0100007F:9D07 0100007F:B5D0 01 00000000:0001F3E5 00:00000000 00000000     0        0 0 1 0000000000000000 20 0 0 10 -1
  14: 0100007F:9D07 0100007F:D2A4 03 00000000:00000000 01:00000064 00000000     0        0 0 0 0000000000000000
  15: 016433C6:00B3 026433C6:D2A5 01 00000000:00000000 00:00000000 00000000   107        0 9999 1 0000000000000000 20 0 0 10 -1
garbage line that is not a socket
`;

// Captured: a listener on [::1]:42333 (0xA55D) and one connection to it; line 2 written by hand
// (2001:db8::2 port 80 from ::ffff:198.51.100.2).
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:A55D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 24663 1 00000000309fa1b0 100 0 0 10 0
   1: 00000000000000000000000001000000:A55D 00000000000000000000000001000000:CA56 01 00000000:00000000 00:00000000 00000000     0        0 24665 1 00000000dfd2f5f5 20 0 0 10 -1
   2: B80D0120000000000000000002000000:0050 0000000000000000FFFF0000026433C6:1234 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0 20 0 0 10 -1
`;

describe("parseProcNetTcp", () => {
  it("reads every field of captured IPv4 lines, skipping what is not a socket", () => {
    const rows = parseProcNetTcp(TCP4, 4);
    expect(rows).toHaveLength(7);
    expect(rows[0]).toEqual({
      family: 4,
      localAddress: "127.0.0.1",
      localPort: 40199,
      remoteAddress: "0.0.0.0",
      remotePort: 0,
      state: TcpState.LISTEN,
      stateName: "LISTEN",
      txQueue: 0,
      rxQueue: 3,
      uid: 0,
      inode: 8437,
    });
    expect(rows[1]).toMatchObject({
      localPort: 46544,
      remotePort: 40199,
      stateName: "ESTABLISHED",
      txQueue: 3_791_494,
    });
    expect(rows[2].stateName).toBe("SYN_SENT");
    expect(rows[4]).toMatchObject({ rxQueue: 0x1f3e5, inode: 0 });
    expect(rows[5].stateName).toBe("SYN_RECV");
    expect(rows[6]).toMatchObject({
      localAddress: "198.51.100.1",
      localPort: 179,
      remoteAddress: "198.51.100.2",
      uid: 107,
    });
  });

  it("reads IPv6 words in host order into RFC 5952 text", () => {
    const rows = parseProcNetTcp(TCP6, 6);
    expect(
      rows.map((row) => `${row.localAddress} ${row.localPort} ${row.remoteAddress} ${row.stateName}`),
    ).toEqual([
      "::1 42333 :: LISTEN",
      "::1 42333 ::1 ESTABLISHED",
      "2001:db8::2 80 ::ffff:198.51.100.2 ESTABLISHED",
    ]);
  });

  it("honours a big-endian writer", () => {
    const line =
      "   1: 7F000001:0050 C6336402:01BB 01 00000000:00000000 00:00000000 00000000     0        0 5 1 0";
    expect(parseProcNetTcp(line, 4, false)[0]).toMatchObject({
      localAddress: "127.0.0.1",
      remoteAddress: "198.51.100.2",
    });
  });
});

describe("judgeSocketTable on captured rows", () => {
  const rows = [...parseProcNetTcp(TCP4, 4), ...parseProcNetTcp(TCP6, 6)];

  it("fails a full accept queue against the backlog, passes against a looser limit", () => {
    expect(judgeSocketTable(rows, { port: 40199, acceptQueue: { backlog: 2 } })).toMatchObject({
      ok: false,
      reason: "accept queue 3 > limit 2 on *:40199",
    });
    expect(judgeSocketTable(rows, { port: 40199, acceptQueue: { backlog: 4, fraction: 0.5 } }).ok).toBe(
      false,
    );
    expect(judgeSocketTable(rows, { port: 40199, acceptQueue: { limit: 3 } }).ok).toBe(true);
  });

  it("counts SYN_RECV and stuck send queues on the port only", () => {
    expect(judgeSocketTable(rows, { port: 40199, maxSynRecv: 0 })).toMatchObject({
      ok: false,
      reason: "1 SYN_RECV > limit 0 on *:40199",
    });
    expect(judgeSocketTable(rows, { port: 40199, maxSynRecv: 1 }).ok).toBe(true);
    // The 3.8 MB send queue belongs to the client side (local port 46544), not the service's sockets.
    expect(judgeSocketTable(rows, { port: 40199, sendQueue: { thresholdBytes: 1000 } }).ok).toBe(true);
    expect(judgeSocketTable(rows, { port: 46544, sendQueue: { thresholdBytes: 1000 } })).toMatchObject({
      ok: false,
      reason: "nothing listening on *:46544",
    });
  });

  it("filters on the local address and sees IPv6 listeners", () => {
    expect(judgeSocketTable(rows, { port: 40199, host: "127.0.0.2" }).ok).toBe(false);
    const result = judgeSocketTable(rows, { port: 42333, host: "::1" });
    expect(result).toMatchObject({ ok: true, details: { listeners: ["::1:42333 queue 0"], established: 1 } });
  });
});
