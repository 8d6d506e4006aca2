import { readFile } from "node:fs/promises";
import { endianness } from "node:os";
import { type CheckOutcome, runWithDeadline } from "./deadline.js";
import { parseProcNetTcp, type SocketRow, TcpState } from "./proc-net-tcp.js";
import type { CheckBaseOptions, CheckResult } from "./types.js";

export interface SocketTableJudgeOptions {
  /** The service's local port. */
  readonly port: number;
  /** Only sockets bound to this local address (canonical text; "0.0.0.0"/"::" wildcards are kept). */
  readonly host?: string;
  /**
   * Fail when a listener's accept queue holds more than this many connections. Either an absolute
   * `limit`, or `backlog` (what the service passed to listen(), capped by net.core.somaxconn) times
   * `fraction` (default 1: the kernel calls the queue full, and drops SYNs, above the backlog).
   * The backlog itself is not in /proc/net/tcp, so it must be told. Omit to report without judging.
   */
  readonly acceptQueue?:
    | { readonly limit: number }
    | { readonly backlog: number; readonly fraction?: number };
  /** Fail when more than this many half-open (SYN_RECV) connections wait on the port. */
  readonly maxSynRecv?: number;
  /**
   * Fail when more than `maxConnections` (default 0) established connections on the port have more
   * than `thresholdBytes` unacknowledged in their send queue: a consumer that stopped reading.
   */
  readonly sendQueue?: { readonly thresholdBytes: number; readonly maxConnections?: number };
}

export interface SocketTableCheckOptions extends SocketTableJudgeOptions, CheckBaseOptions {
  /** Files to read (default /proc/net/tcp and /proc/net/tcp6); a missing one is skipped. */
  readonly files?: readonly { readonly path: string; readonly family: 4 | 6 }[];
}

/** Judges parsed socket rows; pure, so it is tested on captured text. */
export function judgeSocketTable(rows: readonly SocketRow[], options: SocketTableJudgeOptions): CheckOutcome {
  const mine = rows.filter(
    (row) =>
      row.localPort === options.port && (options.host === undefined || row.localAddress === options.host),
  );
  const listeners = mine.filter((row) => row.state === TcpState.LISTEN);
  const synRecv = mine.filter((row) => row.state === TcpState.SYN_RECV).length;
  const established = mine.filter((row) => row.state === TcpState.ESTABLISHED);
  const sendThreshold = options.sendQueue?.thresholdBytes;
  const stuck = sendThreshold === undefined ? [] : established.filter((row) => row.txQueue > sendThreshold);
  const acceptQueue = listeners.reduce((max, row) => Math.max(max, row.rxQueue), 0);
  const limit = acceptQueueLimit(options.acceptQueue);
  const details = {
    listeners: listeners.map((row) => `${row.localAddress}:${row.localPort} queue ${row.rxQueue}`),
    acceptQueue,
    acceptQueueLimit: limit,
    synRecv,
    established: established.length,
    stuck: stuck.map((row) => `${row.remoteAddress}:${row.remotePort} tx ${row.txQueue}`),
  };
  const where = `${options.host ?? "*"}:${options.port}`;
  if (listeners.length === 0) return { ok: false, reason: `nothing listening on ${where}`, details };
  if (limit !== undefined && acceptQueue > limit) {
    return { ok: false, reason: `accept queue ${acceptQueue} > limit ${limit} on ${where}`, details };
  }
  if (options.maxSynRecv !== undefined && synRecv > options.maxSynRecv) {
    return { ok: false, reason: `${synRecv} SYN_RECV > limit ${options.maxSynRecv} on ${where}`, details };
  }
  const maxStuck = options.sendQueue?.maxConnections ?? 0;
  if (stuck.length > maxStuck) {
    return {
      ok: false,
      reason: `${stuck.length} connection(s) with send queue > ${sendThreshold} bytes on ${where}`,
      details,
    };
  }
  return {
    ok: true,
    reason: `listening on ${where}, accept queue ${acceptQueue}, ${synRecv} SYN_RECV, ${established.length} established`,
    details,
  };
}

function acceptQueueLimit(option: SocketTableJudgeOptions["acceptQueue"]): number | undefined {
  if (option === undefined) return undefined;
  if ("limit" in option) return option.limit;
  return Math.floor(option.backlog * (option.fraction ?? 1));
}

const DEFAULT_FILES = [
  { path: "/proc/net/tcp", family: 4 },
  { path: "/proc/net/tcp6", family: 6 },
] as const;

/** Reads the kernel's socket tables and judges the listener on `port` (Linux only). */
export function checkSocketTable(options: SocketTableCheckOptions): Promise<CheckResult> {
  const littleEndian = endianness() === "LE";
  return runWithDeadline(options.timeoutSec ?? 2, options.signal, async (signal) => {
    const rows: SocketRow[] = [];
    let read = 0;
    for (const file of options.files ?? DEFAULT_FILES) {
      try {
        rows.push(
          ...parseProcNetTcp(
            await readFile(file.path, { encoding: "utf8", signal }),
            file.family,
            littleEndian,
          ),
        );
        read++;
      } catch (error) {
        // No IPv6 in the kernel means no tcp6 file; only fail when nothing could be read.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    if (read === 0) return { ok: false, reason: "no socket table readable (not Linux?)" };
    return judgeSocketTable(rows, options);
  });
}
