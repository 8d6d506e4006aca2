import type { GatePhase, HealthGate, RoundResult, TransitionEvent } from "./gate.js";
import type { CheckResult, GateState } from "./types.js";

/**
 * Upper bounds, in seconds, of the check-latency histogram each monitor keeps: Prometheus client
 * defaults, which cover a local TCP connect (milliseconds) up to a check that hits its timeout.
 * @category Health
 */
export const CHECK_LATENCY_BUCKETS_SEC: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * A latency histogram as plain numbers: `counts[i]` rounds took at most `CHECK_LATENCY_BUCKETS_SEC[i]`.
 * @category Health
 */
export interface LatencyHistogram {
  /** Cumulative, one per bound of `CHECK_LATENCY_BUCKETS_SEC`; `count` is the +Inf bucket. */
  readonly counts: readonly number[];
  /** Rounds measured in all. */
  readonly count: number;
  /** Their total duration, seconds. */
  readonly sumSec: number;
}

/**
 * One check's last result and its latency so far.
 * @category Health
 */
export interface CheckStatus {
  /** Null until the check has run once. */
  readonly last:
    | (CheckResult & {
        /** When the result came, on the monitor's clock (ms). */
        readonly atMs: number;
      })
    | null;
  /** How long the check has taken, as a histogram. */
  readonly latency: LatencyHistogram;
}

/**
 * A monitor's state and counters, as plain data (for status pages and metrics).
 * @category Health
 */
export interface HealthStatus {
  /** The monitor's name. */
  readonly name: string;
  /** The published state; "init" until the first decision. */
  readonly state: GateState | "init";
  /** Where the gate is, including rising and falling. */
  readonly phase: GatePhase;
  /** Clock time (ms) the state was published at; for "init", when the monitor was built. */
  readonly stateSinceMs: number;
  /** How long the published state has lasted, ms. */
  readonly timeInStateMs: number;
  /** Failed rounds in a row (0 after a passing round). */
  readonly consecutiveFailures: number;
  /** Passing rounds in a row (0 after a failing round). */
  readonly consecutiveSuccesses: number;
  /** Rounds of checks run, and how many of them failed. */
  readonly rounds: number;
  /** Of `rounds`, those that failed. */
  readonly failedRounds: number;
  /** Published transitions (to up, down or disabled). */
  readonly transitions: number;
  /** RFC 2439 flap penalty now (0 without dampening). */
  readonly penalty: number;
  /** Flap dampening holds UP back right now. */
  readonly suppressed: boolean;
  /** The last round of checks; null before the first. */
  readonly lastRound: {
    /** When it finished, on the monitor's clock (ms). */
    readonly atMs: number;
    /** It passed. */
    readonly ok: boolean;
    /** Why it failed, or what was seen when it passed. */
    readonly reason: string;
  } | null;
  /** Each check's last result and latency, by name. */
  readonly checks: Readonly<Record<string, CheckStatus>>;
}

interface MutableLatency {
  counts: number[];
  count: number;
  sumSec: number;
}

/** What a HealthMonitor feeds as rounds and transitions happen; `snapshot` reads it. */
export class HealthStatusRecorder {
  private stateSinceMs: number;
  private consecutiveFailures = 0;
  private consecutiveSuccesses = 0;
  private rounds = 0;
  private failedRounds = 0;
  private transitions = 0;
  private lastRound: HealthStatus["lastRound"] = null;
  private readonly last = new Map<string, CheckResult & { atMs: number }>();
  private readonly latency = new Map<string, MutableLatency>();

  constructor(checkNames: readonly string[], nowMs: number) {
    this.stateSinceMs = nowMs;
    for (const name of checkNames) {
      this.latency.set(name, { counts: CHECK_LATENCY_BUCKETS_SEC.map(() => 0), count: 0, sumSec: 0 });
    }
  }

  round(
    round: RoundResult & { readonly atMs: number },
    results: Readonly<Record<string, CheckResult>>,
  ): void {
    this.rounds++;
    if (round.ok) {
      this.consecutiveSuccesses++;
      this.consecutiveFailures = 0;
    } else {
      this.failedRounds++;
      this.consecutiveFailures++;
      this.consecutiveSuccesses = 0;
    }
    this.lastRound = { atMs: round.atMs, ok: round.ok, reason: round.reason };
    for (const [name, result] of Object.entries(results)) {
      this.last.set(name, { ...result, atMs: round.atMs });
      let histogram = this.latency.get(name);
      if (histogram === undefined) {
        histogram = { counts: CHECK_LATENCY_BUCKETS_SEC.map(() => 0), count: 0, sumSec: 0 };
        this.latency.set(name, histogram);
      }
      const seconds = Math.max(0, result.durationMs) / 1000;
      histogram.count++;
      histogram.sumSec += seconds;
      CHECK_LATENCY_BUCKETS_SEC.forEach((bound, i) => {
        if (seconds <= bound) histogram.counts[i]++;
      });
    }
  }

  transition(event: TransitionEvent): void {
    this.transitions++;
    this.stateSinceMs = event.atMs;
  }

  snapshot(name: string, gate: HealthGate, nowMs: number): HealthStatus {
    const checks: Record<string, CheckStatus> = {};
    for (const [check, histogram] of this.latency) {
      checks[check] = {
        last: this.last.get(check) ?? null,
        latency: { counts: [...histogram.counts], count: histogram.count, sumSec: histogram.sumSec },
      };
    }
    return {
      name,
      state: gate.state,
      phase: gate.phase,
      stateSinceMs: this.stateSinceMs,
      timeInStateMs: Math.max(0, nowMs - this.stateSinceMs),
      consecutiveFailures: this.consecutiveFailures,
      consecutiveSuccesses: this.consecutiveSuccesses,
      rounds: this.rounds,
      failedRounds: this.failedRounds,
      transitions: this.transitions,
      penalty: gate.penalty(nowMs),
      suppressed: gate.suppressed,
      lastRound: this.lastRound,
      checks,
    };
  }
}
