import { access } from "node:fs/promises";
import createDebug from "debug";
import { EventEmitter } from "eventemitter3";
import { type Clock, realClock } from "../clock.js";
import {
  GATE_OPTION_KEYS,
  type GateEvent,
  type GateOptions,
  HealthGate,
  type ReleasedEvent,
  type RoundResult,
  type SuppressedEvent,
  type TransitionEvent,
} from "./gate.js";
import {
  describe,
  integer,
  nonEmptyString,
  optionalFunction,
  optionalSignal,
  rejectUnknownKeys,
  requireObject,
  seconds,
} from "./options.js";
import { type HealthStatus, HealthStatusRecorder } from "./status.js";
import type { CheckFn, CheckResult, GateState } from "./types.js";

const debug = createDebug("bgp:health");

/** Default hard deadline of one check, seconds: above the built-in checks' own timeouts (2 s, 5 s). */
export const DEFAULT_CHECK_DEADLINE_SEC = 10;

/**
 * Options for `new HealthMonitor`: the checks, their deadlines, and the gate's options.
 * @category Health
 */
export interface HealthMonitorOptions extends GateOptions {
  /** One check, or several by name: a round passes when `checksRequired` of them pass. */
  readonly checks: CheckFn | Readonly<Record<string, CheckFn>>;
  /** How many of the checks must pass for a round to pass (quorum; default all of them). */
  readonly checksRequired?: number;
  /**
   * Hard deadline of each check in each round, seconds (default 10, at most 86400). A check still
   * running then is abandoned and counted as failed, whether or not it honours its AbortSignal;
   * its late result is ignored. Set it above the checks' own `timeoutSec`, so their clearer
   * "timed out" reason wins.
   */
  readonly checkDeadlineSec?: number;
  /**
   * The freshness watchdog, seconds: when fewer than `checksRequired` checks have given a result
   * (passing or failing) for this long, the service is DOWN at once, whatever `fall` says, with a
   * reason that says which check hung. Default 3 × (intervalSec + checkDeadlineSec) (with
   * max(intervalSec, fastIntervalSec) for intervalSec if the fast interval is the longer); it must
   * exceed max(intervalSec, fastIntervalSec) + checkDeadlineSec, the longest normal wait for a result.
   */
  readonly staleAfter?: number;
  /** Its existence forces DISABLED (maintenance); looked at every round, before the checks. */
  readonly disableFile?: string;
  /** How the disable file is looked for (default: `fs.access`); injected in tests. */
  readonly exists?: (path: string) => boolean | Promise<boolean>;
  /** The clock rounds are timed on (default: the real one); inject a fake one in tests. */
  readonly clock?: Clock;
  /** Aborting it stops the monitor, like stop(). */
  readonly signal?: AbortSignal;
  /** Shown in debug output. */
  readonly name?: string;
}

const MONITOR_OPTION_KEYS = [
  ...GATE_OPTION_KEYS,
  "checks",
  "checksRequired",
  "checkDeadlineSec",
  "staleAfter",
  "disableFile",
  "exists",
  "clock",
  "signal",
  "name",
] as const;

/**
 * One round's results, for logging and metrics.
 * @category Health
 */
export interface RoundReport extends RoundResult {
  /** When the round finished, on the monitor's clock (ms). */
  readonly atMs: number;
  /** Each check's result, by name (a single check is named "check"). */
  readonly results: Readonly<Record<string, CheckResult>>;
}

/**
 * The events a `HealthMonitor` emits, with their arguments.
 * @category Health
 */
export interface HealthMonitorEvents {
  /** The service was published UP. */
  up: [TransitionEvent];
  /** The service was published DOWN. */
  down: [TransitionEvent];
  /** The disable file appeared: published DISABLED. */
  disabled: [TransitionEvent];
  /** Flap dampening started holding UP back. */
  suppressed: [SuppressedEvent];
  /** Flap dampening stopped holding UP back. */
  released: [ReleasedEvent];
  /** Every gate event above, in order. */
  event: [GateEvent];
  /** A round of checks finished, whatever it decided. */
  round: [RoundReport];
  /** A listener threw while handling an event; the monitor keeps running. */
  error: [unknown];
}

const fileExists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Runs the checks on timers at the times the gate asks for and emits the gate's events.
 *
 * Nothing a check does can stall it: a throw (synchronous or not) or a value that is not a promise
 * of a CheckResult is a failed check, every check has a hard deadline, `stop()` never waits on a
 * check, and the freshness watchdog publishes DOWN when results stop coming.
 * @category Health
 */
export class HealthMonitor extends EventEmitter<HealthMonitorEvents> {
  /** The rise/fall gate the rounds feed. */
  readonly gate: HealthGate;
  /** The monitor's name, from the options (shown in debug output and status). */
  readonly name: string;
  /** How many checks must pass for a round to pass. */
  readonly checksRequired: number;
  /** Hard deadline of each check, ms. */
  readonly checkDeadlineMs: number;
  /** The freshness watchdog's limit, ms (see `HealthMonitorOptions.staleAfter`). */
  readonly staleAfterMs: number;
  private readonly checks: Readonly<Record<string, CheckFn>>;
  private readonly clock: Clock;
  private readonly disableFile: string | undefined;
  private readonly exists: (path: string) => boolean | Promise<boolean>;
  private readonly outerSignal: AbortSignal | undefined;
  private running = false;
  /** Bumped by start() and stop(): work begun under an older run ends silently. */
  private run = 0;
  private timer: unknown;
  private watchdog: unknown;
  /** When each check last gave a result (on the monitor's clock). */
  private readonly lastResultMs = new Map<string, number>();
  /** The stale instant the watchdog already reported, so it reports each staleness once. */
  private staleReportedAtMs = Number.NEGATIVE_INFINITY;
  private controller: AbortController | undefined;
  private readonly onOuterAbort = () => void this.stop();
  private readonly recorder: HealthStatusRecorder;

  constructor(options: HealthMonitorOptions) {
    super();
    requireObject("HealthMonitor", options);
    rejectUnknownKeys("HealthMonitor", options, MONITOR_OPTION_KEYS);
    this.checks = checkTable(options.checks);
    const names = Object.keys(this.checks);
    this.checksRequired = integer("checksRequired", options.checksRequired ?? names.length, 1, names.length);
    this.checkDeadlineMs = seconds(
      "checkDeadlineSec",
      options.checkDeadlineSec ?? DEFAULT_CHECK_DEADLINE_SEC,
    );
    optionalFunction("exists", options.exists);
    optionalSignal("signal", options.signal);
    if (options.disableFile !== undefined) nonEmptyString("disableFile", options.disableFile);
    if (options.name !== undefined) nonEmptyString("name", options.name);
    if (options.clock !== undefined) {
      const clock = options.clock as unknown as Record<string, unknown>;
      for (const method of ["now", "setTimeout", "clearTimeout"]) {
        if (typeof clock?.[method] !== "function") throw new TypeError(`clock.${method} must be a function`);
      }
    }
    this.clock = options.clock ?? realClock;
    const gateOptions: Record<string, unknown> = {};
    for (const key of GATE_OPTION_KEYS) if (options[key] !== undefined) gateOptions[key] = options[key];
    this.gate = new HealthGate(gateOptions, this.clock.now());
    const longestGapMs = Math.max(this.gate.intervalMs, this.gate.fastIntervalMs) + this.checkDeadlineMs;
    if (options.staleAfter === undefined) {
      this.staleAfterMs = 3 * longestGapMs;
    } else {
      this.staleAfterMs = seconds("staleAfter", options.staleAfter);
      if (this.staleAfterMs <= longestGapMs) {
        throw new RangeError(
          `staleAfter must be > max(intervalSec, fastIntervalSec) + checkDeadlineSec = ${longestGapMs / 1000} seconds (the longest normal wait for a result), got ${options.staleAfter}`,
        );
      }
    }
    this.disableFile = options.disableFile;
    this.exists = options.exists ?? fileExists;
    this.outerSignal = options.signal;
    this.name = options.name ?? names.join("+");
    this.recorder = new HealthStatusRecorder(names, this.clock.now());
  }

  /** State, counters and check latencies now, as plain data (status pages, metrics). */
  status(): HealthStatus {
    return this.recorder.snapshot(this.name, this.gate, this.clock.now());
  }

  /** The published state; "init" until the first decision. */
  get state(): GateState | "init" {
    return this.gate.state;
  }

  /** Started and not stopped. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts running rounds; a second call, or one after `signal` aborted, does nothing. */
  start(): void {
    if (this.running || this.outerSignal?.aborted) return;
    this.running = true;
    this.run++;
    this.controller = new AbortController();
    this.outerSignal?.addEventListener("abort", this.onOuterAbort, { once: true });
    const now = this.clock.now();
    for (const name of Object.keys(this.checks)) this.lastResultMs.set(name, now);
    this.staleReportedAtMs = Number.NEGATIVE_INFINITY;
    this.armWatchdog();
    this.schedule();
  }

  /**
   * Stops the timers and aborts a running round. It never waits on a check: a check that ignores
   * its signal is abandoned, and whatever it returns later is ignored. No events after this.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.run++;
    this.outerSignal?.removeEventListener("abort", this.onOuterAbort);
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.watchdog);
    this.controller?.abort(new Error("health monitor stopped"));
  }

  private schedule(): void {
    if (!this.running) return;
    const run = this.run;
    const delay = Math.max(0, this.gate.nextWakeMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.wake(run).catch((error: unknown) => {
        // Not a check's fault (those are results) nor a listener's (emit catches those): a bug.
        // Never a hot loop: the next try waits at least the fast interval.
        debug("%s: round failed: %o", this.name, error);
        this.emitSafely("error", error);
        if (run !== this.run) return;
        this.timer = this.clock.setTimeout(() => this.schedule(), this.gate.fastIntervalMs);
      });
    }, delay);
  }

  private async wake(run: number): Promise<void> {
    this.emitAll(this.gate.advance(this.clock.now()));
    if (run === this.run && this.clock.now() >= this.gate.nextCheckMs) {
      const disabled = await this.disabled();
      if (run !== this.run) return;
      if (disabled === true) {
        // No check runs while disabled: nothing can go stale.
        for (const name of Object.keys(this.checks)) this.fresh(name);
        this.emitAll(this.gate.observeDisabled(this.clock.now(), `disable file ${this.disableFile} present`));
      } else {
        this.gate.enable();
        const round = disabled === false ? await this.runRound() : this.failedRound(disabled);
        if (run !== this.run) return; // stopped mid-round: an aborted check says nothing about health
        const events = this.gate.observe(this.clock.now(), round);
        this.recorder.round(round, round.results);
        this.emitSafely("round", round);
        this.emitAll(events);
      }
    }
    if (run === this.run) this.schedule();
  }

  /** Whether the disable file exists; a reason string when that could not be told in time. */
  private async disabled(): Promise<boolean | string> {
    if (this.disableFile === undefined) return false;
    const path = this.disableFile;
    const outcome = await this.bounded(() => this.exists(path), this.controller!.signal);
    if (outcome.kind === "value") return outcome.value === true;
    return `disable file check ${outcome.kind === "threw" ? `threw: ${outcome.message}` : outcome.message}`;
  }

  private failedRound(reason: string): RoundReport {
    return { ok: false, reason, atMs: this.clock.now(), results: {} };
  }

  private async runRound(): Promise<RoundReport> {
    const signal = this.controller!.signal;
    const names = Object.keys(this.checks);
    const settled = await Promise.all(names.map((name) => this.runCheck(name, signal)));
    const results: Record<string, CheckResult> = {};
    names.forEach((name, i) => {
      results[name] = settled[i];
    });
    const atMs = this.clock.now();
    const passed = settled.filter((result) => result.ok).length;
    const failedIndex = settled.findIndex((result) => !result.ok);
    const all = names.length;
    const quorum = this.checksRequired < all;
    if (passed < this.checksRequired) {
      const check = names[failedIndex];
      const why = `${check}: ${settled[failedIndex].reason}`;
      const reason = quorum
        ? `${passed} of ${all} checks passed, ${this.checksRequired} required; ${why}`
        : why;
      return { ok: false, reason, check, atMs, results };
    }
    if (all === 1) return { ok: true, reason: settled[0].reason, check: names[0], atMs, results };
    if (passed === all) return { ok: true, reason: `all ${all} checks passed`, atMs, results };
    const why = `${names[failedIndex]}: ${settled[failedIndex].reason}`;
    return {
      ok: true,
      reason: `${passed} of ${all} checks passed, ${this.checksRequired} required; ${why}`,
      atMs,
      results,
    };
  }

  /** One check, to a CheckResult in bounded time, whatever the check does. */
  private async runCheck(name: string, roundSignal: AbortSignal): Promise<CheckResult> {
    const started = this.clock.now();
    const outcome = await this.bounded((signal) => this.checks[name](signal), roundSignal);
    const durationMs = this.clock.now() - started;
    if (outcome.kind !== "abandoned") this.fresh(name);
    if (outcome.kind === "value") {
      if (outcome.sync) {
        return { ok: false, reason: `check returned ${describe(outcome.value)}, not a promise`, durationMs };
      }
      if (isCheckResult(outcome.value)) return outcome.value;
      return { ok: false, reason: `check gave no result: ${describeResult(outcome.value)}`, durationMs };
    }
    if (outcome.kind === "threw") {
      return { ok: false, reason: `check threw: ${outcome.message}`, durationMs };
    }
    return { ok: false, reason: outcome.message, durationMs };
  }

  /**
   * Calls `fn` with its own AbortSignal and settles by the check deadline at the latest: a
   * synchronous throw, a rejection, a non-promise, a hang past the deadline and an abort of
   * `outer` each become an outcome; a late settlement is ignored.
   */
  private bounded(fn: (signal: AbortSignal) => unknown, outer: AbortSignal): Promise<Outcome> {
    const controller = new AbortController();
    return new Promise<Outcome>((resolve) => {
      let done = false;
      let deadline: unknown;
      const finish = (outcome: Outcome) => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(deadline);
        outer.removeEventListener("abort", onAbort);
        if (!controller.signal.aborted) controller.abort(new Error("check finished"));
        resolve(outcome);
      };
      const onAbort = () => finish({ kind: "abandoned", message: "aborted" });
      if (outer.aborted) {
        onAbort();
        return;
      }
      outer.addEventListener("abort", onAbort, { once: true });
      deadline = this.clock.setTimeout(() => {
        controller.abort(new Error("check deadline passed"));
        finish({
          kind: "abandoned",
          message: `check hung: no result within checkDeadlineSec ${this.checkDeadlineMs / 1000}s, abandoned`,
        });
      }, this.checkDeadlineMs);
      let pending: unknown;
      try {
        pending = fn(controller.signal);
      } catch (error) {
        finish({ kind: "threw", message: errorMessage(error) });
        return;
      }
      if (typeof (pending as PromiseLike<unknown> | null)?.then !== "function") {
        // The exists() hook may answer synchronously; a check must return a promise.
        finish({ kind: "value", value: pending, sync: true });
        return;
      }
      Promise.resolve(pending as PromiseLike<unknown>).then(
        (value) => finish({ kind: "value", value, sync: false }),
        (error: unknown) => finish({ kind: "threw", message: errorMessage(error) }),
      );
    });
  }

  /** A check gave a result (any result: a failure is news too) while the monitor runs. */
  private fresh(name: string): void {
    if (!this.running) return;
    this.lastResultMs.set(name, this.clock.now());
    this.armWatchdog();
  }

  /** When fewer than `checksRequired` checks will have a result younger than `staleAfter`. */
  private staleAtMs(): number {
    const times = [...this.lastResultMs.values()].sort((a, b) => b - a);
    return times[this.checksRequired - 1] + this.staleAfterMs;
  }

  /** Arms the freshness watchdog for the instant fewer than `checksRequired` results are fresh. */
  private armWatchdog(): void {
    this.clock.clearTimeout(this.watchdog);
    if (!this.running) return;
    const staleAtMs = this.staleAtMs();
    if (staleAtMs <= this.staleReportedAtMs) return; // reported; wait for a fresh result
    const run = this.run;
    this.watchdog = this.clock.setTimeout(
      () => {
        if (run !== this.run) return;
        if (this.staleAtMs() > this.clock.now()) {
          this.armWatchdog(); // a result came in meanwhile
          return;
        }
        this.staleReportedAtMs = staleAtMs;
        const now = this.clock.now();
        const stale = [...this.lastResultMs].filter(([, atMs]) => now - atMs >= this.staleAfterMs);
        const [check, lastMs] = stale.sort((a, b) => a[1] - b[1])[0] ?? [undefined, now];
        const names = stale.map(([name]) => name).join(", ");
        const reason = `check ${names} hung: no result for ${Math.round(now - lastMs) / 1000}s (staleAfter ${this.staleAfterMs / 1000}s)`;
        debug("%s: %s", this.name, reason);
        this.emitAll(this.gate.expire(now, { ok: false, reason, ...(check === undefined ? {} : { check }) }));
      },
      Math.max(0, staleAtMs - this.clock.now()),
    );
  }

  /**
   * Emits; a listener that throws is reported on `error` (its event's later listeners are skipped,
   * as with any emitter), and the monitor goes on: no state change waits on a listener.
   */
  private emitSafely<E extends keyof HealthMonitorEvents>(event: E, ...args: HealthMonitorEvents[E]): void {
    try {
      (this.emit as (event: E, ...args: HealthMonitorEvents[E]) => boolean)(event, ...args);
    } catch (error) {
      debug("%s: %s listener failed: %o", this.name, event, error);
      if (event !== "error") this.emitSafely("error", error);
    }
  }

  private emitAll(events: readonly GateEvent[]): void {
    for (const event of events) {
      debug("%s: %s %s", this.name, event.type, event.reason);
      if (event.type === "up" || event.type === "down" || event.type === "disabled") {
        this.recorder.transition(event);
      }
      this.emitSafely("event", event);
      switch (event.type) {
        case "up":
        case "down":
        case "disabled":
          this.emitSafely(event.type, event);
          break;
        case "suppressed":
          this.emitSafely("suppressed", event);
          break;
        case "released":
          this.emitSafely("released", event);
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`unknown gate event ${String(unreachable)}`);
        }
      }
    }
  }
}

type Outcome =
  | { readonly kind: "value"; readonly value: unknown; readonly sync: boolean }
  | { readonly kind: "threw"; readonly message: string }
  | { readonly kind: "abandoned"; readonly message: string };

/** Names and functions of the checks; a single function is named "check". */
function checkTable(checks: unknown): Readonly<Record<string, CheckFn>> {
  if (typeof checks === "function") return { check: checks as CheckFn };
  if (typeof checks !== "object" || checks === null || Array.isArray(checks)) {
    throw new TypeError(`checks must be a function or an object of named functions, got ${describe(checks)}`);
  }
  const table: Record<string, CheckFn> = {};
  for (const [name, check] of Object.entries(checks)) {
    if (typeof check !== "function")
      throw new TypeError(`checks.${name} must be a function, got ${describe(check)}`);
    table[name] = check as CheckFn;
  }
  if (Object.keys(table).length === 0) throw new RangeError("checks must name at least one check");
  return table;
}

/** The shape of a CheckResult; anything else a check resolves to is a failure. */
function isCheckResult(value: unknown): value is CheckResult {
  if (typeof value !== "object" || value === null) return false;
  const result = value as Record<string, unknown>;
  return (
    typeof result.ok === "boolean" &&
    typeof result.reason === "string" &&
    typeof result.durationMs === "number" &&
    Number.isFinite(result.durationMs) &&
    (result.details === undefined || (typeof result.details === "object" && result.details !== null))
  );
}

function describeResult(value: unknown): string {
  if (typeof value !== "object" || value === null) return describe(value);
  const result = value as Record<string, unknown>;
  const wrong = [
    typeof result.ok === "boolean" ? undefined : "ok is not a boolean",
    typeof result.reason === "string" ? undefined : "reason is not a string",
    typeof result.durationMs === "number" && Number.isFinite(result.durationMs)
      ? undefined
      : "durationMs is not a number",
    result.details === undefined || (typeof result.details === "object" && result.details !== null)
      ? undefined
      : "details is not an object",
  ].filter((entry) => entry !== undefined);
  return wrong.join(", ");
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return describe(error);
  }
}
