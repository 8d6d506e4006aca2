import { secondsToMs } from "../clock.js";

/**
 * What every health check returns: plain data, never an exception for a failing target.
 * @category Health
 */
export interface CheckResult {
  /** The check passed. */
  readonly ok: boolean;
  /** Human-readable: why it failed, or what was seen when it passed. */
  readonly reason: string;
  /** How long the check took, ms. */
  readonly durationMs: number;
  /** Check-specific numbers (status code, queue lengths …) for logs and status pages. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * A check ready to run: the monitor passes a signal that aborts when it stops.
 * @category Health
 */
export type CheckFn = (signal: AbortSignal) => Promise<CheckResult>;

/**
 * Options every check takes.
 * @category Health
 */
export interface CheckBaseOptions {
  /** Seconds before the check gives up and reports a failure (fractions allowed). */
  readonly timeoutSec?: number;
  /** Aborting it ends the check at once, as a failure. */
  readonly signal?: AbortSignal;
}

/**
 * The published states of a gate.
 * @category Health
 */
export type GateState = "up" | "down" | "disabled";

/** Seconds in the public options, milliseconds inside. */
export function secToMs(name: string, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`${name} must be a finite number of seconds >= 0, got ${seconds}`);
  }
  return secondsToMs(seconds);
}
