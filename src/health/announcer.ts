import createDebug from "debug";
import { EventEmitter } from "eventemitter3";
import type { TransitionEvent } from "./gate.js";
import type { GateState } from "./types.js";

const debug = createDebug("bgp:health");

/** The part of BgpSpeaker the announcer drives; `A` is the speaker's announce-attributes type. */
export interface RouteSpeaker<A> {
  announce(prefix: string, attributes?: A): void;
  withdraw(prefix: string): void;
}

/** What a prefix does in one state: announce with these attributes, or withdraw. */
export type PrefixAction<A> = A | "withdraw";

export interface PrefixPolicy<A> {
  readonly prefix: string;
  /** Default: announce with no extra attributes. */
  readonly up?: PrefixAction<A>;
  /** Default: withdraw. */
  readonly down?: PrefixAction<A>;
  /** Default: withdraw. Announcing with a high MED or the GRACEFUL_SHUTDOWN community drains instead. */
  readonly disabled?: PrefixAction<A>;
}

/** Anything that publishes gate transitions: a HealthMonitor, or a test's emitter. */
export interface GateSource {
  readonly state: GateState | "init";
  on(event: GateState, listener: (event: TransitionEvent) => void): unknown;
  off(event: GateState, listener: (event: TransitionEvent) => void): unknown;
}

export interface GatedPrefixes<A> {
  readonly source: GateSource;
  readonly prefixes: readonly PrefixPolicy<A>[];
}

/** One call made on the speaker, with why. */
export interface AnnouncerAction<A> {
  readonly prefix: string;
  readonly state: GateState;
  readonly action: "announce" | "withdraw";
  readonly attributes?: A;
  readonly reason: string;
}

/**
 * Maps each gate's published state onto announce/withdraw calls for its prefixes. Several gates,
 * several prefixes per gate, each prefix with its own per-state attributes; a prefix belongs to one
 * gate only (two gates fighting over one route is a configuration error).
 */
export class HealthGatedAnnouncer<A> extends EventEmitter<{ action: [AnnouncerAction<A>] }> {
  private readonly speaker: RouteSpeaker<A>;
  private readonly bindings: {
    source: GateSource;
    listeners: [GateState, (e: TransitionEvent) => void][];
  }[] = [];
  /** Prefixes this announcer has announced and not withdrawn. */
  private readonly live = new Set<string>();

  constructor(speaker: RouteSpeaker<A>, gates: readonly GatedPrefixes<A>[]) {
    super();
    this.speaker = speaker;
    const seen = new Set<string>();
    for (const gate of gates) {
      for (const policy of gate.prefixes) {
        if (seen.has(policy.prefix))
          throw new Error(`prefix ${policy.prefix} is bound to more than one gate`);
        seen.add(policy.prefix);
      }
    }
    for (const gate of gates) {
      const listeners: [GateState, (e: TransitionEvent) => void][] = (
        ["up", "down", "disabled"] as const
      ).map((state) => [state, (event: TransitionEvent) => this.apply(gate.prefixes, state, event.reason)]);
      for (const [state, listener] of listeners) gate.source.on(state, listener);
      this.bindings.push({ source: gate.source, listeners });
      // A gate that has already decided is applied now, not at its next transition.
      const current = gate.source.state;
      if (current !== "init") this.apply(gate.prefixes, current, `initial state ${current}`);
    }
  }

  /** Prefixes currently announced through this announcer. */
  get announced(): string[] {
    return [...this.live];
  }

  /** Withdraws everything this announcer announced (for shutdown). */
  withdrawAll(reason = "shutdown"): void {
    for (const prefix of [...this.live]) {
      this.live.delete(prefix);
      this.speaker.withdraw(prefix);
      debug("withdraw %s (%s)", prefix, reason);
    }
  }

  /** Stops following the gates; routes stay as they are. */
  detach(): void {
    for (const { source, listeners } of this.bindings) {
      for (const [state, listener] of listeners) source.off(state, listener);
    }
    this.bindings.length = 0;
  }

  private apply(prefixes: readonly PrefixPolicy<A>[], state: GateState, reason: string): void {
    for (const policy of prefixes) {
      const action = policy[state] ?? (state === "up" ? undefined : "withdraw");
      if (action === "withdraw") {
        // Only what we announced: a route never sent needs no withdrawal.
        if (!this.live.delete(policy.prefix)) continue;
        this.speaker.withdraw(policy.prefix);
        debug("withdraw %s (%s: %s)", policy.prefix, state, reason);
        this.emit("action", { prefix: policy.prefix, state, action: "withdraw", reason });
      } else {
        this.live.add(policy.prefix);
        if (action === undefined) this.speaker.announce(policy.prefix);
        else this.speaker.announce(policy.prefix, action);
        debug("announce %s (%s: %s)", policy.prefix, state, reason);
        this.emit("action", {
          prefix: policy.prefix,
          state,
          action: "announce",
          ...(action === undefined ? {} : { attributes: action }),
          reason,
        });
      }
    }
  }
}
