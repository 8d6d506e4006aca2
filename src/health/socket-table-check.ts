import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { endianness } from "node:os";
import { type CheckOutcome, runWithDeadline } from "./deadline.js";
import { checkBaseOptions, describe, integer, nonEmptyString, port, positiveNumber } from "./options.js";
import { parseProcNetTcp, type SocketRow, TcpState } from "./proc-net-tcp.js";
import type { CheckBaseOptions, CheckResult } from "./types.js";

/** What `checkSocketTable` judges: which sockets are the service's, and the limits that fail it. */
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
    | {
        /** Most connections the queue may hold. */
        readonly limit: number;
      }
    | {
        /** The backlog the service passed to listen(). */
        readonly backlog: number;
        /** Share of the backlog the queue may fill (default 1). */
        readonly fraction?: number;
      };
  /** Fail when more than this many half-open (SYN_RECV) connections wait on the port. */
  readonly maxSynRecv?: number;
  /**
   * Fail when more than `maxConnections` (default 0) established connections on the port have more
   * than `thresholdBytes` unacknowledged in their send queue: a consumer that stopped reading.
   */
  readonly sendQueue?: {
    /** Unacknowledged bytes above which a connection counts as stuck. */
    readonly thresholdBytes: number;
    /** Stuck connections tolerated (default 0). */
    readonly maxConnections?: number;
  };
}

/**
 * Options for `checkSocketTable`.
 * @category Health
 */
export interface SocketTableCheckOptions extends SocketTableJudgeOptions, CheckBaseOptions {
  /** Files to read (default /proc/net/tcp and /proc/net/tcp6); a missing one is skipped. */
  readonly files?: readonly {
    /** Path of a /proc/net/tcp-format file. */
    readonly path: string;
    /** Whether it lists IPv4 or IPv6 sockets. */
    readonly family: 4 | 6;
  }[];
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

const SOCKET_TABLE_KEYS = ["port", "host", "acceptQueue", "maxSynRecv", "sendQueue", "files"];
const MAX_COUNT = 2 ** 31 - 1;

/**
 * Reads the kernel's socket tables and judges the listener on `port` (Linux only). Bad options
 * throw here, at the call (TypeError/RangeError naming the option).
 * @category Health
 */
export function checkSocketTable(options: SocketTableCheckOptions): Promise<CheckResult> {
  const timeoutSec = checkBaseOptions("checkSocketTable", options, SOCKET_TABLE_KEYS, 2);
  validateSocketTableOptions(options);
  const littleEndian = endianness() === "LE";
  return runWithDeadline(timeoutSec, options.signal, async (signal) => {
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

function validateSocketTableOptions(options: SocketTableCheckOptions): void {
  const where = "checkSocketTable";
  port(`${where}: port`, options.port);
  if (options.host !== undefined && isIP(nonEmptyString(`${where}: host`, options.host)) === 0) {
    throw new TypeError(`${where}: host must be an IPv4 or IPv6 address, got ${describe(options.host)}`);
  }
  const queue: unknown = options.acceptQueue;
  if (queue !== undefined) {
    if (typeof queue !== "object" || queue === null) {
      throw new TypeError(
        `${where}: acceptQueue must be { limit } or { backlog, fraction? }, got ${describe(queue)}`,
      );
    }
    if ("limit" in queue) integer(`${where}: acceptQueue.limit`, queue.limit, 0, MAX_COUNT);
    else if ("backlog" in queue) {
      integer(`${where}: acceptQueue.backlog`, queue.backlog, 1, MAX_COUNT);
      if ("fraction" in queue && queue.fraction !== undefined) {
        positiveNumber(`${where}: acceptQueue.fraction`, queue.fraction);
      }
    } else throw new TypeError(`${where}: acceptQueue must be { limit } or { backlog, fraction? }`);
  }
  if (options.maxSynRecv !== undefined) integer(`${where}: maxSynRecv`, options.maxSynRecv, 0, MAX_COUNT);
  const send: unknown = options.sendQueue;
  if (send !== undefined) {
    if (typeof send !== "object" || send === null || !("thresholdBytes" in send)) {
      throw new TypeError(
        `${where}: sendQueue must be { thresholdBytes, maxConnections? }, got ${describe(send)}`,
      );
    }
    integer(`${where}: sendQueue.thresholdBytes`, send.thresholdBytes, 0, MAX_COUNT);
    if ("maxConnections" in send && send.maxConnections !== undefined) {
      integer(`${where}: sendQueue.maxConnections`, send.maxConnections, 0, MAX_COUNT);
    }
  }
  const files: unknown = options.files;
  if (files !== undefined) {
    if (!Array.isArray(files)) throw new TypeError(`${where}: files must be an array of { path, family }`);
    files.forEach((file: { path?: unknown; family?: unknown } | null, i) => {
      nonEmptyString(`${where}: files[${i}].path`, file?.path);
      if (file?.family !== 4 && file?.family !== 6) {
        throw new TypeError(`${where}: files[${i}].family must be 4 or 6, got ${describe(file?.family)}`);
      }
    });
  }
}
