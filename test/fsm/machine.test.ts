import { describe, expect, it } from "vitest";
import { eventForDecodeError, initialSnapshot, step } from "../../src/fsm/machine.js";
import type { FsmAction, FsmSnapshot } from "../../src/fsm/types.js";
import { BgpError } from "../../src/wire/errors.js";
import { config, established, FsmSimulator, peerOpen, run } from "./helpers.js";

const STOP_ALL: FsmAction[] = [
  { type: "stopTimer", timer: "ConnectRetry" },
  { type: "stopTimer", timer: "DelayOpen" },
  { type: "stopTimer", timer: "Hold" },
  { type: "stopTimer", timer: "Keepalive" },
  { type: "disconnect" },
];

function sentNotifications(actions: readonly FsmAction[]) {
  return actions.flatMap((a) =>
    a.type === "send" && a.message.type === "notification"
      ? [{ code: a.message.code, subcode: a.message.subcode, data: [...a.message.data] }]
      : [],
  );
}

function downReason(actions: readonly FsmAction[]) {
  for (const a of actions) if (a.type === "emit" && a.notice.kind === "down") return a.notice.reason;
  return undefined;
}

describe("FSM happy path (RFC 4271 §8.2.2)", () => {
  it("Idle -> Connect -> OpenSent -> OpenConfirm -> Established with the exact actions", () => {
    let s: FsmSnapshot = initialSnapshot(config());
    let r = step(s, { type: "ManualStart" }, 0);
    expect(r.actions).toEqual([
      { type: "stopTimer", timer: "IdleHold" },
      { type: "startTimer", timer: "ConnectRetry", ms: 22_500 }, // 30 s × 0.75 jitter
      { type: "connect" },
      { type: "emit", notice: { kind: "state", from: "Idle", to: "Connect" } },
    ]);
    s = r.state;

    r = step(s, { type: "Tcp_CR_Acked" }, 5);
    expect(r.actions[0]).toEqual({ type: "stopTimer", timer: "ConnectRetry" });
    const open = r.actions[1];
    expect(open.type === "send" && open.message).toMatchObject({
      type: "open",
      version: 4,
      myAsn: 65001,
      holdTime: 90,
      bgpIdentifier: "10.0.0.1",
    });
    expect(r.actions.slice(2)).toEqual([
      { type: "startTimer", timer: "Hold", ms: 240_000 }, // the large hold time in OpenSent
      { type: "emit", notice: { kind: "state", from: "Connect", to: "OpenSent" } },
    ]);
    s = r.state;

    r = step(s, { type: "BGPOpen", open: peerOpen() }, 10);
    expect(r.actions).toEqual([
      { type: "stopTimer", timer: "DelayOpen" },
      { type: "stopTimer", timer: "ConnectRetry" },
      { type: "send", message: { type: "keepalive" } },
      { type: "startTimer", timer: "Keepalive", ms: 7_500 }, // min(90, 30) / 3 × 0.75
      { type: "startTimer", timer: "Hold", ms: 30_000 },
      { type: "emit", notice: { kind: "state", from: "OpenSent", to: "OpenConfirm" } },
    ]);
    s = r.state;
    expect(s.negotiated?.holdTime).toBe(30);

    r = step(s, { type: "KeepAliveMsg" }, 20);
    expect(r.actions.slice(0, 2)).toEqual([
      { type: "startTimer", timer: "Hold", ms: 30_000 },
      { type: "emit", notice: { kind: "state", from: "OpenConfirm", to: "Established" } },
    ]);
    const est = r.actions[2];
    expect(est.type === "emit" && est.notice.kind).toBe("established");
    expect(r.state.establishedAtMs).toBe(20);
  });

  it("Established: UPDATE restarts the hold timer and is passed up; KEEPALIVE restarts it", () => {
    const s = established();
    const update = { type: "update", withdrawnRoutes: [], attributes: {}, nlri: [] } as const;
    expect(step(s, { type: "UpdateMsg", update }, 1).actions).toEqual([
      { type: "startTimer", timer: "Hold", ms: 30_000 },
      { type: "emit", notice: { kind: "update", update } },
    ]);
    expect(step(s, { type: "KeepAliveMsg" }, 1).actions).toEqual([
      { type: "startTimer", timer: "Hold", ms: 30_000 },
    ]);
    const rr = { type: "route-refresh", afi: 1, safi: 1, subtype: 0 } as const;
    expect(step(s, { type: "RouteRefreshMsg", routeRefresh: rr }, 1).actions).toEqual([
      { type: "emit", notice: { kind: "route-refresh", routeRefresh: rr } },
    ]);
  });
});

describe("FSM timers", () => {
  it("sends keepalives every hold/3 (jittered) and survives while the peer keeps talking", () => {
    const sim = new FsmSimulator(initialSnapshot(config({ holdTime: 3, random: () => 1 })));
    sim.feed({ type: "ManualStart" });
    sim.feed({ type: "Tcp_CR_Acked" });
    sim.feed({ type: "BGPOpen", open: peerOpen({ holdTime: 9 }) });
    sim.feed({ type: "KeepAliveMsg" });
    for (let i = 0; i < 10; i++) {
      sim.advance(900);
      sim.feed({ type: "KeepAliveMsg" });
    }
    expect(sim.state.state).toBe("Established");
    // OPEN-confirm keepalive at 0, then one per second (3 s / 3, random 1 -> factor 1.0).
    expect(sim.sent("keepalive").map((k) => k.at)).toEqual([
      0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000,
    ]);
  });

  it("each UPDATE we send restarts the KeepaliveTimer (§8.2.2); ROUTE-REFRESH and other states do not", () => {
    const sim = new FsmSimulator(initialSnapshot(config()));
    sim.feed({ type: "ManualStart" });
    sim.feed({ type: "Tcp_CR_Acked" });
    sim.feed({ type: "BGPOpen", open: peerOpen() }); // hold 30 s: keepalive every 7.5 s (0.75 jitter)
    sim.feed({ type: "KeepAliveMsg" });
    sim.advance(5000);
    expect(sim.feed({ type: "UpdateSent" })).toEqual([{ type: "startTimer", timer: "Keepalive", ms: 7_500 }]);
    sim.advance(7_499);
    // Only the KEEPALIVE that confirmed the OPEN: the one due at 7 500 was pushed back.
    expect(sim.sent("keepalive")).toEqual([{ at: 0, type: "keepalive" }]);
    sim.advance(1);
    expect(sim.sent("keepalive")).toEqual([
      { at: 0, type: "keepalive" },
      { at: 12_500, type: "keepalive" },
    ]);
    expect(sim.state.state).toBe("Established");

    const openConfirm = run(initialSnapshot(config()), [
      { type: "ManualStart" },
      { type: "Tcp_CR_Acked" },
      { type: "BGPOpen", open: peerOpen() },
    ]).state;
    for (const s of [initialSnapshot(config()), openConfirm]) {
      const r = step(s, { type: "UpdateSent" }, 0);
      expect(r.actions).toEqual([]);
      expect(r.state.state).toBe(s.state);
    }
  });

  it("with hold time 0 an UPDATE sent starts no KeepaliveTimer", () => {
    const s = established(config({ holdTime: 0 }));
    expect(s.negotiated?.holdTime).toBe(0);
    expect(step(s, { type: "UpdateSent" }, 0).actions).toEqual([]);
  });

  it("a silent peer: the hold timer expires and sends 4/0", () => {
    const sim = new FsmSimulator(initialSnapshot(config({ holdTime: 3 })));
    sim.feed({ type: "ManualStart" });
    sim.feed({ type: "Tcp_CR_Acked" });
    sim.feed({ type: "BGPOpen", open: peerOpen() });
    sim.feed({ type: "KeepAliveMsg" });
    sim.advance(2999);
    expect(sim.state.state).toBe("Established");
    const before = sim.log.length;
    sim.advance(1);
    expect(sim.state.state).toBe("Idle");
    const actions = sim.log.slice(before).map((e) => e.action);
    expect(sentNotifications(actions)).toEqual([{ code: 4, subcode: 0, data: [] }]);
    expect(downReason(actions)).toMatchObject({
      kind: "notification-sent",
      code: 4,
      fromState: "Established",
    });
    expect(sim.running()).toEqual(["IdleHold"]);
  });

  it("OpenSent with a peer that never sends OPEN: the 4-minute hold timer fires", () => {
    const sim = new FsmSimulator(initialSnapshot(config()));
    sim.feed({ type: "ManualStart" });
    sim.feed({ type: "Tcp_CR_Acked" });
    sim.advance(239_999);
    expect(sim.state.state).toBe("OpenSent");
    sim.advance(1);
    expect(sim.state.state).toBe("Idle");
    expect(sentNotifications(sim.log.map((e) => e.action))).toEqual([{ code: 4, subcode: 0, data: [] }]);
  });

  it("hold time 0 means no keepalives and no hold timer", () => {
    const sim = new FsmSimulator(initialSnapshot(config({ holdTime: 0 })));
    sim.feed({ type: "ManualStart" });
    sim.feed({ type: "Tcp_CR_Acked" });
    sim.feed({ type: "BGPOpen", open: peerOpen({ holdTime: 30 }) });
    sim.feed({ type: "KeepAliveMsg" });
    expect(sim.state.state).toBe("Established");
    expect(sim.state.negotiated?.holdTime).toBe(0);
    expect(sim.running()).toEqual([]);
    sim.advance(3_600_000);
    expect(sim.state.state).toBe("Established");
    expect(sim.sent("keepalive")).toHaveLength(1); // only the one that confirms the OPEN
  });

  it("ConnectRetry expiry in Connect drops and reconnects; in Active it connects", () => {
    const sim = new FsmSimulator(initialSnapshot(config({ connectRetry: 2 })));
    sim.feed({ type: "ManualStart" });
    const before = sim.log.length;
    sim.advance(1500);
    expect(sim.log.slice(before).map((e) => e.action)).toEqual([
      { type: "stopTimer", timer: "DelayOpen" },
      { type: "startTimer", timer: "ConnectRetry", ms: 1500 },
      { type: "disconnect" },
      { type: "connect" },
    ]);
    expect(sim.state.state).toBe("Connect");
  });

  it("a refused connection goes Idle, then the IdleHold timer restarts it", () => {
    const sim = new FsmSimulator(initialSnapshot(config({ idleHold: 2 })));
    sim.feed({ type: "ManualStart" });
    const actions = sim.feed({ type: "TcpConnectionFails", error: new Error("ECONNREFUSED") });
    expect(downReason(actions)).toMatchObject({
      kind: "tcp-error",
      message: "ECONNREFUSED",
      fromState: "Connect",
    });
    expect(sim.state.state).toBe("Idle");
    expect(sim.running()).toEqual(["IdleHold"]);
    sim.advance(1999);
    expect(sim.state.state).toBe("Idle");
    sim.advance(1);
    expect(sim.state.state).toBe("Connect");
    expect(sim.log.at(-2)?.action).toEqual({ type: "connect" });
  });

  it("IdleHold backs off exponentially while the peer flaps and resets after a stable period", () => {
    const cfg = config({ idleHold: 1, idleHoldMax: 8, stablePeriod: 60 });
    const sim = new FsmSimulator(initialSnapshot(cfg));
    const idleHolds: number[] = [];
    sim.feed({ type: "ManualStart" });
    const flap = (upMs: number) => {
      sim.feed({ type: "Tcp_CR_Acked" });
      sim.feed({ type: "BGPOpen", open: peerOpen({ holdTime: 0 }) });
      sim.feed({ type: "KeepAliveMsg" });
      sim.advance(upMs);
      for (const a of sim.feed({ type: "TcpConnectionFails" })) {
        if (a.type === "startTimer" && a.timer === "IdleHold") idleHolds.push(a.ms);
      }
      sim.advance(idleHolds.at(-1)!); // IdleHold fires: AutomaticStart -> Connect
      expect(sim.state.state).toBe("Connect");
    };
    for (let i = 0; i < 6; i++) flap(100);
    flap(60_000); // stable for the whole period: back to the base
    flap(100);
    expect(idleHolds).toEqual([1000, 2000, 4000, 8000, 8000, 8000, 1000, 2000]);
  });

  it("passive: Active only, never connects, even when ConnectRetry expires", () => {
    const sim = new FsmSimulator(initialSnapshot(config({ passive: true, connectRetry: 1 })));
    sim.feed({ type: "ManualStart" });
    expect(sim.state.state).toBe("Active");
    sim.advance(5000);
    expect(sim.state.state).toBe("Active");
    expect(sim.log.some((e) => e.action.type === "connect")).toBe(false);
    sim.feed({ type: "TcpConnectionConfirmed" });
    expect(sim.state.state).toBe("OpenSent");
  });

  it("DelayOpen: waits, then sends OPEN + KEEPALIVE when the peer's OPEN arrives first (event 20)", () => {
    const sim = new FsmSimulator(initialSnapshot(config({ delayOpen: 5 })));
    sim.feed({ type: "ManualStart" });
    expect(sim.feed({ type: "Tcp_CR_Acked" })).toEqual([
      { type: "stopTimer", timer: "ConnectRetry" },
      { type: "startTimer", timer: "DelayOpen", ms: 5000 },
    ]);
    expect(sim.state.delayOpenRunning).toBe(true);
    sim.advance(1000);
    const actions = sim.feed({ type: "BGPOpen", open: peerOpen() });
    expect(actions.filter((a) => a.type === "send").map((a) => a.type === "send" && a.message.type)).toEqual([
      "open",
      "keepalive",
    ]);
    expect(sim.state.state).toBe("OpenConfirm");
    expect(sim.running()).toEqual(["Hold", "Keepalive"]);
  });

  it("DelayOpen expiry sends our OPEN and moves to OpenSent", () => {
    const sim = new FsmSimulator(initialSnapshot(config({ delayOpen: 5, passive: true })));
    sim.feed({ type: "ManualStart" });
    sim.feed({ type: "TcpConnectionConfirmed" });
    sim.advance(5000);
    expect(sim.state.state).toBe("OpenSent");
    expect(sim.sent()).toEqual([{ at: 5000, type: "open" }]);
  });

  it("ManualStop with the DelayOpenTimer running (a connection up, no OPEN sent) sends Cease (§8.2.2)", () => {
    for (const passive of [false, true]) {
      const sim = new FsmSimulator(initialSnapshot(config({ delayOpen: 5, passive })));
      sim.feed({ type: "ManualStart" });
      sim.feed({ type: passive ? "TcpConnectionConfirmed" : "Tcp_CR_Acked" });
      expect(sim.state.state).toBe(passive ? "Active" : "Connect");
      expect(sim.state.delayOpenRunning).toBe(true);
      const actions = sim.feed({ type: "ManualStop", shutdownMessage: "bye" });
      expect(actions[0]).toEqual({
        type: "send",
        message: {
          type: "notification",
          code: 6,
          subcode: 2,
          data: new Uint8Array(),
          shutdownMessage: "bye",
        },
      });
      expect(actions.slice(1, 6)).toEqual(STOP_ALL); // the NOTIFICATION goes before the disconnect
      expect(sim.state).toMatchObject({ state: "Idle", delayOpenRunning: false, running: false });
      expect(sim.sent()).toEqual([{ at: 0, type: "notification" }]); // no OPEN ever
    }
  });

  it("ManualStop in Connect or Active without a connection sends nothing", () => {
    for (const cfg of [config(), config({ passive: true }), config({ delayOpen: 5 })]) {
      const r = run(initialSnapshot(cfg), [{ type: "ManualStart" }, { type: "ManualStop" }]);
      expect(r.state.state).toBe("Idle");
      expect(sentNotifications(r.actions)).toEqual([]);
    }
  });

  it("an OPEN without DelayOpen running in Connect is an FSM error", () => {
    const r = run(initialSnapshot(config()), [
      { type: "ManualStart" },
      { type: "BGPOpen", open: peerOpen() },
    ]);
    expect(r.state.state).toBe("Idle");
    expect(sentNotifications(r.actions)).toEqual([{ code: 5, subcode: 0, data: [1] }]);
  });
});

describe("FSM errors (RFC 6608 subcodes)", () => {
  const update = { type: "update", withdrawnRoutes: [], attributes: {}, nlri: [] } as const;

  it("UPDATE in OpenSent -> 5/1 with the message type as data", () => {
    const r = run(initialSnapshot(config()), [
      { type: "ManualStart" },
      { type: "Tcp_CR_Acked" },
      { type: "UpdateMsg", update },
    ]);
    expect(sentNotifications(r.actions)).toEqual([{ code: 5, subcode: 1, data: [2] }]);
    expect(r.state.state).toBe("Idle");
    expect(r.state.connectRetryCounter).toBe(1);
  });

  it("UPDATE in OpenConfirm -> 5/2, OPEN in Established -> 5/3, ROUTE-REFRESH in OpenSent -> 5/1", () => {
    const openConfirm = run(initialSnapshot(config()), [
      { type: "ManualStart" },
      { type: "Tcp_CR_Acked" },
      { type: "BGPOpen", open: peerOpen() },
    ]).state;
    expect(sentNotifications(step(openConfirm, { type: "UpdateMsg", update }, 0).actions)).toEqual([
      { code: 5, subcode: 2, data: [2] },
    ]);
    expect(sentNotifications(step(established(), { type: "BGPOpen", open: peerOpen() }, 0).actions)).toEqual([
      { code: 5, subcode: 3, data: [1] },
    ]);
    const openSent = run(initialSnapshot(config()), [
      { type: "ManualStart" },
      { type: "Tcp_CR_Acked" },
    ]).state;
    const rr = { type: "route-refresh", afi: 1, safi: 1, subtype: 0 } as const;
    expect(
      sentNotifications(step(openSent, { type: "RouteRefreshMsg", routeRefresh: rr }, 0).actions),
    ).toEqual([{ code: 5, subcode: 1, data: [5] }]);
  });

  it("decode errors map to events 21/22/28 and send their own NOTIFICATION", () => {
    const openSent = run(initialSnapshot(config()), [
      { type: "ManualStart" },
      { type: "Tcp_CR_Acked" },
    ]).state;
    const header = eventForDecodeError(BgpError.badMessageLength(18));
    expect(header.type).toBe("BGPHeaderErr");
    expect(sentNotifications(step(openSent, header, 0).actions)).toEqual([
      { code: 1, subcode: 2, data: [0, 18] },
    ]);
    const version = eventForDecodeError(BgpError.unsupportedVersionNumber(3));
    expect(version.type).toBe("BGPOpenMsgErr");
    expect(sentNotifications(step(openSent, version, 0).actions)).toEqual([
      { code: 2, subcode: 1, data: [0, 4] },
    ]);
    const attr = eventForDecodeError(BgpError.malformedAttributeList("dup"));
    expect(attr.type).toBe("UpdateMsgErr");
    expect(sentNotifications(step(established(), attr, 0).actions)).toEqual([
      { code: 3, subcode: 1, data: [] },
    ]);
  });

  it("a received NOTIFICATION is not answered and surfaces the shutdown message", () => {
    const r = step(
      established(),
      {
        type: "NotifMsg",
        notification: {
          type: "notification",
          code: 6,
          subcode: 2,
          data: new Uint8Array(),
          shutdownMessage: "bye",
        },
      },
      0,
    );
    expect(sentNotifications(r.actions)).toEqual([]);
    expect(downReason(r.actions)).toMatchObject({
      kind: "notification-received",
      code: 6,
      subcode: 2,
      shutdownMessage: "bye",
    });
    expect(r.actions.slice(0, 5)).toEqual(STOP_ALL);
  });

  it("ManualStop in Established sends Cease/2 with the RFC 9003 message and does not restart", () => {
    const r = step(established(), { type: "ManualStop", shutdownMessage: "maintenance" }, 0);
    expect(r.actions[0]).toEqual({
      type: "send",
      message: {
        type: "notification",
        code: 6,
        subcode: 2,
        data: new Uint8Array(),
        shutdownMessage: "maintenance",
      },
    });
    expect(r.actions.some((a) => a.type === "startTimer")).toBe(false);
    expect(r.state.running).toBe(false);
    expect(step(r.state, { type: "IdleHoldTimer_Expires" }, 1).actions).toEqual([]);
  });

  it("AutomaticStop carries its Cease (e.g. 6/8 Out of Resources)", () => {
    const r = step(established(), { type: "AutomaticStop", error: BgpError.cease(8) }, 0);
    expect(sentNotifications(r.actions)).toEqual([{ code: 6, subcode: 8, data: [] }]);
  });

  it("OpenCollisionDump sends Cease/7", () => {
    const openConfirm = run(initialSnapshot(config()), [
      { type: "ManualStart" },
      { type: "Tcp_CR_Acked" },
      { type: "BGPOpen", open: peerOpen() },
    ]).state;
    const r = step(openConfirm, { type: "OpenCollisionDump" }, 0);
    expect(sentNotifications(r.actions)).toEqual([{ code: 6, subcode: 7, data: [] }]);
    expect(downReason(r.actions)?.kind).toBe("collision");
  });

  it("TCP loss in Established after the peer announced Graceful Restart keeps its routes (no failure)", () => {
    const gr = peerOpen({}, [
      { name: "graceful-restart", restarting: false, notification: false, restartTimeSec: 90, families: [] },
    ]);
    const r = step(established(config(), gr), { type: "TcpConnectionFails" }, 0);
    expect(sentNotifications(r.actions)).toEqual([]);
    expect(downReason(r.actions)).toMatchObject({
      kind: "tcp-closed",
      gracefulRestart: { restartTimeSec: 90 },
    });
    const noGr = step(established(), { type: "TcpConnectionFails" }, 0);
    expect(downReason(noGr.actions)?.gracefulRestart).toBeUndefined();
  });

  it("Idle refuses connections handed to it and ignores messages", () => {
    const s = initialSnapshot(config());
    expect(step(s, { type: "TcpConnectionConfirmed" }, 0).actions).toEqual([{ type: "disconnect" }]);
    expect(step(s, { type: "KeepAliveMsg" }, 0).actions).toEqual([]);
    expect(step(s, { type: "HoldTimer_Expires" }, 0).state.state).toBe("Idle");
  });
});
