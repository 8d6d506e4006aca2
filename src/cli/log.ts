/**
 * The announcer's log: one line per thing that happened, readable text by default
 * (`2026-11-22T21:00:00.123Z UP 203.0.113.1/32 (3 checks passed: HTTP 200) announced MED 100`)
 * or one JSON object per line with --json. Records are plain data so tests compare them directly.
 */

/** A prefix changed state because its service's gate published a transition. */
export interface TransitionRecord {
  readonly event: "up" | "down" | "disabled";
  readonly atMs: number;
  readonly service: string;
  readonly prefix: string;
  readonly from: "up" | "down" | "disabled" | "init";
  readonly reason: string;
  readonly check?: string;
  /** Consecutive rounds that decided it (rise for UP, fall for DOWN). */
  readonly rounds?: number;
  readonly delayedBy?: "hold-down" | "dampening";
  /** What we did: announce, withdraw, or nothing (a withdrawal of a route never announced). */
  readonly action: "announce" | "withdraw" | "none";
  readonly med?: number;
}

/** Dampening started or stopped holding a service's UP back. */
export interface DampeningRecord {
  readonly event: "suppressed" | "released";
  readonly atMs: number;
  readonly service: string;
  readonly prefixes: readonly string[];
  readonly reason: string;
  readonly penalty: number;
  readonly releaseAtMs?: number;
}

export interface PeerRecord {
  readonly event: "peer-up" | "peer-down";
  readonly atMs: number;
  readonly peer: string;
  readonly reason?: string;
}

/** Lifecycle and side jobs: start, shutdown, an --execute command that failed. */
export interface NoteRecord {
  readonly event: "start" | "shutdown" | "execute" | "error";
  readonly atMs: number;
  readonly message: string;
}

export type LogRecord = TransitionRecord | DampeningRecord | PeerRecord | NoteRecord;

const iso = (ms: number): string => new Date(ms).toISOString();

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "HTTP 200", "tcp connected to …", or the reason as is when it already names its check ("http: …"). */
function describeReason(reason: string, check: string | undefined): string {
  if (check === undefined || reason.startsWith(`${check}:`) || reason.startsWith(`${check} `)) return reason;
  const status = check === "http" ? /^status (\d+)$/.exec(reason) : null;
  if (status !== null) return `HTTP ${status[1]}`;
  return `${check} ${reason}`;
}

function why(record: TransitionRecord): string {
  const reason = describeReason(record.reason, record.check);
  const held = record.delayedBy === undefined ? "" : `, after ${record.delayedBy}`;
  if (record.rounds === undefined || record.event === "disabled") return `(${reason}${held})`;
  const counted = plural(record.rounds, "check");
  return `(${counted} ${record.event === "up" ? "passed" : "failed"}: ${reason}${held})`;
}

function what(record: TransitionRecord): string {
  switch (record.action) {
    case "announce":
      return record.med === undefined ? "announced" : `announced MED ${record.med}`;
    case "withdraw":
      return "withdrawn";
    case "none":
      return "not announced";
    default: {
      const unreachable: never = record.action;
      return String(unreachable);
    }
  }
}

export function formatText(record: LogRecord): string {
  const time = iso(record.atMs);
  switch (record.event) {
    case "up":
    case "down":
    case "disabled":
      return `${time} ${record.event.toUpperCase()} ${record.prefix} ${why(record)} ${what(record)}`;
    case "suppressed":
      return (
        `${time} SUPPRESSED ${record.prefixes.join(" ")} (${record.reason})` +
        (record.releaseAtMs === undefined ? "" : ` until ${iso(record.releaseAtMs)}`)
      );
    case "released":
      return `${time} RELEASED ${record.prefixes.join(" ")} (${record.reason})`;
    case "peer-up":
      return `${time} PEER ${record.peer} established`;
    case "peer-down":
      return `${time} PEER ${record.peer} down${record.reason === undefined ? "" : ` (${record.reason})`}`;
    case "start":
    case "shutdown":
    case "execute":
    case "error":
      return `${time} ${record.event.toUpperCase()} ${record.message}`;
    default: {
      const unreachable: never = record;
      return String(unreachable);
    }
  }
}

/** One JSON object: `time` (ISO) first, `atMs` dropped, the rest as recorded. */
export function formatJson(record: LogRecord): string {
  const { atMs, ...rest } = record;
  const out: Record<string, unknown> = { time: iso(atMs), ...rest };
  if ("releaseAtMs" in rest && rest.releaseAtMs !== undefined) {
    delete out.releaseAtMs;
    out.releaseAt = iso(rest.releaseAtMs);
  }
  return JSON.stringify(out);
}

export type LogSink = (record: LogRecord) => void;

/** A sink that writes formatted lines to a stream-like `write`. */
export function lineSink(write: (line: string) => void, json: boolean): LogSink {
  return (record) => write(`${json ? formatJson(record) : formatText(record)}\n`);
}
