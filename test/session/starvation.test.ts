import { connect, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { realClock } from "../../src/clock.js";
import { BgpSpeaker, type DownEvent } from "../../src/index.js";
import { Connection } from "../../src/session/connection.js";
import { openFrom, RawPeer, waitFor } from "./helpers.js";

/**
 * Issue 9, item 6: sessions cannot be starved. A peer that stops reading but keeps sending
 * KEEPALIVEs is ended by the RFC 9687 Send Hold Timer; silent connections from a peer's address
 * cannot lock the real peer out; small writes are batched so that the bytes counted against the
 * send-queue cap are the memory used. Loopback 127.0.63.0/24.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe("RFC 9687 Send Hold Timer", () => {
  it("ends a session whose peer stops reading but keeps sending KEEPALIVEs, with NOTIFICATION 8", async () => {
    const host = "127.0.63.1";
    const address = "127.0.63.2";
    const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.1", listen: { host, port: 0 } });
    cleanups.push(() => speaker.close());
    speaker.addPeer({
      address,
      asn: 65002,
      passive: true,
      holdTime: 9,
      sendHoldTime: 2,
      families: ["ipv4-unicast"],
    });
    // Enough UPDATEs to fill both kernels' buffers: one per route (each its own MED), ~100 octets each.
    const communities = Array.from({ length: 10 }, (_, i) => `65001:${i}`);
    for (let i = 0; i < 120_000; i++) {
      speaker.announce(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`, { med: i, communities });
    }
    const downs: DownEvent[] = [];
    speaker.on("down", (e) => downs.push(e));
    await speaker.start();
    const raw = await RawPeer.connect(speaker.listenPort!, address, host);
    cleanups.push(() => raw.destroy());
    raw.send(openFrom(65002, { holdTime: 9 }));
    raw.send({ type: "keepalive" });
    await raw.waitType("keepalive");
    raw.socket.pause(); // stop reading: the kernels' buffers fill, then ours
    // ...but keep the session's hold timer fed, as the attacker did.
    const keepalives = setInterval(() => raw.send({ type: "keepalive" }), 1000);
    cleanups.push(() => clearInterval(keepalives));
    await waitFor(() => downs.length > 0, 30_000, "the session to go down");
    clearInterval(keepalives);
    expect(downs[0].reason).toMatchObject({ kind: "notification-sent", code: 8, subcode: 0 });
    expect(downs[0].reason.message).toMatch(/send hold timer expired/);
    // It was Established and its hold timer was fed: only the Send Hold Timer ended it.
    expect(downs[0].reason.fromState).toBe("Established");
  }, 60_000);
});

describe("pending connections from a peer's address", () => {
  it("two silent connections do not lock the real peer out: a newer connection displaces a silent one", async () => {
    const host = "127.0.63.3";
    const address = "127.0.63.4";
    const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.1", listen: { host, port: 0 } });
    cleanups.push(() => speaker.close());
    speaker.addPeer({ address, asn: 65002, passive: true });
    await speaker.start();
    const port = speaker.listenPort!;
    const silent: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect({ host, port, localAddress: address }, () => resolve(s));
        s.once("error", reject);
      });
      socket.on("error", () => {});
      silent.push(socket);
      cleanups.push(() => void socket.destroy());
    }
    await new Promise((r) => setTimeout(r, 100));
    const real = await RawPeer.connect(port, address, host);
    cleanups.push(() => real.destroy());
    real.send(openFrom(65002));
    real.send({ type: "keepalive" });
    await real.waitType("keepalive", 5000);
    await waitFor(
      () => speaker.peerStatus()[0].state === "Established",
      5000,
      "Established with the real peer",
    );
    expect(real.closed).toBe(false);
  });
});

describe("small writes", () => {
  it("are batched into one socket write per turn, so queued bytes are what the queue costs", async () => {
    const accepted: Socket[] = [];
    const server = createServer((s) => {
      s.pause(); // never reads
      accepted.push(s);
    });
    await new Promise<void>((resolve) => server.listen({ host: "127.0.63.5", port: 0 }, resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    cleanups.push(() => {
      for (const s of accepted) s.destroy();
    });
    const socket = connect({ host: "127.0.63.5", port: (server.address() as { port: number }).port });
    await new Promise((resolve) => socket.once("connect", resolve));
    const overflows: number[] = [];
    const conn = new Connection(
      socket,
      true,
      {
        message: () => {},
        protocolError: () => {},
        closed: () => {},
        overflow: (queued) => overflows.push(queued),
        sendHoldExpired: () => {},
        drain: () => {},
      },
      { maxQueueBytes: 16 * 1024 * 1024, clock: realClock },
    );
    cleanups.push(() => conn.destroy());
    let writes = 0;
    const write = socket.write.bind(socket);
    socket.write = ((...args: Parameters<Socket["write"]>) => {
      writes++;
      return write(...args);
    }) as Socket["write"];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10_000; i++) conn.send({ type: "keepalive" });
      await new Promise((r) => setImmediate(r));
    }
    // 50,000 KEEPALIVEs (19 octets each) in five turns: five writes, not 50,000.
    expect(writes).toBe(5);
    expect(conn.queuedBytes + socket.bytesWritten - socket.writableLength).toBeGreaterThanOrEqual(
      50_000 * 19,
    );
    expect(overflows).toEqual([]);
  });
});
