/**
 * Option checks for the health classes and checks. Bad options throw at the call, never later in a
 * timer: a TypeError for the wrong kind of value or an unknown key, a RangeError for a value out of
 * range, each naming the option and what it accepts.
 * @module
 */

import { secondsToMs } from "../clock.js";

/** Longest time any health option takes, in seconds (one day: setTimeout overflows at ~24.8 days). */
export const MAX_SECONDS = 86_400;

/** Rejects keys that are not options (a misspelled `timeoutSeconds` must not be silently ignored). */
export function rejectUnknownKeys(where: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${where}: unknown option "${key}" (accepted: ${allowed.join(", ")})`);
    }
  }
}

export function requireObject(where: string, options: unknown): asserts options is object {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
}

/** Seconds in (0, MAX_SECONDS], or [0, MAX_SECONDS] with `allowZero`; returns milliseconds. */
export function seconds(name: string, value: unknown, allowZero = false): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number of seconds, got ${describe(value)}`);
  }
  if (value > MAX_SECONDS || (allowZero ? value < 0 : value <= 0)) {
    throw new RangeError(
      `${name} must be ${allowZero ? ">= 0" : "> 0"} and <= ${MAX_SECONDS} seconds, got ${value}`,
    );
  }
  return secondsToMs(value);
}

export function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number > 0, got ${describe(value)}`);
  }
  if (value <= 0) throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  return value;
}

export function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`${name} must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

export function optionalFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${name} must be a function, got ${describe(value)}`);
  }
}

export function optionalSignal(name: string, value: unknown): void {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new TypeError(`${name} must be an AbortSignal, got ${describe(value)}`);
  }
}

export function optionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(`${name} must be true or false, got ${describe(value)}`);
  }
}

/** A short, safe description of any value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(value);
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      return value instanceof Promise ? "a promise" : "an object";
  }
}

/**
 * The common part of every check's options: an object with only the known keys, `timeoutSec` in
 * (0, 86400] and `signal` an AbortSignal. Returns the timeout in seconds.
 */
export function checkBaseOptions(
  where: string,
  options: unknown,
  keys: readonly string[],
  defaultTimeoutSec: number,
): number {
  requireObject(where, options);
  rejectUnknownKeys(where, options, [...keys, "timeoutSec", "signal"]);
  const { timeoutSec, signal } = options as { timeoutSec?: unknown; signal?: unknown };
  seconds(`${where}: timeoutSec`, timeoutSec ?? defaultTimeoutSec);
  optionalSignal(`${where}: signal`, signal);
  return (timeoutSec as number | undefined) ?? defaultTimeoutSec;
}

/** A TCP/UDP port, 1 to 65535. */
export function port(name: string, value: unknown): number {
  return integer(name, value, 1, 65_535);
}
