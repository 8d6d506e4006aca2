/**
 * The one clock every timer-driven layer (health, session, BFD) runs on; tests inject a fake one.
 * A leaf module: it imports nothing, so any layer may use it.
 * @module
 */

/**
 * Milliseconds since the epoch and one-shot timers; tests inject a fake one.
 * @category Sessions
 */
export interface Clock {
  /** The current time in milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer `setTimeout` returned; a handle that already fired is ignored. */
  clearTimeout(handle: unknown): void;
}

/** The clock on Date.now and the global timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Seconds, the unit of every time in the options, to the milliseconds timers run on: the one
 * place the conversion is written (rounded, so a fraction like 0.3 s is exactly 300 ms).
 */
export function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** Milliseconds, as timers and `now()` count them, back to seconds for reports and messages. */
export function msToSeconds(ms: number): number {
  return ms / 1000;
}
