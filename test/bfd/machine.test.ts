import { describe, expect, it } from "vitest";
import { decodeControl, encodeControl } from "../../src/bfd/codec.js";
import type { BfdState } from "../../src/bfd/constants.js";
import { type BfdAction, BfdMachine, type BfdMachineConfig } from "../../src/bfd/machine.js";
import type { BfdAuthKey, BfdControlPacket } from "../../src/bfd/types.js";

const LOCAL = 0x0a0a0a0a;
const REMOTE = 0x0b0b0b0b;

function machine(overrides: Partial<BfdMachineConfig> = {}): BfdMachine {
  return new BfdMachine({
    localDiscriminator: LOCAL,
    desiredMinTxUs: 300_000,
    requiredMinRxUs: 300_000,
    detectMult: 3,
    random: () => 0.5,
    ...overrides,
  });
}

/** A packet from the remote, as our codec would hand it over. */
function remote(state: BfdState, overrides: Partial<BfdControlPacket> = {}): BfdControlPacket {
  return {
    diag: 0,
    state,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    detectMult: 3,
    myDiscriminator: REMOTE,
    yourDiscriminator: state === "Down" || state === "AdminDown" ? 0 : LOCAL,
    desiredMinTxUs: 1_000_000,
    requiredMinRxUs: 300_000,
    requiredMinEchoRxUs: 0,
    ...overrides,
  };
}

function receive(m: BfdMachine, p: BfdControlPacket, now = 0, key?: BfdAuthKey): BfdAction[] {
  const bytes = encodeControl(p, key);
  return m.handle({ type: "receive", packet: decodeControl(bytes), bytes }, now);
}

const sent = (actions: BfdAction[]): BfdControlPacket[] =>
  actions.flatMap((a) => (a.type === "send" ? [a.packet] : []));
const states = (actions: BfdAction[]) =>
  actions.flatMap((a) => (a.type === "emit" && a.notice.kind === "state" ? [a.notice] : []));
const discards = (actions: BfdAction[]) =>
  actions.flatMap((a) => (a.type === "emit" && a.notice.kind === "discard" ? [a.notice.why] : []));
const timer = (actions: BfdAction[], name: "tx" | "detect"): number | undefined =>
  actions.flatMap((a) => (a.type === "startTimer" && a.timer === name ? [a.ms] : [])).at(-1);

/** A started machine brought to `state` by the remote's packets. */
function inState(state: BfdState, config: Partial<BfdMachineConfig> = {}): BfdMachine {
  const m = machine(config);
  m.handle({ type: "start" }, 0);
  if (state === "Init") receive(m, remote("Down"));
  if (state === "Up") receive(m, remote("Init"));
  if (state === "AdminDown") m.handle({ type: "stop" }, 0);
  expect(m.sessionState).toBe(state);
  return m;
}

describe("BFD state machine (RFC 5880 §6.8)", () => {
  it("starts in Down and sends at once, slowly (≥ 1 s), with Your Discriminator 0", () => {
    const m = machine();
    const actions = m.handle({ type: "start" }, 0);
    const [p] = sent(actions);
    expect(p).toMatchObject({ state: "Down", yourDiscriminator: 0, myDiscriminator: LOCAL, detectMult: 3 });
    expect(p.desiredMinTxUs).toBe(1_000_000); // §6.8.3 slow TX while not Up
    expect(p.requiredMinRxUs).toBe(300_000);
    expect(p.requiredMinEchoRxUs).toBe(0); // no echo
    expect(p.demand).toBe(false);
    // Before the remote is heard, bfd.RemoteMinRxInterval is 1 µs, so 1 s × jitter.
    expect(timer(actions, "tx")).toBe(1000 * (0.75 + 0.25 * 0.5));
  });

  describe("every transition of §6.8.6", () => {
    const table: [BfdState, BfdState, BfdState, number][] = [
      // [our state, received state, our new state, diag]
      ["Down", "AdminDown", "Down", 0],
      ["Down", "Down", "Init", 0],
      ["Down", "Init", "Up", 0],
      ["Down", "Up", "Down", 0],
      ["Init", "AdminDown", "Down", 3],
      ["Init", "Down", "Init", 0],
      ["Init", "Init", "Up", 0],
      ["Init", "Up", "Up", 0],
      ["Up", "AdminDown", "Down", 3],
      ["Up", "Down", "Down", 3],
      ["Up", "Init", "Up", 0],
      ["Up", "Up", "Up", 0],
    ];
    for (const [from, received, to, diag] of table) {
      it(`${from} + received ${received} -> ${to}`, () => {
        const m = inState(from);
        const actions = receive(m, remote(received), 10);
        expect(m.sessionState).toBe(to);
        expect(m.snapshot().localDiag).toBe(diag);
        const changes = states(actions);
        if (from === to) expect(changes).toEqual([]);
        else {
          expect(changes).toEqual([{ kind: "state", from, to, diag, remoteState: received }]);
          // The new state goes out at once, not a slow period later.
          expect(sent(actions).at(0)?.state).toBe(to);
        }
        expect(m.snapshot().remoteDiscriminator).toBe(REMOTE);
      });
    }

    it("AdminDown (stopped) ignores every packet", () => {
      for (const received of ["AdminDown", "Down", "Init", "Up"] as const) {
        const m = inState("AdminDown");
        expect(receive(m, remote(received))).toEqual([]);
        expect(m.sessionState).toBe("AdminDown");
      }
    });

    it("stop: AdminDown with diagnostic 7, told at once, timers stopped", () => {
      const m = inState("Up");
      const actions = m.handle({ type: "stop" }, 5);
      expect(states(actions)).toEqual([
        { kind: "state", from: "Up", to: "AdminDown", diag: 7, remoteState: null },
      ]);
      expect(sent(actions)).toMatchObject([{ state: "AdminDown", diag: 7, yourDiscriminator: REMOTE }]);
      expect(actions).toContainEqual({ type: "stopTimer", timer: "detect" });
      expect(actions).toContainEqual({ type: "stopTimer", timer: "tx" });
      expect(m.handle({ type: "timer", timer: "tx" }, 6)).toEqual([]);
    });

    it("a packet naming another Your Discriminator is discarded", () => {
      const m = inState("Init");
      const actions = receive(m, remote("Up", { yourDiscriminator: 99 }));
      expect(discards(actions)).toEqual(["Your Discriminator 99 is not ours"]);
      expect(m.sessionState).toBe("Init");
    });
  });

  describe("detection time (§6.8.4)", () => {
    it("is the remote's Detect Mult times the slower of our RequiredMinRx and their DesiredMinTx", () => {
      const m = inState("Down");
      expect(timer(receive(m, remote("Down", { detectMult: 5, desiredMinTxUs: 1_000_000 })), "detect")).toBe(
        5000,
      );
      expect(timer(receive(m, remote("Init", { detectMult: 4, desiredMinTxUs: 100_000 })), "detect")).toBe(
        1200,
      );
      expect(m.snapshot().detectionTimeUs).toBe(1_200_000);
    });

    it("expiry in Up: Down with diagnostic 1, the remote discriminator forgotten, slow TX again", () => {
      const m = inState("Up");
      const actions = m.handle({ type: "timer", timer: "detect" }, 3000);
      expect(states(actions)).toEqual([
        { kind: "state", from: "Up", to: "Down", diag: 1, remoteState: null },
      ]);
      expect(m.snapshot()).toMatchObject({ remoteDiscriminator: 0, localDiag: 1, desiredMinTxUs: 1_000_000 });
      expect(sent(actions)).toMatchObject([{ state: "Down", diag: 1, yourDiscriminator: 0 }]);
    });

    it("expiry in Init: Down with diagnostic 1", () => {
      const m = inState("Init");
      expect(states(m.handle({ type: "timer", timer: "detect" }, 3000))).toMatchObject([
        { to: "Down", diag: 1 },
      ]);
    });

    it("expiry in Down: stays Down, forgets the remote discriminator", () => {
      const m = inState("Down");
      receive(m, remote("Up"));
      expect(m.snapshot().remoteDiscriminator).toBe(REMOTE);
      expect(states(m.handle({ type: "timer", timer: "detect" }, 3000))).toEqual([]);
      expect(m.snapshot().remoteDiscriminator).toBe(0);
    });
  });

  describe("transmit intervals and jitter (§6.8.7)", () => {
    it("uses the slower of our DesiredMinTx and their RequiredMinRx; no periodic packets when that is 0", () => {
      const m = inState("Up");
      receive(m, remote("Up", { requiredMinRxUs: 500_000 }));
      expect(m.snapshot().txIntervalUs).toBe(500_000);
      receive(m, remote("Up", { requiredMinRxUs: 0 }));
      expect(m.snapshot().txIntervalUs).toBe(0);
      expect(m.handle({ type: "timer", timer: "tx" }, 1)).toEqual([]);
    });

    it("jitters each interval to 75–100 % of it", () => {
      for (const r of [0, 0.25, 0.5, 0.999999]) {
        const m = inState("Up", { random: () => r });
        receive(m, remote("Up", { final: true })); // ends the Poll Sequence of going Up
        const ms = timer(m.handle({ type: "timer", timer: "tx" }, 1), "tx")!;
        expect(ms).toBeGreaterThanOrEqual(225);
        expect(ms).toBeLessThan(300);
        expect(ms).toBeCloseTo(300 * (0.75 + 0.25 * r), 6);
      }
    });

    it("jitters to 75–90 % when Detect Mult is 1", () => {
      for (const r of [0, 0.5, 0.999999]) {
        const m = inState("Up", { random: () => r, detectMult: 1 });
        receive(m, remote("Up", { final: true }));
        const ms = timer(m.handle({ type: "timer", timer: "tx" }, 1), "tx")!;
        expect(ms).toBeGreaterThanOrEqual(225);
        expect(ms).toBeLessThanOrEqual(270);
      }
    });

    it("with real randomness, 1000 intervals stay within 75–100 %", () => {
      const m = inState("Up", { random: Math.random });
      receive(m, remote("Up", { final: true }));
      for (let i = 0; i < 1000; i++) {
        const ms = timer(m.handle({ type: "timer", timer: "tx" }, i), "tx")!;
        expect(ms).toBeGreaterThanOrEqual(225);
        expect(ms).toBeLessThanOrEqual(300);
      }
    });
  });

  describe("Poll Sequence (§6.5, §6.8.3)", () => {
    it("going Up changes DesiredMinTx from 1 s to ours: Poll bits until the remote's Final", () => {
      const m = inState("Init");
      const up = receive(m, remote("Up"));
      expect(m.sessionState).toBe("Up");
      expect(sent(up)).toMatchObject([{ state: "Up", poll: true, final: false, desiredMinTxUs: 300_000 }]);
      expect(m.snapshot().pollActive).toBe(true);
      expect(sent(m.handle({ type: "timer", timer: "tx" }, 100))).toMatchObject([{ poll: true }]);
      const done = receive(m, remote("Up", { final: true }), 200);
      expect(done).toContainEqual({ type: "emit", notice: { kind: "poll-complete" } });
      expect(m.snapshot().pollActive).toBe(false);
      expect(sent(m.handle({ type: "timer", timer: "tx" }, 300))).toMatchObject([{ poll: false }]);
    });

    it("answers a Poll at once with Final set and Poll clear", () => {
      const m = inState("Up");
      const actions = receive(m, remote("Up", { poll: true }));
      expect(sent(actions)).toMatchObject([{ poll: false, final: true, state: "Up" }]);
      // Periodic packets do not carry F.
      receive(m, remote("Up", { final: true }));
      expect(sent(m.handle({ type: "timer", timer: "tx" }, 1))).toMatchObject([{ final: false }]);
    });

    it("a slower DesiredMinTx while Up waits for the Final; a smaller RequiredMinRx too", () => {
      const m = inState("Up");
      receive(m, remote("Up", { final: true, desiredMinTxUs: 100_000, requiredMinRxUs: 100_000 }));
      expect(m.snapshot()).toMatchObject({
        txIntervalUs: 300_000,
        detectionTimeUs: 900_000,
        pollActive: false,
      });
      m.handle(
        { type: "set-intervals", desiredMinTxUs: 600_000, requiredMinRxUs: 100_000, detectMult: 3 },
        10,
      );
      // Still the old TX interval and the old (larger) RequiredMinRx for detection, until the Final.
      expect(m.snapshot()).toMatchObject({
        txIntervalUs: 300_000,
        detectionTimeUs: 900_000,
        pollActive: true,
      });
      const polled = sent(m.handle({ type: "timer", timer: "tx" }, 20));
      expect(polled).toMatchObject([{ poll: true, desiredMinTxUs: 600_000, requiredMinRxUs: 100_000 }]);
      receive(m, remote("Up", { final: true, desiredMinTxUs: 100_000, requiredMinRxUs: 100_000 }), 30);
      expect(m.snapshot()).toMatchObject({
        txIntervalUs: 600_000,
        detectionTimeUs: 300_000,
        pollActive: false,
      });
    });

    it("changes outside Up need no Poll Sequence", () => {
      const m = inState("Down");
      m.handle(
        { type: "set-intervals", desiredMinTxUs: 2_000_000, requiredMinRxUs: 500_000, detectMult: 5 },
        0,
      );
      expect(m.snapshot().pollActive).toBe(false);
      expect(sent(m.handle({ type: "timer", timer: "tx" }, 1))).toMatchObject([
        { poll: false, desiredMinTxUs: 2_000_000, requiredMinRxUs: 500_000, detectMult: 5 },
      ]);
    });
  });

  describe("authentication (§6.7)", () => {
    const sha1: BfdAuthKey = { type: 4, keyId: 3, key: new TextEncoder().encode("right") };
    const meticulous: BfdAuthKey = { ...sha1, type: 5 };
    const authed = (key: BfdAuthKey, sequence: number, state: BfdState = "Down"): BfdControlPacket =>
      remote(state, { auth: { type: key.type, keyId: key.keyId, sequence, digest: new Uint8Array(20) } });

    it("signs every packet, stepping the sequence number by one from a random start", () => {
      const m = machine({ auth: meticulous, random: () => 0.25 });
      const first = sent(m.handle({ type: "start" }, 0))[0];
      const second = sent(m.handle({ type: "timer", timer: "tx" }, 1000))[0];
      expect(first.auth).toMatchObject({ type: 5, keyId: 3, sequence: 0x40000001 });
      expect(second.auth).toMatchObject({ sequence: 0x40000002 });
    });

    it("refuses a packet without authentication, with another type, key ID or key", () => {
      const m = inState("Down", { auth: sha1 });
      expect(discards(receive(m, remote("Down")))).toEqual(["authentication configured but absent"]);
      expect(discards(receive(m, authed(meticulous, 1), 0, meticulous))).toEqual([
        "authentication type 5, expected 4",
      ]);
      const otherId = { ...sha1, keyId: 4 };
      expect(discards(receive(m, authed(otherId, 1), 0, otherId))).toEqual(["key ID 4, expected 3"]);
      const wrong = { ...sha1, key: new TextEncoder().encode("wrong") };
      expect(discards(receive(m, authed(wrong, 1), 0, wrong))).toEqual(["digest does not match the key"]);
      expect(m.sessionState).toBe("Down");
      expect(discards(receive(m, authed(sha1, 1), 0, sha1))).toEqual([]);
      expect(m.sessionState).toBe("Init");
    });

    it("refuses authentication it was not configured for", () => {
      const m = inState("Down");
      expect(discards(receive(m, authed(sha1, 1), 0, sha1))).toEqual([
        "authentication present but not configured",
      ]);
    });

    it("keyed: accepts the same sequence number again and up to 3 × Detect Mult ahead, not beyond", () => {
      const m = inState("Down", { auth: sha1 });
      expect(discards(receive(m, authed(sha1, 100), 0, sha1))).toEqual([]);
      expect(discards(receive(m, authed(sha1, 100, "Init"), 10, sha1))).toEqual([]);
      expect(discards(receive(m, authed(sha1, 109, "Up"), 20, sha1))).toEqual([]);
      expect(discards(receive(m, authed(sha1, 119, "Up"), 30, sha1))).toEqual([
        "sequence number 119 outside the window after 109",
      ]);
      expect(discards(receive(m, authed(sha1, 108, "Up"), 40, sha1))).toHaveLength(1);
    });

    it("meticulous: a repeated sequence number is a replay; one ahead up to 3 × Detect Mult is fine", () => {
      const m = inState("Down", { auth: meticulous });
      expect(discards(receive(m, authed(meticulous, 0xfffffffe), 0, meticulous))).toEqual([]);
      expect(discards(receive(m, authed(meticulous, 0xfffffffe), 10, meticulous))).toEqual([
        "sequence number 4294967294 outside the window after 4294967294",
      ]);
      // The number space is circular: 0xfffffffe + 3 wraps to 1.
      expect(discards(receive(m, authed(meticulous, 1), 20, meticulous))).toEqual([]);
      expect(discards(receive(m, authed(meticulous, 10), 30, meticulous))).toEqual([]);
      expect(discards(receive(m, authed(meticulous, 20), 40, meticulous))).toHaveLength(1);
    });

    it("forgets the sequence after twice the Detection Time of silence (bfd.AuthSeqKnown = 0)", () => {
      const m = inState("Down", { auth: meticulous });
      receive(m, authed(meticulous, 500), 0, meticulous); // detection time 3 × 1 s
      expect(discards(receive(m, authed(meticulous, 7), 5999, meticulous))).toHaveLength(1);
      expect(discards(receive(m, authed(meticulous, 7), 5999 + 6000, meticulous))).toEqual([]);
    });
  });
});
