import createDebug from "debug";
import { EventEmitter } from "eventemitter3";
import { type Clock, realClock } from "../clock.js";
import { chooseNextHop } from "../speaker/next-hop.js";
import { normalizeAttributes } from "../speaker/route.js";
import { canonicalPrefix } from "../wire/prefix.js";
import type { TransitionEvent } from "./gate.js";
import { type GateState, secToMs } from "./types.js";

const debug = createDebug("bgp:health");

/**
 * The part of BgpSpeaker the announcer drives; `A` is the speaker's announce-attributes type.
 * @category Health
 */
export interface RouteSpeaker<A> {
  /** Announces (or re-announces with new attributes) one prefix. */
  announce(prefix: string, attributes?: A): void;
  /** Withdraws one prefix. */
  withdraw(prefix: string): void;
  /** RFC 8326: re-announce with GRACEFUL_SHUTDOWN (BgpSpeaker has it); needed for `drainSec`. */
  drain?(prefix: string): void;
}

/**
 * What a prefix does in one state: announce with these attributes, or withdraw.
 * @category Health
 */
export type PrefixAction<A> = A | "withdraw";

/**
 * One prefix and what it does in each published state.
 * @category Health
 */
export interface PrefixPolicy<A> {
  /** The prefix, as `announce` takes it. */
  readonly prefix: string;
  /** Default: announce with no extra attributes. */
  readonly up?: PrefixAction<A>;
  /** Default: withdraw. */
  readonly down?: PrefixAction<A>;
  /** Default: withdraw (after `drainSec` of GRACEFUL_SHUTDOWN when set). */
  readonly disabled?: PrefixAction<A>;
}

/**
 * Anything that publishes gate transitions: a HealthMonitor, or a test's emitter.
 * @category Health
 */
export interface GateSource {
  /** The published state now; "init" until the first decision. */
  readonly state: GateState | "init";
  /** Subscribes to one published state. */
  on(event: GateState, listener: (event: TransitionEvent) => void): unknown;
  /** Unsubscribes what `on` subscribed. */
  off(event: GateState, listener: (event: TransitionEvent) => void): unknown;
}

/**
 * One gate and the prefixes it drives.
 * @category Health
 */
export interface GatedPrefixes<A> {
  /** Where the published states come from (a `HealthMonitor`). */
  readonly source: GateSource;
  /** The prefixes this gate announces and withdraws. */
  readonly prefixes: readonly PrefixPolicy<A>[];
}

/**
 * Options for `new HealthGatedAnnouncer`.
 * @category Health
 */
export interface HealthGatedAnnouncerOptions<A> {
  /**
   * Checks one prefix and its attributes, throwing TypeError/RangeError on anything the speaker
   * would refuse. Default: BgpSpeaker's own checks (prefix, next hop and its family, MED,
   * LOCAL_PREF, communities, large and extended communities, AS-path prepend).
   */
  readonly validate?: (prefix: string, attributes: A | undefined) => void;
  /**
   * RFC 8326 drain: a prefix leaving for DISABLED, and every prefix at `withdrawAll`, is first
   * re-announced with the GRACEFUL_SHUTDOWN community for this many seconds, then withdrawn
   * (default 0: withdrawn at once). A DOWN service is withdrawn at once: it cannot serve the drain.
   */
  readonly drainSec?: number;
  /** The clock the drain is timed on (default: the real one); inject a fake one in tests. */
  readonly clock?: Clock;
  /**
   * Prefixes already announced for these gates by an earlier announcer (a configuration reload):
   * counted as ours, so a state that withdraws withdraws them, and equal attributes are not re-sent.
   */
  readonly announced?: readonly string[];
  /** Where an error goes when nobody listens to "error" (default: stderr, once per message). */
  readonly writeUnhandled?: (text: string) => void;
}

/**
 * One call made on the speaker, with why.
 * @category Health
 */
export interface AnnouncerAction<A> {
  /** The prefix acted on. */
  readonly prefix: string;
  /** The published state that caused it. */
  readonly state: GateState;
  /** The call made on the speaker. */
  readonly action: "announce" | "withdraw" | "drain";
  /** The attributes announced with, for "announce". */
  readonly attributes?: A;
  /** The transition's reason (the check result that decided it). */
  readonly reason: string;
}

/**
 * The events a `HealthGatedAnnouncer` emits, with their arguments.
 * @category Health
 */
export interface HealthGatedAnnouncerEvents<A> {
  /** A call was made on the speaker. */
  action: [AnnouncerAction<A>];
  /** A call on the speaker failed at run time; the route is left as it was. */
  error: [Error];
}

/** The default validation: what BgpSpeaker.announce checks without knowing its peers. */
function validateForSpeaker(prefix: string, attributes: unknown): void {
  const { family, prefix: canonical } = canonicalPrefix(prefix);
  if (attributes === undefined) return;
  if (typeof attributes !== "object" || attributes === null) {
    throw new TypeError(`attributes of ${canonical} must be an object, got ${typeof attributes}`);
  }
  const normalized = normalizeAttributes(attributes);
  if (!chooseNextHop({ family, explicit: normalized.nextHop }).ok) {
    throw new TypeError(`IPv6 prefix ${canonical} needs an IPv6 next hop, got ${normalized.nextHop}`);
  }
}

/**
 * Maps each gate's published state onto announce/withdraw calls for its prefixes. Several gates,
 * several prefixes per gate, each prefix with its own per-state attributes; a prefix belongs to one
 * gate only (two gates fighting over one route is a configuration error).
 *
 * Every prefix and attribute set is checked in the constructor, so a bad setting throws there and
 * not later inside a health transition. Errors that can only happen at run time go to the "error"
 * event; with no listener they are logged through `debug` and written to stderr once.
 * @category Health
 */
export class HealthGatedAnnouncer<A> extends EventEmitter<HealthGatedAnnouncerEvents<A>> {
  private readonly speaker: RouteSpeaker<A>;
  private readonly bindings: {
    source: GateSource;
    listeners: [GateState, (e: TransitionEvent) => void][];
  }[] = [];
  /** Prefixes this announcer has announced and not withdrawn. */
  private readonly live = new Set<string>();
  /** Prefixes being drained, with the timer that withdraws them. */
  private readonly draining = new Map<string, unknown>();
  private readonly drainMs: number;
  private readonly clock: Clock;
  private readonly writeUnhandled: (text: string) => void;
  private readonly reported = new Set<string>();

  constructor(
    speaker: RouteSpeaker<A>,
    gates: readonly GatedPrefixes<A>[],
    options: HealthGatedAnnouncerOptions<A> = {},
  ) {
    super();
    this.speaker = speaker;
    this.drainMs = secToMs("drainSec", options.drainSec ?? 0);
    if (this.drainMs > 0 && typeof speaker.drain !== "function") {
      throw new TypeError("drainSec needs a speaker with drain() (RFC 8326), such as BgpSpeaker");
    }
    this.clock = options.clock ?? realClock;
    this.writeUnhandled =
      options.writeUnhandled ??
      ((text) => {
        try {
          process.stderr.write(text);
        } catch {
          // stderr gone (EPIPE): nowhere left to say it
        }
      });
    const validate = options.validate ?? validateForSpeaker;
    const seen = new Set<string>();
    gates.forEach((gate, g) => {
      gate.prefixes.forEach((policy, p) => {
        const where = `gates[${g}].prefixes[${p}]`;
        if (typeof policy?.prefix !== "string") throw new TypeError(`${where}.prefix must be a string`);
        if (seen.has(policy.prefix)) {
          throw new TypeError(`${where}: prefix ${policy.prefix} is bound to more than one gate`);
        }
        seen.add(policy.prefix);
        for (const state of ["up", "down", "disabled"] as const) {
          const action = policy[state];
          if (action === "withdraw") continue;
          try {
            validate(policy.prefix, action);
          } catch (error) {
            const message = `${where}.${state}: ${error instanceof Error ? error.message : String(error)}`;
            throw error instanceof RangeError ? new RangeError(message) : new TypeError(message);
          }
        }
      });
    });
    for (const prefix of options.announced ?? []) if (seen.has(prefix)) this.live.add(prefix);
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

  /** Prefixes currently announced through this announcer (draining ones included). */
  get announced(): string[] {
    return [...this.live];
  }

  /** Withdraws everything this announcer announced, at once (a drain in progress is cut short). */
  withdrawAll(reason = "shutdown"): void {
    for (const prefix of [...this.live]) this.withdrawNow(prefix, reason);
  }

  /**
   * Shutdown with RFC 8326: drains every announced prefix for `drainSec`, then withdraws it all.
   * Without `drainSec` the same as withdrawAll. Resolves once everything is withdrawn.
   */
  async drainAll(reason = "shutdown"): Promise<void> {
    const prefixes = [...this.live];
    if (this.drainMs === 0 || prefixes.length === 0) {
      this.withdrawAll(reason);
      return;
    }
    await new Promise<void>((resolve) => {
      for (const prefix of prefixes) this.startDrain(prefix, "disabled", reason);
      this.clock.setTimeout(() => {
        this.withdrawAll(reason);
        resolve();
      }, this.drainMs);
    });
  }

  /** Withdraws one prefix, draining it first when `drainSec` is set (SIGHUP removal of a prefix). */
  retire(prefix: string, reason: string): void {
    if (!this.live.has(prefix)) return;
    if (this.drainMs === 0) this.withdrawNow(prefix, reason);
    else this.startDrain(prefix, "disabled", reason);
  }

  /**
   * Hands prefixes over to another announcer (a configuration reload): this one stops counting
   * them as its own, without a withdraw; build the next one with `announced` listing them.
   */
  forget(prefixes: readonly string[]): void {
    for (const prefix of prefixes) {
      this.cancelDrain(prefix);
      this.live.delete(prefix);
    }
  }

  /** Stops following the gates; routes stay as they are (drains in progress still end in a withdraw). */
  detach(): void {
    for (const { source, listeners } of this.bindings) {
      for (const [state, listener] of listeners) source.off(state, listener);
    }
    this.bindings.length = 0;
  }

  private withdrawNow(prefix: string, reason: string, state: GateState = "down"): void {
    this.cancelDrain(prefix);
    if (!this.live.delete(prefix)) return;
    try {
      this.speaker.withdraw(prefix);
    } catch (error) {
      this.fail(error, `withdraw ${prefix}`);
      return;
    }
    debug("withdraw %s (%s)", prefix, reason);
    this.emit("action", { prefix, state, action: "withdraw", reason });
  }

  private startDrain(prefix: string, state: GateState, reason: string): void {
    if (this.draining.has(prefix)) return;
    try {
      this.speaker.drain?.(prefix);
    } catch (error) {
      this.fail(error, `drain ${prefix}`);
      this.withdrawNow(prefix, reason, state);
      return;
    }
    debug("drain %s for %d ms (%s)", prefix, this.drainMs, reason);
    this.emit("action", { prefix, state, action: "drain", reason });
    this.draining.set(
      prefix,
      this.clock.setTimeout(() => {
        this.draining.delete(prefix);
        this.withdrawNow(prefix, `${reason}, drained`, state);
      }, this.drainMs),
    );
  }

  private cancelDrain(prefix: string): void {
    const timer = this.draining.get(prefix);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    this.draining.delete(prefix);
  }

  private fail(error: unknown, what: string): void {
    const wrapped = new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
    debug("%s", wrapped.message);
    if (this.listenerCount("error") > 0) {
      this.emit("error", wrapped);
    } else if (!this.reported.has(wrapped.message)) {
      this.reported.add(wrapped.message);
      this.writeUnhandled(`bgp-speaker: HealthGatedAnnouncer: ${wrapped.message}\n`);
    }
  }

  private apply(prefixes: readonly PrefixPolicy<A>[], state: GateState, reason: string): void {
    for (const policy of prefixes) {
      const action = policy[state] ?? (state === "up" ? undefined : "withdraw");
      if (action === "withdraw") {
        // Only what we announced: a route never sent needs no withdrawal.
        if (!this.live.has(policy.prefix)) continue;
        if (state === "disabled" && this.drainMs > 0) this.startDrain(policy.prefix, state, reason);
        else this.withdrawNow(policy.prefix, `${state}: ${reason}`, state);
        continue;
      }
      this.cancelDrain(policy.prefix);
      try {
        if (action === undefined) this.speaker.announce(policy.prefix);
        else this.speaker.announce(policy.prefix, action);
      } catch (error) {
        this.fail(error, `announce ${policy.prefix}`);
        continue;
      }
      this.live.add(policy.prefix);
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
