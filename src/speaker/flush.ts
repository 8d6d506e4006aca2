/**
 * The flush loop: Adj-RIB-Out changes turned into UPDATEs batch by batch while the socket keeps
 * up, in time slices that yield to the event loop, then the End-of-RIB and End-of-Route-Refresh
 * markers; and the sliced reporting of a down session's withdrawals.
 * @module
 */

import { RouteRefreshSubtype } from "../wire/constants.js";
import { maxMessageLength } from "../wire/context.js";
import { endOfRib } from "../wire/end-of-rib.js";
import type { AddressFamily, CodecContext, RouteRefreshMessage, UpdateMessage } from "../wire/types.js";
import { Writer } from "../wire/writer.js";
import type { RibChanges } from "./adj-rib-out.js";
import { type PeerView, pathAttributesFor } from "./path-attributes.js";
import { refreshMessage } from "./refresh.js";
import type { RouteAttributes } from "./route.js";
import { packAnnouncements, packWithdrawals } from "./update-packer.js";

/** How many dirty prefixes one flush step turns into UPDATEs before it checks the socket again. */
export const FLUSH_BATCH = 4096;

/**
 * Initial size of the buffer a batch's UPDATEs are written into: FLUSH_BATCH routes fit without
 * growing it for prefixes up to about /112 (IPv6 /48: 7 octets each, IPv4 /24: 4).
 */
const PACK_BUFFER_SIZE = 64 * 1024;

/**
 * Longest a flush runs before it yields to the event loop (setImmediate), so that a table of a
 * million routes going out never holds up other sessions' keepalives and timers.
 */
export const FLUSH_SLICE_MS = 10;

/** Withdraw events reported at once when a session with many routes goes down (FLUSH_SLICE_MS per turn). */
export const REPORT_SLICE = 256;

/** Milliseconds from a monotonic source (performance.now); tests pass their own. */
export type Monotonic = () => number;
const monotonic: Monotonic = () => performance.now();

/** Runs a callback on the next turn of the event loop; tests pass their own. */
export type Defer = (run: () => void) => void;
const nextTurn: Defer = (run) => setImmediate(run);

/** What the flush needs of the Adj-RIB-Out. */
export interface FlushSource {
  readonly pendingCount: number;
  takeChanges(
    limit: number,
    accept: (prefix: string, family: AddressFamily, attributes: RouteAttributes) => boolean,
  ): RibChanges;
}

/** What the flush needs of a live session. */
export interface FlushTarget {
  readonly context: CodecContext;
  readonly view: PeerView;
  /** Whether the socket takes more now; the flush resumes on its "drain" otherwise. */
  writable(): boolean;
  /**
   * Hand `count` UPDATEs, encoded back to back in `bytes`, to the session; false when it went down
   * under our feet (stop, nothing lost: a new session replays the table).
   */
  sendUpdates(bytes: Uint8Array, count: number): boolean;
  /** Whether a route can go on this session (a no withdraws it where the peer holds it). */
  canSend(prefix: string, family: AddressFamily, attributes: RouteAttributes): boolean;
  /** The next hop for routes of `family` that can go (canSend said yes). */
  nextHopFor(family: AddressFamily, explicit: string | undefined): string | null;
  /** The RFC 2545 link-local second next hop, if any. */
  linkLocalFor(family: AddressFamily, explicit: string | undefined): string | undefined;
}

/**
 * How a flush ended: "done" (nothing pending), "blocked" (the socket is full: resume on drain),
 * "yielded" (the time slice ran out: schedule the next), "gone" (the session went down).
 */
export type FlushOutcome = "done" | "blocked" | "yielded" | "gone";

/**
 * Send what `source` says has changed, batch by batch, while the socket keeps up, for at most
 * `sliceMs` (close() passes Infinity: its last changes go before the Cease).
 */
export function flushChanges(
  source: FlushSource,
  target: FlushTarget,
  sliceMs: number,
  now: Monotonic = monotonic,
): FlushOutcome {
  const ctx = target.context;
  const max = maxMessageLength(ctx);
  const started = now();
  const accept = (prefix: string, family: AddressFamily, attributes: RouteAttributes) =>
    target.canSend(prefix, family, attributes);
  while (source.pendingCount > 0) {
    if (!target.writable()) return "blocked";
    if (now() - started > sliceMs) return "yielded";
    const changes = source.takeChanges(FLUSH_BATCH, accept);
    // The batch's UPDATEs go into one buffer, handed to the session whole (see update-packer.ts).
    const out = new Writer(PACK_BUFFER_SIZE);
    let messages = 0;
    for (const [family, prefixes] of changes.withdraw) {
      messages += packWithdrawals(out, family, prefixes, ctx, max);
    }
    for (const group of changes.announce) {
      const explicit = group.attributes.nextHop;
      const nextHop = target.nextHopFor(group.family, explicit);
      // canSend said yes for these attributes, and it judges the same next hop.
      if (nextHop === null) throw new Error(`no next hop for accepted ${group.family} routes`);
      const linkLocal = target.linkLocalFor(group.family, explicit);
      const attributes = pathAttributesFor(group.family, group.attributes, target.view, nextHop, linkLocal);
      messages += packAnnouncements(out, group.family, attributes, group, ctx, max);
    }
    if (messages > 0 && !target.sendUpdates(out.view(), messages)) return "gone";
  }
  return "done";
}

/**
 * The markers that go once the changes before them are out: End-of-Route-Refresh of a refresh
 * being sent (RFC 7313 §4), then End-of-RIB after the initial table (RFC 4724 §2).
 */
export class EndMarkers {
  private endOfRib = new Set<AddressFamily>();
  private readonly endOfRefresh = new Set<AddressFamily>();

  /** A new session: End-of-RIB for each of its families, and no refresh under way. */
  sessionUp(families: readonly AddressFamily[]): void {
    this.endOfRib = new Set(families);
    this.endOfRefresh.clear();
  }

  /** A refresh of `family` began (BoRR sent): EoRR follows the routes. */
  refreshBegun(family: AddressFamily): void {
    this.endOfRefresh.add(family);
  }

  /** Send them all; false when the session went down on the way (what is left stays owed). */
  send(send: (message: UpdateMessage | RouteRefreshMessage) => boolean): boolean {
    for (const family of this.endOfRefresh) {
      if (!send(refreshMessage(family, RouteRefreshSubtype.END))) return false;
    }
    this.endOfRefresh.clear();
    for (const family of this.endOfRib) if (!send(endOfRib(family))) return false;
    this.endOfRib.clear();
    return true;
  }
}

/** Runs `flush` once on the next turn of the event loop, however often it is asked in this one. */
export class FlushScheduler {
  private scheduled = false;
  private readonly run: () => void;
  private readonly defer: Defer;

  constructor(run: () => void, defer: Defer = nextTurn) {
    this.run = run;
    this.defer = defer;
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.run();
    });
  }
}

/**
 * Reports a long list (a down session's withdrawals) a slice at a time, FLUSH_SLICE_MS per turn
 * of the event loop, so a million route events never stall other sessions.
 */
export class SlicedReport<T> {
  private pending: Iterator<T> | null = null;
  private readonly report: (items: T[]) => void;
  private readonly defer: Defer;
  private readonly now: Monotonic;

  constructor(report: (items: T[]) => void, defer: Defer = nextTurn, now: Monotonic = monotonic) {
    this.report = report;
    this.defer = defer;
    this.now = now;
  }

  /** Whether items are still waiting to be reported. */
  get busy(): boolean {
    return this.pending !== null;
  }

  /** Start reporting `items`; what is left of an earlier list goes first, at once. */
  start(items: Iterator<T>): void {
    this.finish();
    this.pending = items;
    const step = () => {
      if (this.pending !== items) return;
      const started = this.now();
      let done = false;
      while (!done && this.now() - started < FLUSH_SLICE_MS) {
        const slice: T[] = [];
        for (let r = items.next(); !r.done; r = items.next()) {
          slice.push(r.value);
          if (slice.length === REPORT_SLICE) break;
        }
        done = slice.length < REPORT_SLICE;
        if (slice.length > 0) this.report(slice);
      }
      if (done) this.pending = null;
      else this.defer(step);
    };
    step();
  }

  /** Report what is left now (before newer events). */
  finish(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    const rest: T[] = [];
    for (let r = pending.next(); !r.done; r = pending.next()) rest.push(r.value);
    if (rest.length > 0) this.report(rest);
  }
}
