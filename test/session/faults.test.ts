import { createServer, type Server, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DownReason } from "../../src/fsm/types.js";
import { BgpListener, normaliseAddress } from "../../src/session/listener.js";
import { BgpSession } from "../../src/session/session.js";
import { encodeMessage } from "../../src/wire/message.js";
import type { Nlri, UpdateMessage } from "../../src/wire/types.js";
import { FakeClock, openFrom, RawPeer, sleep, waitFor } from "./helpers.js";

const MARKER = new Array(16).fill(0xff);
const UPDATE: UpdateMessage = {
  type: "update",
  withdrawnRoutes: [],
  nlri: [{ prefix: "198.51.100.0/24" }],
  attributes: { origin: "igp", asPath: [{ type: "sequence", asns: [65002] }], nextHop: "127.0.0.2" },
};

let listener: BgpListener;
let port: number;
let faulty: BgpSession; // passive, for the raw peer at 127.0.0.2
let good: BgpSession; // passive, Established with `goodPeer` from 127.0.0.3 throughout
let goodPeer: BgpSession;
const goodDowns: DownReason[] = [];
const faultyDowns: DownReason[] = [];
let raw: RawPeer | null = null;

beforeAll(async () => {
  listener = new BgpListener({ host: "127.0.0.1", port: 0 });
  ({ port } = await listener.listen());
  faulty = new BgpSession({
    localAsn: 65001,
    routerId: "10.0.0.1",
    peerAddress: "127.0.0.2",
    peerAsn: 65002,
    passive: true,
    idleHold: 0.02,
    idleHoldMax: 0.02,
  });
  faulty.on("down", (r) => faultyDowns.push(r));
  good = new BgpSession({
    localAsn: 65001,
    routerId: "10.0.0.1",
    peerAddress: "127.0.0.3",
    peerAsn: 65003,
    passive: true,
    holdTime: 3,
  });
  good.on("down", (r) => goodDowns.push(r));
  listener.addSession(faulty);
  listener.addSession(good);
  faulty.start();
  good.start();
  goodPeer = new BgpSession({
    localAsn: 65003,
    routerId: "10.0.0.3",
    peerAddress: "127.0.0.1",
    peerPort: port,
    localAddress: "127.0.0.3",
    peerAsn: 65001,
    holdTime: 3,
    connectRetry: 1,
  });
  goodPeer.start();
  await waitFor(() => good.state === "Established", 5000, "the good session");
});

afterAll(async () => {
  await Promise.all([goodPeer.stop(), good.stop(), faulty.stop()]);
  await listener.close();
});

afterEach(async () => {
  raw?.destroy();
  raw = null;
  // A clean state: the faulty session went down and is listening again; the other stayed up.
  await waitFor(() => faulty.state === "Active", 3000, "the faulty session back in Active");
  expect(good.state).toBe("Established");
  expect(goodDowns).toEqual([]);
});

/** A raw peer that has our OPEN in hand (we are in OpenSent). */
async function rawInOpenSent(): Promise<RawPeer> {
  await waitFor(() => faulty.state === "Active", 3000, "faulty in Active");
  raw = await RawPeer.connect(port, "127.0.0.2");
  await raw.waitType("open");
  return raw;
}

async function expectNotification(
  peer: RawPeer,
  code: number,
  subcode: number,
  data: number[],
): Promise<void> {
  await peer.waitClosed();
  expect(peer.notification()).toEqual({ code, subcode, data });
  expect(faultyDowns.at(-1)).toMatchObject({ kind: "notification-sent", code, subcode });
}

describe("faults from a raw peer (the NOTIFICATION on the bytes it receives)", () => {
  it("bad marker -> 1/1", async () => {
    const peer = await rawInOpenSent();
    peer.write(Uint8Array.from([...new Array(16).fill(0xfe), 0, 19, 4]));
    await expectNotification(peer, 1, 1, []);
  });

  it("length under 19 -> 1/2 with the length", async () => {
    const peer = await rawInOpenSent();
    peer.write(Uint8Array.from([...MARKER, 0, 18, 4]));
    await expectNotification(peer, 1, 2, [0, 18]);
  });

  it("length over 4096 before extended messages -> 1/2 with the length", async () => {
    const peer = await rawInOpenSent();
    peer.write(Uint8Array.from([...MARKER, 0x13, 0x88, 2])); // 5000
    await expectNotification(peer, 1, 2, [0x13, 0x88]);
  });

  it("unknown message type -> 1/3 with the type", async () => {
    const peer = await rawInOpenSent();
    peer.write(Uint8Array.from([...MARKER, 0, 19, 9]));
    await expectNotification(peer, 1, 3, [9]);
  });

  it("OPEN version 3 -> 2/1 with our version", async () => {
    const peer = await rawInOpenSent();
    peer.send(openFrom(65002, { version: 3 }));
    await expectNotification(peer, 2, 1, [0, 4]);
  });

  it("OPEN hold time 1 -> 2/6", async () => {
    const peer = await rawInOpenSent();
    peer.send(openFrom(65002, { holdTime: 1 }));
    await expectNotification(peer, 2, 6, []);
  });

  it("OPEN BGP identifier 0.0.0.0 -> 2/3", async () => {
    const peer = await rawInOpenSent();
    peer.send(openFrom(65002, { bgpIdentifier: "0.0.0.0" }));
    await expectNotification(peer, 2, 3, []);
  });

  it("OPEN from an unexpected AS -> 2/2", async () => {
    const peer = await rawInOpenSent();
    peer.send(openFrom(65099));
    await expectNotification(peer, 2, 2, []);
  });

  it("UPDATE in OpenSent -> 5/1, data = message type 2", async () => {
    const peer = await rawInOpenSent();
    peer.send(UPDATE);
    await expectNotification(peer, 5, 1, [2]);
  });

  it("UPDATE in OpenConfirm -> 5/2", async () => {
    const peer = await rawInOpenSent();
    peer.send(openFrom(65002));
    await peer.waitType("keepalive");
    expect(faulty.state).toBe("OpenConfirm");
    peer.send(UPDATE);
    await expectNotification(peer, 5, 2, [2]);
  });

  it("a peer that goes silent after Established: hold timer expiry -> 4/0", async () => {
    const peer = await rawInOpenSent();
    peer.send(openFrom(65002, { holdTime: 3 }));
    peer.send({ type: "keepalive" });
    await waitFor(() => faulty.state === "Established", 2000, "Established");
    await expectNotification(peer, 4, 0, []);
    // We kept sending keepalives (hold 3 s: about one a second) until then.
    expect(peer.received.filter((m) => m.type === "keepalive").length).toBeGreaterThanOrEqual(3);
    expect(faultyDowns.at(-1)?.kind).toBe("notification-sent");
  }, 8000);

  it("a message cut in the middle, then a reset: down with a TCP error, no NOTIFICATION possible", async () => {
    const peer = await rawInOpenSent();
    peer.send(openFrom(65002));
    peer.send({ type: "keepalive" });
    await waitFor(() => faulty.state === "Established", 2000, "Established");
    const downsBefore = faultyDowns.length;
    const bytes = encodeMessage(UPDATE);
    peer.write(bytes.subarray(0, 30));
    await sleep(50);
    peer.socket.resetAndDestroy();
    await waitFor(() => faultyDowns.length > downsBefore, 2000, "down");
    expect(faultyDowns.at(-1)).toMatchObject({ kind: "tcp-error", fromState: "Established" });
  });

  it("an RFC 7606 treat-as-withdraw UPDATE is passed up, not a session error", async () => {
    const peer = await rawInOpenSent();
    const updates: UpdateMessage[] = [];
    const onUpdate = (u: UpdateMessage) => updates.push(u);
    faulty.on("update", onUpdate);
    try {
      peer.send(openFrom(65002));
      peer.send({ type: "keepalive" });
      await waitFor(() => faulty.state === "Established", 2000, "Established");
      const attrs = [
        ...[0x40, 1, 1, 5], // ORIGIN with the invalid value 5
        ...[0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xea], // AS_PATH: AS_SEQUENCE [65002], 4-octet
        ...[0x40, 3, 4, 127, 0, 0, 2], // NEXT_HOP
      ];
      const body = [0, 0, 0, attrs.length, ...attrs, 24, 198, 51, 100];
      peer.write(Uint8Array.from([...MARKER, 0, 19 + body.length, 2, ...body]));
      await waitFor(() => updates.length === 1, 2000, "the update event");
      expect(updates[0].errorHandling).toBe("treat-as-withdraw");
      expect(updates[0].nlri).toEqual([{ prefix: "198.51.100.0/24" }]);
      await sleep(50);
      expect(faulty.state).toBe("Established");
      expect(peer.notification()).toBeNull();
    } finally {
      faulty.off("update", onUpdate);
    }
    peer.destroy();
  });

  it("a second connection while Established is closed with Cease/7 (§6.8); the first stays up", async () => {
    const first = await rawInOpenSent();
    first.send(openFrom(65002));
    first.send({ type: "keepalive" });
    await waitFor(() => faulty.state === "Established", 2000, "Established");
    const second = await RawPeer.connect(port, "127.0.0.2");
    await second.waitType("open");
    second.send(openFrom(65002));
    await second.waitClosed();
    expect(second.notification()).toEqual({ code: 6, subcode: 7, data: [] });
    expect(faulty.state).toBe("Established");
    expect(first.closed).toBe(false);
    first.destroy();
  });

  it("a peer with Graceful Restart reconnecting while Established: the old session ends as a restart", async () => {
    const gr = openFrom(65002);
    const withGr = {
      ...gr,
      capabilities: [
        ...gr.capabilities,
        {
          name: "graceful-restart",
          restarting: false,
          notification: false,
          restartTimeSec: 90,
          families: [],
        } as const,
      ],
    };
    const first = await rawInOpenSent();
    first.send(withGr);
    first.send({ type: "keepalive" });
    await waitFor(() => faulty.state === "Established", 2000, "Established");
    const downsBefore = faultyDowns.length;
    const second = await RawPeer.connect(port, "127.0.0.2");
    await second.waitType("open");
    second.send({
      ...withGr,
      capabilities: withGr.capabilities.map((c) =>
        c.name === "graceful-restart" ? { ...c, restarting: true } : c,
      ),
    });
    await second.waitType("keepalive");
    second.send({ type: "keepalive" });
    await waitFor(
      () => faulty.state === "Established" && faultyDowns.length > downsBefore,
      2000,
      "re-established",
    );
    expect(faultyDowns.at(-1)).toMatchObject({ kind: "tcp-error", gracefulRestart: { restartTimeSec: 90 } });
    await first.waitClosed();
    expect(first.notification()).toBeNull(); // no NOTIFICATION: a restart is not a failure
    expect(faulty.negotiated?.gracefulRestart?.restarting).toBe(true);
    expect(faulty.negotiated?.remotePort).toBe(second.socket.localPort);
    first.destroy();
    raw = second;
  });

  it("a connection from an address no session is configured for is closed at once", async () => {
    const stranger = await RawPeer.connect(port, "127.0.0.9");
    stranger.send(openFrom(65002));
    await stranger.waitClosed(1000);
    expect(stranger.bytes).toBe(0);
  });

  it("send queue past its cap ends the session with Cease/8 (peer stops reading)", async () => {
    await waitFor(() => faulty.state === "Active", 3000, "faulty in Active");
    const small = new BgpSession({
      localAsn: 65001,
      routerId: "10.0.0.1",
      peerAddress: "127.0.0.5",
      peerAsn: 65002,
      passive: true,
      maxSendQueueBytes: 64 * 1024,
    });
    listener.addSession(small);
    const downs: DownReason[] = [];
    small.on("down", (r) => downs.push(r));
    small.start();
    try {
      const peer = await RawPeer.connect(port, "127.0.0.5");
      raw = peer;
      await peer.waitType("open");
      peer.send(openFrom(65002));
      peer.send({ type: "keepalive" });
      await waitFor(() => small.state === "Established", 2000, "Established");
      peer.socket.pause(); // stop reading: the kernel buffers fill, then ours
      const nlri: Nlri[] = [];
      for (let i = 0; i < 900; i++) nlri.push({ prefix: `10.${i >> 8}.${i & 0xff}.0/24` });
      const big: UpdateMessage = { ...UPDATE, nlri };
      let sawBackpressure = false;
      for (let i = 0; i < 20_000 && small.state === "Established"; i++) {
        if (!small.writable) sawBackpressure = true;
        small.send(big);
        if (i % 200 === 0) await sleep(1);
      }
      expect(sawBackpressure).toBe(true);
      expect(downs.at(-1)).toMatchObject({ kind: "notification-sent", code: 6, subcode: 8 });
    } finally {
      await small.stop();
      listener.removeSession(small);
    }
  });
});

describe("OpenSent hold timer with an injected clock", () => {
  let server: Server;
  const accepted: Socket[] = [];
  afterAll(async () => {
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("a peer that accepts TCP and never sends: 4/0 after the 4-minute OpenSent hold time", async () => {
    const received: number[] = [];
    server = createServer((socket) => {
      accepted.push(socket);
      socket.on("data", (chunk: Buffer) => received.push(...chunk));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const address = server.address();
    const serverPort = typeof address === "object" && address !== null ? address.port : 0;
    const clock = new FakeClock();
    const session = new BgpSession({
      localAsn: 65001,
      routerId: "10.0.0.1",
      peerAddress: "127.0.0.1",
      peerPort: serverPort,
      peerAsn: 65002,
      clock,
      random: () => 0,
    });
    session.start();
    await waitFor(() => session.state === "OpenSent", 2000, "OpenSent");
    await waitFor(() => received.length > 19 && received[18] === 1, 2000, "our OPEN");
    const openLength = (received[16] << 8) | received[17];
    expect(received.length).toBe(openLength);
    clock.advance(239_999);
    await sleep(50);
    expect(session.state).toBe("OpenSent");
    expect(received.length).toBe(openLength);
    clock.advance(1);
    expect(session.state).toBe("Idle");
    await waitFor(() => received.length >= openLength + 21, 2000, "the NOTIFICATION");
    // marker, length 21, type 3, code 4, subcode 0
    expect(received.slice(openLength)).toEqual([...MARKER, 0, 21, 3, 4, 0]);
    expect(session.stats.lastError).toMatchObject({
      kind: "notification-sent",
      code: 4,
      fromState: "OpenSent",
    });
    await session.stop();
  });
});

describe("listener address matching", () => {
  it("treats IPv4-mapped IPv6 as the IPv4 peer and canonicalises IPv6", () => {
    expect(normaliseAddress("::ffff:127.0.0.2")).toBe("127.0.0.2");
    expect(normaliseAddress("::FFFF:198.51.100.7")).toBe("198.51.100.7");
    expect(normaliseAddress("2001:DB8:100:0:0:0:0:1")).toBe("2001:db8:100::1");
  });
});
