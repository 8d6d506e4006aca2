/**
 * The announcer's log: one line per thing that happened, readable text by default
 * (`2026-11-22T21:00:00.123Z UP 203.0.113.1/32 (3 checks passed: HTTP 200) announced MED 100`)
 * or one JSON object per line with --json. Records are plain data so tests compare them directly.
 * @module
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
  /** What we did: announce, withdraw, drain (RFC 8326, withdrawn later), or nothing (a withdrawal of a route never announced). */
  readonly action: "announce" | "withdraw" | "drain" | "none";
  readonly med?: number;
  /** Sessions that carry the route now: Established peers among those it goes to. */
  readonly peersEstablished?: number;
  readonly peersTotal?: number;
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
  readonly peerAs?: number;
  /** Why it went down (or could not come up), in words, with a hint where one helps. */
  readonly reason?: string;
  /** Negotiated on Established. */
  readonly families?: readonly string[];
  readonly holdTime?: number;
}

/** Lifecycle and side jobs: start, shutdown, reload, an --execute command that failed, debug detail. */
export interface NoteRecord {
  readonly event: "start" | "shutdown" | "reload" | "execute" | "error" | "debug";
  readonly atMs: number;
  readonly message: string;
  readonly service?: string;
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

function sessions(record: TransitionRecord): string {
  const { peersEstablished: up, peersTotal: total } = record;
  if (up === undefined || total === undefined) return "";
  const tail = up === 0 ? ": no session Established" : "";
  return ` to ${up} of ${plural(total, "peer")}${tail}`;
}

function what(record: TransitionRecord): string {
  switch (record.action) {
    case "announce":
      return `${record.med === undefined ? "announced" : `announced MED ${record.med}`}${sessions(record)}`;
    case "drain":
      return "draining (GRACEFUL_SHUTDOWN), withdrawn after --drain-time";
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

function peerName(record: PeerRecord): string {
  return record.peerAs === undefined ? record.peer : `${record.peer} (AS${record.peerAs})`;
}

export function formatText(record: LogRecord): string {
  const time = iso(record.atMs);
  switch (record.event) {
    case "up":
    case "down":
    case "disabled":
      return `${time} ${record.event.toUpperCase()} ${record.service} ${record.prefix} ${why(record)} ${what(record)}`;
    case "suppressed":
      return (
        `${time} SUPPRESSED ${record.prefixes.join(" ")} (${record.reason})` +
        (record.releaseAtMs === undefined ? "" : ` until ${iso(record.releaseAtMs)}`)
      );
    case "released":
      return `${time} RELEASED ${record.prefixes.join(" ")} (${record.reason})`;
    case "peer-up": {
      const hold = record.holdTime === undefined ? "" : `, hold time ${record.holdTime} s`;
      const families = record.families === undefined ? "" : `: ${record.families.join(" ")}${hold}`;
      return `${time} PEER ${peerName(record)} established${families}`;
    }
    case "peer-down":
      return `${time} PEER ${peerName(record)} down${record.reason === undefined ? "" : `: ${record.reason}`}`;
    case "start":
    case "shutdown":
    case "reload":
    case "execute":
    case "error":
    case "debug":
      return `${time} ${record.event.toUpperCase()} ${record.service === undefined ? "" : `${record.service}: `}${record.message}`;
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

/** Records that are trouble: they go to stderr, and --silent keeps them. */
export function isTrouble(record: LogRecord): boolean {
  return record.event === "error" || record.event === "execute" || record.event === "peer-down";
}

/**
 * A sink that writes formatted lines: everything to `write` (stdout), except errors, which go to
 * `writeError` when given. "silent" keeps only trouble (errors, failed commands, sessions down);
 * "debug" adds per-round detail, which "info" leaves out.
 */
export function lineSink(
  write: (line: string) => void,
  json: boolean,
  options: { writeError?: (line: string) => void; level?: "silent" | "info" | "debug" } = {},
): LogSink {
  const level = options.level ?? "info";
  return (record) => {
    if (record.event === "debug" && level !== "debug") return;
    const trouble = isTrouble(record);
    if (level === "silent" && !trouble) return;
    const line = `${json ? formatJson(record) : formatText(record)}\n`;
    (record.event === "error" && options.writeError !== undefined ? options.writeError : write)(line);
  };
}
