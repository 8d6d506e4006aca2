import { initialSnapshot, step } from "../../src/fsm/machine.js";
import type { FsmAction, FsmConfig, FsmEvent, FsmSnapshot, TimerName } from "../../src/fsm/types.js";
import type { Capability, OpenMessage } from "../../src/wire/types.js";

export function config(overrides: Partial<FsmConfig> = {}): FsmConfig {
  return {
    localAsn: 65001,
    routerId: "10.0.0.1",
    peerAsn: 65002,
    holdTime: 90,
    connectRetry: 30,
    delayOpen: 0,
    passive: false,
    families: ["ipv4-unicast", "ipv6-unicast"],
    requiredFamilies: [],
    addPath: [],
    extendedMessage: true,
    gracefulRestart: { restartTimeSec: 120 },
    idleHold: 1,
    idleHoldMax: 60,
    stablePeriod: 300,
    autoRestart: true,
    random: () => 0, // jitter factor 0.75 exactly
    ...overrides,
  };
}

export function peerOpen(overrides: Partial<OpenMessage> = {}, extraCaps: Capability[] = []): OpenMessage {
  return {
    type: "open",
    version: 4,
    myAsn: 65002,
    holdTime: 30,
    bgpIdentifier: "10.0.0.2",
    capabilities: [
      { name: "multiprotocol", afi: 1, safi: 1 },
      { name: "multiprotocol", afi: 2, safi: 1 },
      { name: "route-refresh" },
      { name: "four-octet-as", asn: 65002 },
      ...extraCaps,
    ],
    ...overrides,
  };
}

/** Feed events one by one; returns the final snapshot and every action, in order. */
export function run(
  snapshot: FsmSnapshot,
  events: FsmEvent[],
  now = 0,
): { state: FsmSnapshot; actions: FsmAction[] } {
  const actions: FsmAction[] = [];
  let s = snapshot;
  for (const event of events) {
    const r = step(s, event, now);
    s = r.state;
    actions.push(...r.actions);
  }
  return { state: s, actions };
}

/** Drive a snapshot to Established over a scripted exchange. */
export function established(cfg: FsmConfig = config(), open: OpenMessage = peerOpen(), now = 0): FsmSnapshot {
  const r = run(
    initialSnapshot(cfg),
    [{ type: "ManualStart" }, { type: "Tcp_CR_Acked" }, { type: "BGPOpen", open }, { type: "KeepAliveMsg" }],
    now,
  );
  if (r.state.state !== "Established") throw new Error(`not established: ${r.state.state}`);
  return r.state;
}

/**
 * A tiny simulated clock that runs the timer actions: `advance(ms)` fires due timers in deadline
 * order and feeds their events back into the FSM, collecting everything the FSM does.
 */
export class FsmSimulator {
  now = 0;
  state: FsmSnapshot;
  readonly log: { at: number; action: FsmAction }[] = [];
  private readonly timers = new Map<TimerName, number>();

  constructor(snapshot: FsmSnapshot) {
    this.state = snapshot;
  }

  feed(event: FsmEvent): FsmAction[] {
    const r = step(this.state, event, this.now);
    this.state = r.state;
    for (const action of r.actions) {
      this.log.push({ at: this.now, action });
      if (action.type === "startTimer") this.timers.set(action.timer, this.now + action.ms);
      if (action.type === "stopTimer") this.timers.delete(action.timer);
    }
    return [...r.actions];
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: [TimerName, number] | null = null;
      for (const [name, at] of this.timers)
        if (at <= end && (next === null || at < next[1])) next = [name, at];
      if (next === null) break;
      this.timers.delete(next[0]);
      this.now = next[1];
      this.feed({ type: `${next[0]}Timer_Expires` } as FsmEvent);
    }
    this.now = end;
  }

  running(): TimerName[] {
    return [...this.timers.keys()].sort();
  }

  sent(type?: string): { at: number; type: string }[] {
    return this.log
      .filter((e) => e.action.type === "send" && (type === undefined || e.action.message.type === type))
      .map((e) => ({ at: e.at, type: e.action.type === "send" ? e.action.message.type : "" }));
  }
}
