import { describe, expect, it } from "vitest";
import { decodeControl } from "../../src/bfd/codec.js";
import { BfdSession } from "../../src/bfd/session.js";
import type { BfdAuthKey } from "../../src/bfd/types.js";
import { FakeClock } from "../session/helpers.js";

/**
 * Two BfdSessions joined by a fake link on one injected clock: 1 ms of latency, cut at will.
 * Everything runs in virtual time, so the timings are exact.
 */
function pair(options: { intervalUs?: number; mult?: number; auth?: BfdAuthKey } = {}) {
  const clock = new FakeClock();
  let linkUp = true;
  const sent = { a: 0, b: 0 };
  const make = (name: "a" | "b", discr: number, deliver: () => BfdSession) =>
    new BfdSession(
      name === "a" ? "198.51.100.2" : "198.51.100.1",
      {
        localDiscriminator: discr,
        desiredMinTxUs: options.intervalUs ?? 300_000,
        requiredMinRxUs: options.intervalUs ?? 300_000,
        detectMult: options.mult ?? 3,
        ...(options.auth === undefined ? {} : { auth: options.auth }),
        random: Math.random,
      },
      clock,
      (bytes) => {
        sent[name]++;
        if (!linkUp) return;
        clock.setTimeout(() => deliver().receive(decodeControl(bytes), bytes), 1);
      },
    );
  const a: BfdSession = make("a", 0x1111, () => b);
  const b: BfdSession = make("b", 0x2222, () => a);
  return {
    clock,
    a,
    b,
    sent,
    cut: () => {
      linkUp = false;
    },
  };
}

describe("BFD sessions on an injected clock", () => {
  it("come Up, finish the Poll Sequence, and settle at the negotiated rate with jitter", () => {
    const { clock, a, b, sent } = pair({ auth: { type: 5, keyId: 1, key: new Uint8Array([1, 2, 3]) } });
    a.start();
    b.start();
    clock.advance(10);
    expect(a.snapshot().state).toBe("Up");
    expect(b.snapshot().state).toBe("Up");
    clock.advance(2000);
    expect(a.snapshot()).toMatchObject({
      pollActive: false,
      remoteDiscriminator: 0x2222,
      txIntervalUs: 300_000,
      detectionTimeUs: 900_000,
    });
    const before = sent.a;
    clock.advance(60_000);
    // 60 s at 300 ms × 75–100 %: between 200 and 267 packets.
    const rate = sent.a - before;
    expect(rate).toBeGreaterThanOrEqual(200);
    expect(rate).toBeLessThanOrEqual(267);
    expect(a.stats.discarded).toBe(0);
    expect(b.stats.discarded).toBe(0);
  });

  it("go Down with diagnostic 1 one detection time after the last packet when the link is cut", () => {
    const { clock, a, b, cut } = pair();
    const downs: number[] = [];
    a.on("state", (s) => {
      if (s.to === "Down") downs.push(clock.now());
    });
    let lastHeard = 0;
    const receive = a.receive.bind(a);
    a.receive = (packet, bytes) => {
      lastHeard = clock.now();
      receive(packet, bytes);
    };
    a.start();
    b.start();
    clock.advance(3000);
    expect(a.snapshot().state).toBe("Up");
    const cutAt = clock.now();
    cut();
    clock.advance(2000);
    expect(downs).toHaveLength(1);
    expect(a.snapshot()).toMatchObject({ state: "Down", localDiag: 1, remoteDiscriminator: 0 });
    // Exactly the detection time (3 × 300 ms) after the last packet, which came at most one
    // transmit interval (plus the link's 1 ms) before the cut.
    expect(downs[0] - lastHeard).toBe(900);
    expect(cutAt - lastHeard).toBeLessThanOrEqual(301);
  });

  it("an AdminDown stop is seen by the other side as Down with diagnostic 3", () => {
    const { clock, a, b } = pair();
    a.start();
    b.start();
    clock.advance(3000);
    a.stop();
    clock.advance(5);
    expect(a.snapshot()).toMatchObject({ state: "AdminDown", localDiag: 7 });
    expect(b.snapshot()).toMatchObject({ state: "Down", localDiag: 3, remoteState: "AdminDown" });
  });
});
