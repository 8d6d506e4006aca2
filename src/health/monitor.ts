import { access } from "node:fs/promises";
import createDebug from "debug";
import { EventEmitter } from "eventemitter3";
import {
  type GateEvent,
  type GateOptions,
  HealthGate,
  type ReleasedEvent,
  type RoundResult,
  type SuppressedEvent,
  type TransitionEvent,
} from "./gate.js";
import { type HealthStatus, HealthStatusRecorder } from "./status.js";
import { type CheckFn, type CheckResult, type GateState, type HealthClock, REAL_CLOCK } from "./types.js";

const debug = createDebug("bgp:health");

export interface HealthMonitorOptions extends GateOptions {
  /** One check, or several by name: a round passes when every check passes. */
  readonly checks: CheckFn | Readonly<Record<string, CheckFn>>;
  /** Its existence forces DISABLED (maintenance); looked at every round, before the checks. */
  readonly disableFile?: string;
  readonly exists?: (path: string) => boolean | Promise<boolean>;
  readonly clock?: HealthClock;
  /** Aborting it stops the monitor, like stop(). */
  readonly signal?: AbortSignal;
  /** Shown in debug output. */
  readonly name?: string;
}

/** One round's results, for logging and metrics. */
export interface RoundReport extends RoundResult {
  readonly atMs: number;
  readonly results: Readonly<Record<string, CheckResult>>;
}

export interface HealthMonitorEvents {
  up: [TransitionEvent];
  down: [TransitionEvent];
  disabled: [TransitionEvent];
  suppressed: [SuppressedEvent];
  released: [ReleasedEvent];
  /** Every gate event above, in order. */
  event: [GateEvent];
  round: [RoundReport];
  /** A listener threw while handling an event; the monitor keeps running. */
  error: [unknown];
}

const fileExists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Runs the checks on timers at the times the gate asks for and emits the gate's events. */
export class HealthMonitor extends EventEmitter<HealthMonitorEvents> {
  readonly gate: HealthGate;
  readonly name: string;
  private readonly checks: Readonly<Record<string, CheckFn>>;
  private readonly clock: HealthClock;
  private readonly disableFile: string | undefined;
  private readonly exists: (path: string) => boolean | Promise<boolean>;
  private readonly outerSignal: AbortSignal | undefined;
  private running = false;
  private timer: unknown;
  private controller: AbortController | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly onOuterAbort = () => void this.stop();
  private readonly recorder: HealthStatusRecorder;

  constructor(options: HealthMonitorOptions) {
    super();
    this.clock = options.clock ?? REAL_CLOCK;
    this.gate = new HealthGate(options, this.clock.now());
    this.checks = typeof options.checks === "function" ? { check: options.checks } : options.checks;
    if (Object.keys(this.checks).length === 0) throw new RangeError("HealthMonitor needs at least one check");
    this.disableFile = options.disableFile;
    this.exists = options.exists ?? fileExists;
    this.outerSignal = options.signal;
    this.name = options.name ?? Object.keys(this.checks).join("+");
    this.recorder = new HealthStatusRecorder(Object.keys(this.checks), this.clock.now());
  }

  /** State, counters and check latencies now, as plain data (status pages, metrics). */
  status(): HealthStatus {
    return this.recorder.snapshot(this.name, this.gate, this.clock.now());
  }

  get state(): GateState | "init" {
    return this.gate.state;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running || this.outerSignal?.aborted) return;
    this.running = true;
    this.controller = new AbortController();
    this.outerSignal?.addEventListener("abort", this.onOuterAbort, { once: true });
    this.schedule();
  }

  /** Stops the timers, aborts a running round and waits for it to settle. No events after this. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.outerSignal?.removeEventListener("abort", this.onOuterAbort);
    this.clock.clearTimeout(this.timer);
    this.controller?.abort(new Error("health monitor stopped"));
    await this.inFlight;
  }

  private schedule(): void {
    if (!this.running) return;
    const delay = Math.max(0, this.gate.nextWakeMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.inFlight = this.wake().catch((error: unknown) => {
        debug("%s: listener failed: %o", this.name, error);
        this.emit("error", error);
        this.schedule();
      });
    }, delay);
  }

  private async wake(): Promise<void> {
    this.emitAll(this.gate.advance(this.clock.now()));
    if (this.running && this.clock.now() >= this.gate.nextCheckMs) {
      const disabled = this.disableFile !== undefined && (await this.exists(this.disableFile));
      if (!this.running) return;
      if (disabled) {
        this.emitAll(this.gate.observeDisabled(this.clock.now(), `disable file ${this.disableFile} present`));
      } else {
        this.gate.enable();
        const round = await this.runRound();
        if (!this.running) return; // stopped mid-round: an aborted check says nothing about health
        this.recorder.round(round, round.results);
        this.emit("round", round);
        this.emitAll(this.gate.observe(this.clock.now(), round));
      }
    }
    this.schedule();
  }

  private async runRound(): Promise<RoundReport> {
    const signal = this.controller!.signal;
    const names = Object.keys(this.checks);
    const settled = await Promise.all(
      names.map((name) =>
        this.checks[name](signal).catch(
          (error: unknown): CheckResult => ({
            ok: false,
            reason: `check threw: ${error instanceof Error ? error.message : String(error)}`,
            durationMs: 0,
          }),
        ),
      ),
    );
    const results: Record<string, CheckResult> = {};
    names.forEach((name, i) => {
      results[name] = settled[i];
    });
    const failedIndex = settled.findIndex((result) => !result.ok);
    const atMs = this.clock.now();
    if (failedIndex >= 0) {
      const check = names[failedIndex];
      return { ok: false, reason: `${check}: ${settled[failedIndex].reason}`, check, atMs, results };
    }
    if (names.length === 1) return { ok: true, reason: settled[0].reason, check: names[0], atMs, results };
    return { ok: true, reason: `all ${names.length} checks passed`, atMs, results };
  }

  private emitAll(events: readonly GateEvent[]): void {
    for (const event of events) {
      debug("%s: %s %s", this.name, event.type, event.reason);
      if (event.type === "up" || event.type === "down" || event.type === "disabled") {
        this.recorder.transition(event);
      }
      this.emit("event", event);
      switch (event.type) {
        case "up":
        case "down":
        case "disabled":
          this.emit(event.type, event);
          break;
        case "suppressed":
          this.emit("suppressed", event);
          break;
        case "released":
          this.emit("released", event);
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`unknown gate event ${String(unreachable)}`);
        }
      }
    }
  }
}
