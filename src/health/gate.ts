import { Dampening, type DampeningOptions } from "./dampening.js";
import { integer, optionalBoolean, rejectUnknownKeys, requireObject, seconds } from "./options.js";
import type { GateState } from "./types.js";

/** The keys of GateOptions, for the unknown-key check (the monitor picks these out of its own). */
export const GATE_OPTION_KEYS = [
  "intervalSec",
  "fastIntervalSec",
  "rise",
  "fall",
  "holdDownSec",
  "dampening",
] as const;

/** Upper bound of `rise` and `fall`. */
export const MAX_RISE_FALL = 10_000;

/** The defaults of GateOptions (ExaBGP healthcheck's): the one source for the gate and the CLI. */
export const GATE_DEFAULTS = {
  intervalSec: 5,
  fastIntervalSec: 1,
  rise: 3,
  fall: 3,
  holdDownSec: 0,
} as const;

/**
 * Options of the rise/fall gate (`HealthGate`, and `HealthMonitor` which passes them on).
 * @category Health
 */
export interface GateOptions {
  /** Seconds between checks in a steady state (default 5; > 0 and <= 86400). */
  readonly intervalSec?: number;
  /** Seconds between checks while rising or falling (default 1; > 0 and <= 86400). */
  readonly fastIntervalSec?: number;
  /** Consecutive successes to go up (default 3; 1 to 10000). */
  readonly rise?: number;
  /** Consecutive failures to go down (default 3; 1 to 10000). */
  readonly fall?: number;
  /** Seconds a published state must last before a transition to UP is published (default 0; 0 to 86400). */
  readonly holdDownSec?: number;
  /** RFC 2439-style flap dampening; `true` for the defaults, omitted or false for none. */
  readonly dampening?: DampeningOptions | boolean;
}

/**
 * Where the gate is: the published state, or on its way to one (rising, falling).
 * @category Health
 */
export type GatePhase = "init" | "rising" | "up" | "falling" | "down" | "disabled";

/**
 * One round of checks as the gate sees it.
 * @category Health
 */
export interface RoundResult {
  /** Every check passed. */
  readonly ok: boolean;
  /** Why the round failed, or what was seen when it passed. */
  readonly reason: string;
  /** The check that failed (or passed, for a single check). */
  readonly check?: string;
}

/**
 * The published state changed.
 * @category Health
 */
export interface TransitionEvent {
  /** The new published state. */
  readonly type: GateState;
  /** The published state before ("init" for the first decision). */
  readonly from: GateState | "init";
  /** When, on the caller's clock (ms). */
  readonly atMs: number;
  /** The reason of the round that decided it. */
  readonly reason: string;
  /** The check that decided it, when one did. */
  readonly check?: string;
  /** What held an UP back before it was published. */
  readonly delayedBy?: "hold-down" | "dampening";
}

/**
 * Flap dampening started holding UP back.
 * @category Health
 */
export interface SuppressedEvent {
  /** Tells the gate events apart. */
  readonly type: "suppressed";
  /** When, on the caller's clock (ms). */
  readonly atMs: number;
  /** Why, in words. */
  readonly reason: string;
  /** The flap penalty that crossed the suppress threshold. */
  readonly penalty: number;
  /** When the penalty will have decayed to the reuse threshold, if no new flap comes (ms). */
  readonly releaseAtMs: number;
}

/**
 * Flap dampening stopped holding UP back.
 * @category Health
 */
export interface ReleasedEvent {
  /** Tells the gate events apart. */
  readonly type: "released";
  /** When, on the caller's clock (ms). */
  readonly atMs: number;
  /** Why, in words. */
  readonly reason: string;
  /** The penalty, now at or below the reuse threshold. */
  readonly penalty: number;
}

/**
 * Anything the gate reports: a published transition, or dampening starting or ending.
 * @category Health
 */
export type GateEvent = TransitionEvent | SuppressedEvent | ReleasedEvent;

/**
 * The rise/fall gate of ExaBGP's healthcheck, pure: time comes in as `nowMs`, events and the next
 * due time go out, nothing here sets a timer.
 *
 * Phases as in ExaBGP: INIT, RISING, UP, FALLING, DOWN, DISABLED. RISING/FALLING change nothing
 * published; reaching `rise` successes publishes UP, reaching `fall` failures publishes DOWN, the
 * disable file publishes DISABLED at once and, once removed, the gate starts over from INIT while the
 * published state stays DISABLED until rise/fall decide. On top: `holdDown` delays a transition to
 * UP until the previous published state has lasted that long, and flap dampening suppresses UP while
 * the penalty of past up -> down flaps is high. Transitions to DOWN and DISABLED are never delayed.
 * @category Health
 */
export class HealthGate {
  /** Milliseconds between rounds in a steady state. */
  readonly intervalMs: number;
  /** Milliseconds between rounds while rising or falling. */
  readonly fastIntervalMs: number;
  /** Consecutive successes that publish UP. */
  readonly rise: number;
  /** Consecutive failures that publish DOWN. */
  readonly fall: number;
  /** How long (ms) a published state must last before UP may follow it. */
  readonly holdDownMs: number;
  private readonly dampening: Dampening | undefined;
  private phaseValue: GatePhase = "init";
  private count = 0;
  /** What health says, once it has said anything. */
  private decided: GateState | "init" = "init";
  private published: GateState | "init" = "init";
  private publishedAtMs = Number.NEGATIVE_INFINITY;
  private nextCheck: number;
  private lastReason = "no check yet";
  private lastCheck: string | undefined;
  private heldBy: "hold-down" | "dampening" | undefined;

  constructor(options: GateOptions = {}, nowMs = 0) {
    requireObject("HealthGate", options);
    rejectUnknownKeys("HealthGate", options, GATE_OPTION_KEYS);
    this.intervalMs = seconds("intervalSec", options.intervalSec ?? GATE_DEFAULTS.intervalSec);
    this.fastIntervalMs = seconds(
      "fastIntervalSec",
      options.fastIntervalSec ?? GATE_DEFAULTS.fastIntervalSec,
    );
    this.rise = integer("rise", options.rise ?? GATE_DEFAULTS.rise, 1, MAX_RISE_FALL);
    this.fall = integer("fall", options.fall ?? GATE_DEFAULTS.fall, 1, MAX_RISE_FALL);
    this.holdDownMs = seconds("holdDownSec", options.holdDownSec ?? GATE_DEFAULTS.holdDownSec, true);
    const dampening = options.dampening;
    if (typeof dampening !== "object") optionalBoolean("dampening", dampening);
    this.dampening =
      dampening === undefined || dampening === false
        ? undefined
        : new Dampening(dampening === true ? {} : dampening);
    this.nextCheck = nowMs; // the first check runs at once
  }

  /** The published state; "init" until the first decision. */
  get state(): GateState | "init" {
    return this.published;
  }

  /** Where the gate is now, including rising and falling. */
  get phase(): GatePhase {
    return this.phaseValue;
  }

  /** Flap dampening holds UP back right now. */
  get suppressed(): boolean {
    return this.dampening?.suppressed ?? false;
  }

  /** The flap penalty at `nowMs`, decayed; 0 without dampening. */
  penalty(nowMs: number): number {
    return this.dampening?.penaltyAt(nowMs) ?? 0;
  }

  /** When the next round of checks is due. */
  get nextCheckMs(): number {
    return this.nextCheck;
  }

  /** When the driver must next call in: the next check, or a hold-down/suppression ending before it. */
  get nextWakeMs(): number {
    let wake = this.nextCheck;
    if (this.heldBy === "hold-down") wake = Math.min(wake, this.publishedAtMs + this.holdDownMs);
    const release = this.dampening?.releaseAtMs;
    if (release !== undefined) wake = Math.min(wake, release);
    return wake;
  }

  /** Time-driven work only: suppression ending, hold-down expiring. */
  advance(nowMs: number): GateEvent[] {
    const events: GateEvent[] = [];
    if (this.dampening?.release(nowMs)) {
      events.push({
        type: "released",
        atMs: nowMs,
        reason: `penalty ${Math.round(this.dampening.penaltyAt(nowMs))} decayed to reuse threshold ${this.dampening.reuseThreshold}`,
        penalty: this.dampening.penaltyAt(nowMs),
      });
    }
    this.reconcile(nowMs, events);
    return events;
  }

  /** A round of checks finished (the disable file was absent). */
  observe(nowMs: number, result: RoundResult): GateEvent[] {
    const events = this.advance(nowMs);
    this.lastReason = result.reason;
    this.lastCheck = result.check;
    const decidedBefore = this.decided;
    const phase = this.phaseValue;
    if (result.ok) {
      // FALLING from INIT was never up: unlike ExaBGP, one success does not make it UP, `rise` does.
      if (phase === "up" || (phase === "falling" && this.decided === "up")) this.enter("up", 0);
      else if (phase === "rising") this.count + 1 >= this.rise ? this.enter("up", 0) : this.count++;
      else this.rise <= 1 ? this.enter("up", 0) : this.enter("rising", 1); // init, down, (disabled)
    } else {
      if (phase === "down" || phase === "rising") this.enter("down", 0);
      else if (phase === "falling") this.count + 1 >= this.fall ? this.enter("down", 0) : this.count++;
      else this.fall <= 1 ? this.enter("down", 0) : this.enter("falling", 1); // init, up, (disabled)
    }
    this.nextCheck = nowMs + this.interval();
    this.reconcile(nowMs, events);
    this.countFlap(nowMs, decidedBefore, events);
    return events;
  }

  /**
   * The freshness watchdog fired: the checks gave no result for too long, so health is DOWN now,
   * whatever `fall` says (a hung check must not keep a route). The round schedule is unchanged; the
   * next results count from DOWN, so UP needs `rise` successes again.
   */
  expire(nowMs: number, result: RoundResult): GateEvent[] {
    const events = this.advance(nowMs);
    if (this.phaseValue === "disabled") return events; // no checks run while disabled: nothing is stale
    this.lastReason = result.reason;
    this.lastCheck = result.check;
    const decidedBefore = this.decided;
    this.enter("down", 0);
    this.reconcile(nowMs, events);
    this.countFlap(nowMs, decidedBefore, events);
    return events;
  }

  /**
   * A flap is health going up -> down, published or not: a service that keeps flapping while
   * suppressed keeps earning penalty (RFC 2439 counts instability during suppression too).
   */
  private countFlap(nowMs: number, decidedBefore: GateState | "init", events: GateEvent[]): void {
    if (decidedBefore === "up" && this.decided === "down" && this.dampening?.flap(nowMs)) {
      events.push({
        type: "suppressed",
        atMs: nowMs,
        reason: `penalty ${Math.round(this.dampening.penaltyAt(nowMs))} above suppress threshold ${this.dampening.suppressThreshold}`,
        penalty: this.dampening.penaltyAt(nowMs),
        releaseAtMs: this.dampening.releaseAtMs!,
      });
    }
  }

  /** The disable file exists this round: checks are not run, DISABLED is published at once. */
  observeDisabled(nowMs: number, reason = "disable file present"): GateEvent[] {
    const events = this.advance(nowMs);
    this.lastReason = reason;
    this.lastCheck = undefined;
    this.enter("disabled", 0);
    this.nextCheck = nowMs + this.intervalMs;
    this.reconcile(nowMs, events);
    return events;
  }

  /** The disable file is gone: start over from INIT (the round's checks follow via `observe`). */
  enable(): void {
    if (this.phaseValue === "disabled") this.enter("init", 0);
  }

  private interval(): number {
    return this.phaseValue === "rising" || this.phaseValue === "falling"
      ? this.fastIntervalMs
      : this.intervalMs;
  }

  private enter(phase: GatePhase, count: number): void {
    this.phaseValue = phase;
    this.count = count;
    if (phase === "up" || phase === "down" || phase === "disabled") this.decided = phase;
  }

  /** Publishes what health decided, unless hold-down or dampening holds an UP back. */
  private reconcile(nowMs: number, events: GateEvent[]): void {
    const target = this.decided;
    if (target === "init" || target === this.published) {
      this.heldBy = undefined;
      return;
    }
    if (target === "up") {
      if (nowMs < this.publishedAtMs + this.holdDownMs) {
        this.heldBy = "hold-down";
        return;
      }
      if (this.dampening?.suppressed) {
        this.heldBy = "dampening";
        return;
      }
    }
    const from = this.published;
    this.published = target;
    this.publishedAtMs = nowMs;
    const delayedBy = target === "up" ? this.heldBy : undefined;
    this.heldBy = undefined;
    events.push({
      type: target,
      from,
      atMs: nowMs,
      reason: this.lastReason,
      ...(this.lastCheck === undefined ? {} : { check: this.lastCheck }),
      ...(delayedBy === undefined ? {} : { delayedBy }),
    });
  }
}
