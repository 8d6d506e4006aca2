import type { AddressFamily } from "../wire/types.js";
import type { RouteAttributes } from "./route.js";

/**
 * One peer's Adj-RIB-Out (RFC 4271 §3.2): per prefix, what we want the peer to have (`want`) and
 * what the current session has told it (`sent`), plus the prefixes whose two may differ. Changes
 * only mark a prefix; the UPDATE is computed when the wire can take it, from the state at that
 * moment, so bursts of announce/withdraw coalesce and the last state wins.
 *
 * Built for a million routes: one Map entry per prefix holds both states (one hash lookup per
 * route when sending); a new session replays from a cursor over that Map instead of copying a
 * million keys into the pending set; and the pending set is taken whole (swapped for an empty
 * one) rather than deleted from entry by entry, which in V8 leaves holes every later iteration
 * walks past.
 */
export interface DesiredRoute {
  readonly family: AddressFamily;
  readonly attributes: RouteAttributes;
}

interface RibOutEntry {
  family: AddressFamily;
  want: RouteAttributes | null;
  sent: RouteAttributes | null;
}

export interface AnnounceGroup {
  readonly family: AddressFamily;
  readonly attributes: RouteAttributes;
  readonly prefixes: string[];
}

export interface RibChanges {
  /** Announcements grouped by family and attributes (interned, so grouped by object identity). */
  readonly announce: AnnounceGroup[];
  readonly withdraw: Map<AddressFamily, string[]>;
  /** How many prefixes this batch looked at. */
  readonly examined: number;
}

/** next() looked at an entry that needs nothing (it still counts against a batch's limit). */
const SKIP = Symbol("skip");

export class AdjRibOut {
  private readonly entries = new Map<string, RibOutEntry>();
  /** Prefixes marked since the last batch took them. */
  private dirty = new Set<string>();
  /** The batch being worked through, taken whole from `dirty`. */
  private taken: string[] = [];
  private takenAt = 0;
  /**
   * A new session's replay: a live cursor over every entry. Entries it has not reached still hold
   * the previous session's `sent`; it clears them as it goes (so a new session costs nothing up
   * front, however large the table).
   */
  private replay: Iterator<[string, RibOutEntry]> | null = null;
  /**
   * Route refresh (RFC 2918) in progress: a live cursor over every entry that re-sends the routes
   * of the families in `refreshing`. A request for a family already being refreshed is folded in.
   */
  private refreshCursor: Iterator<[string, RibOutEntry]> | null = null;
  private refreshing = new Set<AddressFamily>();
  /** Families requested while a pass for other families ran: they start a pass of their own next. */
  private refreshQueued = new Set<AddressFamily>();
  private sentCount = 0;
  /** Of `sentCount`, IPv6 routes (a prefix never changes family, so this stays exact). */
  private sentV6Count = 0;
  private wantCount = 0;

  set(prefix: string, route: DesiredRoute): void {
    const entry = this.entries.get(prefix);
    if (entry === undefined) {
      this.entries.set(prefix, { family: route.family, want: route.attributes, sent: null });
      this.wantCount++;
      this.dirty.add(prefix);
      return;
    }
    if (entry.want === route.attributes && entry.family === route.family) return;
    if (entry.want === null) this.wantCount++;
    entry.want = route.attributes;
    entry.family = route.family;
    this.dirty.add(prefix);
  }

  delete(prefix: string): void {
    const entry = this.entries.get(prefix);
    if (entry === undefined || entry.want === null) return;
    entry.want = null;
    this.wantCount--;
    if (entry.sent === null) this.entries.delete(prefix);
    else this.dirty.add(prefix);
  }

  /** Every route we want the peer to have. */
  *desired(): IterableIterator<[string, DesiredRoute]> {
    for (const [prefix, entry] of this.entries) {
      if (entry.want !== null) yield [prefix, { family: entry.family, attributes: entry.want }];
    }
  }

  /** Routes we want the peer to have. */
  get desiredCount(): number {
    return this.wantCount;
  }

  /** Routes this session has told the peer. */
  get sentRoutes(): number {
    return this.sentCount;
  }

  /** Routes of one family this session has told the peer. */
  sentRoutesOf(family: AddressFamily): number {
    return family === "ipv6-unicast" ? this.sentV6Count : this.sentCount - this.sentV6Count;
  }

  /** Prefixes that may still need an UPDATE (an upper bound: some turn out unchanged). */
  get pendingCount(): number {
    const walking = this.replay !== null || this.refreshCursor !== null ? this.entries.size : 0;
    return walking + this.dirty.size + (this.taken.length - this.takenAt);
  }

  /** Whether a route refresh of `family` is under way or queued. */
  isRefreshing(family: AddressFamily): boolean {
    return this.refreshing.has(family) || this.refreshQueued.has(family);
  }

  /**
   * A new session knows nothing: forget what was sent and replay everything wanted. O(1): the
   * replay cursor clears each entry's old state when it reaches it.
   */
  resetSession(): void {
    this.sentCount = 0;
    this.sentV6Count = 0;
    this.dirty = new Set();
    this.taken = [];
    this.takenAt = 0;
    this.replay = this.entries.entries();
    // The replay sends everything: a refresh in progress has nothing left to add.
    this.refreshCursor = null;
    this.refreshing = new Set();
    this.refreshQueued = new Set();
  }

  /**
   * Route refresh (RFC 2918): send every route of the family again. O(1) here; the routes go out
   * as the flush walks the table. Returns false when the request was folded into a refresh of
   * that family already under way (its routes from here on are sent anyway) or into a new
   * session's replay.
   */
  resend(family: AddressFamily): boolean {
    if (this.replay !== null) return false;
    if (this.refreshing.has(family) || this.refreshQueued.has(family)) return false;
    if (this.refreshCursor === null) {
      this.refreshing.add(family);
      this.refreshCursor = this.entries.entries();
    } else {
      this.refreshQueued.add(family);
    }
    return true;
  }

  /** The next prefix to look at, SKIP for one looked at and passed over, or undefined when done. */
  private next(): [string, RibOutEntry] | typeof SKIP | undefined {
    if (this.replay !== null) {
      const step = this.replay.next();
      if (!step.done) {
        const [prefix, entry] = step.value;
        // An entry the replay reaches still holds the previous session's state.
        entry.sent = null;
        if (entry.want === null) {
          this.entries.delete(prefix);
          return SKIP;
        }
        return step.value;
      }
      this.replay = null;
    }
    for (;;) {
      if (this.takenAt < this.taken.length) {
        const prefix = this.taken[this.takenAt++];
        const entry = this.entries.get(prefix);
        if (entry !== undefined) return [prefix, entry];
        continue;
      }
      if (this.dirty.size === 0) {
        this.taken = [];
        this.takenAt = 0;
        return this.nextRefreshed();
      }
      this.taken = [...this.dirty];
      this.takenAt = 0;
      this.dirty = new Set();
    }
  }

  /** The refresh pass: the next entry of a family being refreshed, made to be sent again. */
  private nextRefreshed(): [string, RibOutEntry] | typeof SKIP | undefined {
    const cursor = this.refreshCursor;
    if (cursor === null) return undefined;
    const step = cursor.next();
    if (step.done) {
      this.refreshing = this.refreshQueued;
      this.refreshQueued = new Set();
      this.refreshCursor = this.refreshing.size > 0 ? this.entries.entries() : null;
      return SKIP;
    }
    const entry = step.value[1];
    if (!this.refreshing.has(entry.family) || entry.want === null) return SKIP;
    if (entry.sent !== null) {
      entry.sent = null;
      this.sentCount--;
      if (entry.family === "ipv6-unicast") this.sentV6Count--;
    }
    return step.value;
  }

  /**
   * Look at up to `limit` pending prefixes and return what must go on the wire for them; the
   * sent state is updated as though it were sent, so call this only when it will be.
   * `accept` filters routes that cannot go to this peer now (for example no usable next hop):
   * those count as not wanted, so a route the peer holds is withdrawn.
   */
  takeChanges(
    limit: number,
    accept: (prefix: string, family: AddressFamily, attributes: RouteAttributes) => boolean = () => true,
  ): RibChanges {
    // Keyed by the attributes object itself: hashing a key string per route would cost more than
    // everything else done for it.
    const groups: Record<AddressFamily, Map<RouteAttributes, AnnounceGroup>> = {
      "ipv4-unicast": new Map(),
      "ipv6-unicast": new Map(),
    };
    const withdraw: RibChanges["withdraw"] = new Map();
    let examined = 0;
    while (examined < limit) {
      const item = this.next();
      if (item === undefined) break;
      examined++;
      if (item === SKIP) continue;
      const [prefix, entry] = item;
      const want = entry.want;
      if (want !== null && accept(prefix, entry.family, want)) {
        if (entry.sent === want) continue;
        if (entry.sent === null) {
          this.sentCount++;
          if (entry.family === "ipv6-unicast") this.sentV6Count++;
        }
        entry.sent = want;
        const byAttributes = groups[entry.family];
        let group = byAttributes.get(want);
        if (group === undefined) {
          group = { family: entry.family, attributes: want, prefixes: [] };
          byAttributes.set(want, group);
        }
        group.prefixes.push(prefix);
      } else if (entry.sent !== null) {
        // RFC 4271 §9.1.3: withdraw only what this peer was told.
        entry.sent = null;
        this.sentCount--;
        if (entry.family === "ipv6-unicast") this.sentV6Count--;
        if (want === null) this.entries.delete(prefix);
        let list = withdraw.get(entry.family);
        if (list === undefined) {
          list = [];
          withdraw.set(entry.family, list);
        }
        list.push(prefix);
      } else if (want === null) {
        this.entries.delete(prefix);
      }
    }
    const announce = [...groups["ipv4-unicast"].values(), ...groups["ipv6-unicast"].values()];
    return { announce, withdraw, examined };
  }
}
