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

export class AdjRibOut {
  private readonly entries = new Map<string, RibOutEntry>();
  /** Prefixes marked since the last batch took them. */
  private dirty = new Set<string>();
  /** The batch being worked through, taken whole from `dirty`. */
  private taken: string[] = [];
  private takenAt = 0;
  /** A new session's replay: a live cursor over every entry. */
  private replay: Iterator<[string, RibOutEntry]> | null = null;
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
    if (this.replay !== null) return this.entries.size + this.dirty.size;
    return this.dirty.size + (this.taken.length - this.takenAt);
  }

  /** A new session knows nothing: forget what was sent and replay everything wanted. */
  resetSession(): void {
    for (const [prefix, entry] of this.entries) {
      if (entry.want === null) this.entries.delete(prefix);
      else entry.sent = null;
    }
    this.sentCount = 0;
    this.sentV6Count = 0;
    this.dirty = new Set();
    this.taken = [];
    this.takenAt = 0;
    this.replay = this.entries.entries();
  }

  /** Route refresh (RFC 2918): send every route of the family again. */
  resend(family: AddressFamily): void {
    for (const [prefix, entry] of this.entries) {
      if (entry.family !== family || entry.want === null) continue;
      if (entry.sent !== null) {
        entry.sent = null;
        this.sentCount--;
        if (family === "ipv6-unicast") this.sentV6Count--;
      }
      this.dirty.add(prefix);
    }
  }

  /** The next prefix to look at, or undefined when nothing is pending. */
  private next(): [string, RibOutEntry] | undefined {
    if (this.replay !== null) {
      const step = this.replay.next();
      if (!step.done) return step.value;
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
        return undefined;
      }
      this.taken = [...this.dirty];
      this.takenAt = 0;
      this.dirty = new Set();
    }
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
