import { encodePrefix } from "../wire/prefix.js";
import type { AddressFamily } from "../wire/types.js";
import { Writer } from "../wire/writer.js";
import { grown } from "./grown.js";
import type { RouteAttributes } from "./route.js";

/**
 * The Adj-RIBs-Out (RFC 4271 §3.2) of every peer of a speaker, as ONE shared table of wanted routes
 * with per-peer exceptions, so that a route costs the same memory and time whatever the number of
 * peers.
 *
 * - `RibOutTable` holds one entry per prefix: the route wanted for every peer (`want`, set by
 *   `announce()` without `peers`), and what the peers that hold it were told (`sent`, shared by all
 *   of them while they agree).
 * - `AdjRibOut` is one peer's view: its exceptions (`own`: a route announced or withdrawn for this
 *   peer only), one bit per entry saying "this session holds a route for it", and the rare entry
 *   where what it holds differs from the shared `sent` (`sentOwn`).
 * - Changes only mark a prefix, once, in a shared change log that each peer with a live session
 *   reads from its own cursor; the UPDATE is computed when the wire can take it, from the state at
 *   that moment, so bursts of announce/withdraw coalesce and the last state wins. A peer without a
 *   session reads nothing: its next session replays the whole table from a live cursor (O(1) up
 *   front), which also clears what the previous session held as it goes.
 * @module
 */

/** A route the user wants sent: its family and interned attributes. */
export interface DesiredRoute {
  readonly family: AddressFamily;
  readonly attributes: RouteAttributes;
}

/**
 * Entries live in parallel arrays indexed by an id (the prefix Map's value), not in one object per
 * prefix: a million announcements then allocate no per-route object for the garbage collector to
 * copy and promote, and an entry costs about 30 bytes besides its Map slot.
 */
const FREE = 255;
const V4 = 0;
const V6 = 1;

/**
 * Octets per entry in `RibOutTable.nlri`: the prefix as an NLRI entry (RFC 4271 §4.3: a length
 * octet in bits, then the significant octets of the address, up to 16).
 */
export const NLRI_SLOT = 17;

/** Routes of one family that share their attributes, as entry ids of the table. */
export class AnnounceGroup {
  readonly family: AddressFamily;
  readonly attributes: RouteAttributes;
  /** Entry ids; each one's NLRI octets are at `id * NLRI_SLOT` in `nlri`. */
  readonly ids: number[] = [];
  private readonly table: RibOutTable;

  constructor(family: AddressFamily, attributes: RouteAttributes, table: RibOutTable) {
    this.family = family;
    this.attributes = attributes;
    this.table = table;
  }

  /** The table's NLRI octets per entry (valid until the table next creates an entry). */
  get nlri(): Uint8Array {
    return this.table.nlri;
  }

  /** The prefixes as text, made on demand (the flush packs from `ids` and `nlri`). */
  get prefixes(): string[] {
    return this.ids.map((id) => this.table.prefixOf[id]);
  }
}

export interface RibChanges {
  /** Announcements grouped by family and attributes (interned, so grouped by object identity). */
  readonly announce: AnnounceGroup[];
  readonly withdraw: Map<AddressFamily, string[]>;
  /** How many prefixes this batch looked at. */
  readonly examined: number;
}

/** next() looked at an entry that needs nothing (it still counts against a batch's limit). */
const SKIP = -1;
/** next() has nothing left to look at. */
const DONE = -2;

/** The shared table of every peer's Adj-RIB-Out. */
export class RibOutTable {
  /** Prefix to entry id. */
  readonly entries = new Map<string, number>();
  /**
   * Per id: the prefix ("" for an id not in use). Replays and refreshes walk the ids with a plain
   * counter instead of iterating the Map, which costs two objects per entry visited.
   */
  readonly prefixOf: string[] = [];
  /** Per id: V4, V6, or FREE for an id not in use. */
  family = new Uint8Array(1024).fill(FREE);
  /** Per id: wanted for every peer without an exception; null when only exceptions announce it. */
  readonly want: (RouteAttributes | null)[] = [];
  /** Per id: what the holders without a `sentOwn` record were told. */
  readonly sent: (RouteAttributes | null)[] = [];
  /** Per id: peers holding `sent` (bit set and no `sentOwn` record). */
  holders = new Int32Array(1024);
  /** Per id: peers holding anything (bit set) plus peers with an exception; the entry lives while > 0. */
  refs = new Int32Array(1024);
  /** Per id: absolute position in the change log where it was last appended (-1: never). */
  mark = new Float64Array(1024).fill(-1);
  /**
   * Per id, NLRI_SLOT octets: the prefix as it goes on the wire, written once when the entry is
   * made. Every UPDATE that carries the route then copies these octets instead of parsing the
   * text again (per session, per replay, per refresh).
   */
  nlri = new Uint8Array(1024 * NLRI_SLOT);
  private readonly nlriWriter = new Writer(NLRI_SLOT);
  /** Peer views, in no particular order. */
  readonly views: AdjRibOut[] = [];
  /** Prefixes changed, read by live views from their cursors; `logBase` is log[0]'s position. */
  log: string[] = [];
  logBase = 0;
  /** Entries whose `want` is set. */
  globalWant = 0;
  /** Exceptions over all views (when 0, a global change has none to clear). */
  exceptions = 0;
  private nextId = 0;
  private readonly freeIds: number[] = [];
  /** Whether any view reads the log. */
  private liveViews = 0;

  /** Whether any peer has a session reading changes (else nothing needs flushing now). */
  get hasLiveViews(): boolean {
    return this.liveViews > 0;
  }

  /** Ids in use are below this. */
  get idLimit(): number {
    return this.nextId;
  }

  /** Whether `id` is not in use. */
  isFree(id: number): boolean {
    return this.family[id] === FREE;
  }

  /** The family of entry `id`. */
  familyOf(id: number): AddressFamily {
    return this.family[id] === V6 ? "ipv6-unicast" : "ipv4-unicast";
  }

  /** Every route announced for all peers. */
  *globalRoutes(): IterableIterator<[string, DesiredRoute]> {
    for (const [prefix, id] of this.entries) {
      const want = this.want[id];
      if (want !== null) yield [prefix, { family: this.familyOf(id), attributes: want }];
    }
  }

  /** Announce for every peer: replaces any per-peer exception for the prefix. */
  setGlobal(prefix: string, route: DesiredRoute, nlri: Uint8Array | null = null): void {
    let id = this.entries.get(prefix);
    if (id === undefined) {
      id = this.create(prefix, route.family, nlri);
    } else if (this.exceptions > 0) {
      this.clearExceptions(prefix, id);
    }
    const want = this.want[id];
    if (want === route.attributes) return; // a prefix's text fixes its family
    if (want === null) this.globalWant++;
    this.want[id] = route.attributes;
    this.changed(prefix, id);
  }

  /** Withdraw from every peer (and drop every exception for the prefix). */
  deleteGlobal(prefix: string): void {
    const id = this.entries.get(prefix);
    if (id === undefined) return;
    if (this.exceptions > 0) this.clearExceptions(prefix, id);
    if (this.want[id] === null) return;
    this.want[id] = null;
    this.globalWant--;
    this.changed(prefix, id);
    this.release(prefix, id);
  }

  /** Replace the global attributes of `prefix` (or every prefix) without touching exceptions. */
  mapGlobal(only: string | undefined, f: (a: RouteAttributes) => RouteAttributes): void {
    const visit = (prefix: string, id: number) => {
      const want = this.want[id];
      if (want === null) return;
      const next = f(want);
      if (next === want) return;
      this.want[id] = next;
      this.changed(prefix, id);
    };
    if (only !== undefined) {
      const id = this.entries.get(only);
      if (id !== undefined) visit(only, id);
      return;
    }
    for (const [prefix, id] of this.entries) visit(prefix, id);
  }

  /** @internal */
  get(prefix: string): number | undefined {
    return this.entries.get(prefix);
  }

  /** @internal */
  create(prefix: string, family: AddressFamily, nlri: Uint8Array | null = null): number {
    // First, so that text that is not a prefix of the family throws before anything changes.
    // `nlri`, when given, is the entry canonicalPrefixInto wrote from the same text.
    const writer = this.nlriWriter;
    if (nlri === null) {
      writer.truncate(0);
      encodePrefix(writer, prefix, family);
    }
    let id: number;
    if (this.freeIds.length > 0) {
      id = this.freeIds.pop() as number;
      this.want[id] = null;
      this.sent[id] = null;
      this.prefixOf[id] = prefix;
    } else {
      id = this.nextId++;
      if (id >= this.family.length) this.grow();
      this.want.push(null);
      this.sent.push(null);
      this.prefixOf.push(prefix);
    }
    this.family[id] = family === "ipv6-unicast" ? V6 : V4;
    this.holders[id] = 0;
    this.refs[id] = 0;
    this.mark[id] = -1;
    const at = id * NLRI_SLOT;
    if (nlri === null) {
      for (let i = 0; i < writer.offset; i++) this.nlri[at + i] = writer.getU8(i);
    } else {
      const octets = 1 + ((nlri[0] + 7) >> 3);
      for (let i = 0; i < octets; i++) this.nlri[at + i] = nlri[i];
    }
    this.entries.set(prefix, id);
    return id;
  }

  private grow(): void {
    const old = this.family.length;
    const n = old * 2;
    this.family = grown(this.family, n).fill(FREE, old);
    this.holders = grown(this.holders, n);
    this.refs = grown(this.refs, n);
    this.mark = grown(this.mark, n).fill(-1, old);
    this.nlri = grown(this.nlri, n * NLRI_SLOT);
  }

  /** @internal Drop the entry if nothing wants or holds it any more. */
  release(prefix: string, id: number): void {
    if (this.want[id] !== null || this.refs[id] > 0 || this.family[id] === FREE) return;
    this.entries.delete(prefix);
    this.family[id] = FREE;
    this.want[id] = null;
    this.sent[id] = null;
    this.prefixOf[id] = "";
    this.freeIds.push(id);
  }

  /** @internal Append to the change log, unless every live view has it ahead of its cursor. */
  changed(prefix: string, id: number): void {
    if (this.liveViews === 0) return;
    if (this.mark[id] >= this.maxCursorCache) return;
    this.mark[id] = this.logBase + this.log.length;
    this.log.push(prefix);
  }

  /** @internal */
  setLive(delta: number): void {
    this.liveViews += delta;
    if (this.liveViews === 0) {
      this.logBase += this.log.length;
      this.log = [];
    }
  }

  /** The furthest live cursor, recomputed when cursors move (not per change). */
  private maxCursorCache = 0;

  /** @internal A view's cursor moved (or a view came or went): trim what every view has read. */
  cursorsMoved(): void {
    let min = this.logBase + this.log.length;
    let max = this.logBase;
    for (const v of this.views) {
      if (!v.live) continue;
      if (v.cursor < min) min = v.cursor;
      if (v.cursor > max) max = v.cursor;
    }
    this.maxCursorCache = max;
    const drop = min - this.logBase;
    if (drop > 0 && (drop === this.log.length || drop >= 4096)) {
      this.log = drop === this.log.length ? [] : this.log.slice(drop);
      this.logBase = min;
    }
  }

  private clearExceptions(prefix: string, id: number): void {
    for (const v of this.views) v.dropException(prefix, id);
  }
}

export class AdjRibOut {
  /** @internal */
  readonly table: RibOutTable;
  /** A table of its own (tests, a single peer): set() and delete() are global there. */
  private readonly privateTable: boolean;
  /** Routes announced (attributes) or withdrawn (null) for this peer only. */
  private readonly own = new Map<string, RouteAttributes | null>();
  /** @internal desiredCount minus the table's globalWant, from exceptions. */
  ownDelta = 0;
  /** One bit per entry id: this session holds a route for it. */
  private held = new Uint8Array(1024);
  /** Held routes whose attributes differ from the entry's shared `sent`. */
  private readonly sentOwn = new Map<string, RouteAttributes>();
  /** @internal Whether a session reads the change log. */
  live = false;
  /** @internal Absolute position in the table's change log. */
  cursor = 0;
  /**
   * A new session's replay: the next entry id it looks at (-1: none under way), a live cursor over
   * every entry. Entries it has not reached may still be marked held by the previous session; it
   * clears them as it goes (so a new session costs nothing up front, however large the table).
   * An entry created behind the cursor is in the change log, so nothing is missed.
   */
  private replayAt = -1;
  /**
   * Route refresh (RFC 2918) in progress: the next entry id of a live cursor over every entry that
   * re-sends the routes of the families in `refreshing` (-1: none). A request for a family already
   * being refreshed is folded in.
   */
  private refreshAt = -1;
  private refreshing = new Set<AddressFamily>();
  /** Families requested while a pass for other families ran: they start a pass of their own next. */
  private refreshQueued = new Set<AddressFamily>();
  private sentCount = 0;
  /** Of `sentCount`, IPv6 routes (a prefix never changes family, so this stays exact). */
  private sentV6Count = 0;

  /**
   * A view of `table` (one peer of a speaker), or, without one, an Adj-RIB-Out of its own whose
   * session is taken to be up.
   */
  constructor(table?: RibOutTable) {
    this.privateTable = table === undefined;
    this.table = table ?? new RibOutTable();
    this.table.views.push(this);
    if (this.privateTable) this.goLive();
  }

  /** Announce `route` to this peer (an exception to the shared table, unless it is our own). */
  set(prefix: string, route: DesiredRoute): void {
    const t = this.table;
    if (this.privateTable) {
      t.setGlobal(prefix, route);
      return;
    }
    let id = t.get(prefix);
    if (id === undefined) id = t.create(prefix, route.family);
    const before = this.wantOf(prefix, id);
    if (before === route.attributes) return;
    if (!this.own.has(prefix)) {
      t.refs[id]++;
      t.exceptions++;
    }
    this.own.set(prefix, route.attributes);
    if (before === null) this.ownDelta++;
    t.changed(prefix, id);
  }

  /** Withdraw from this peer only. */
  delete(prefix: string): void {
    const t = this.table;
    if (this.privateTable) {
      t.deleteGlobal(prefix);
      return;
    }
    const id = t.get(prefix);
    if (id === undefined || this.wantOf(prefix, id) === null) return;
    this.ownDelta--;
    if (t.want[id] === null) {
      this.own.delete(prefix);
      t.refs[id]--;
      t.exceptions--;
    } else {
      if (!this.own.has(prefix)) {
        t.refs[id]++;
        t.exceptions++;
      }
      this.own.set(prefix, null);
    }
    t.changed(prefix, id);
    t.release(prefix, id);
  }

  /** @internal A global change for `prefix`: this view's exception, if any, goes. */
  dropException(prefix: string, id: number): void {
    if (this.own.size === 0) return;
    const own = this.own.get(prefix);
    if (own === undefined) return;
    const t = this.table;
    this.own.delete(prefix);
    t.refs[id]--;
    t.exceptions--;
    // ownDelta sums, over exceptions, (own wanted ? 1 : 0) - (globally wanted ? 1 : 0).
    this.ownDelta -= (own !== null ? 1 : 0) - (t.want[id] !== null ? 1 : 0);
    t.changed(prefix, id);
  }

  /** Replace this peer's own (exception) attributes of `prefix` or of every prefix. */
  mapOwn(only: string | undefined, f: (a: RouteAttributes) => RouteAttributes): void {
    for (const [prefix, a] of this.own) {
      if (a === null || (only !== undefined && prefix !== only)) continue;
      const next = f(a);
      if (next === a) continue;
      this.own.set(prefix, next);
      const id = this.table.get(prefix);
      if (id !== undefined) this.table.changed(prefix, id);
    }
  }

  /** What this peer should have for `prefix`. */
  private wantOf(prefix: string, id: number): RouteAttributes | null {
    if (this.own.size === 0) return this.table.want[id];
    const own = this.own.get(prefix);
    return own === undefined ? this.table.want[id] : own;
  }

  /** Every route we want the peer to have. */
  *desired(): IterableIterator<[string, DesiredRoute]> {
    for (const [prefix, id] of this.table.entries) {
      const want = this.wantOf(prefix, id);
      if (want !== null) yield [prefix, { family: this.table.familyOf(id), attributes: want }];
    }
  }

  /** The route this peer should have for `prefix`, if any. */
  desiredRoute(prefix: string): DesiredRoute | undefined {
    const id = this.table.get(prefix);
    if (id === undefined) return undefined;
    const want = this.wantOf(prefix, id);
    return want === null ? undefined : { family: this.table.familyOf(id), attributes: want };
  }

  /** Routes we want the peer to have. */
  get desiredCount(): number {
    return this.table.globalWant + this.ownDelta;
  }

  /** Routes this session has told the peer. */
  get sentRoutes(): number {
    return this.sentCount;
  }

  /** Routes of one family this session has told the peer. */
  sentRoutesOf(family: AddressFamily): number {
    return family === "ipv6-unicast" ? this.sentV6Count : this.sentCount - this.sentV6Count;
  }

  /**
   * Prefixes that may still need an UPDATE (an upper bound: some turn out unchanged). Without a
   * session: every route wanted (the next session's replay).
   */
  get pendingCount(): number {
    if (!this.live) return this.desiredCount;
    const t = this.table;
    const walking = this.replayAt >= 0 || this.refreshAt >= 0 ? t.entries.size : 0;
    return walking + (t.logBase + t.log.length - this.cursor);
  }

  /** Whether a route refresh of `family` is under way or queued. */
  isRefreshing(family: AddressFamily): boolean {
    return this.refreshing.has(family) || this.refreshQueued.has(family);
  }

  private goLive(): void {
    const t = this.table;
    if (!this.live) {
      this.live = true;
      t.setLive(1);
    }
    this.cursor = t.logBase + t.log.length;
    t.cursorsMoved();
  }

  /**
   * A new session knows nothing: forget what was sent and replay everything wanted. O(1): the
   * replay cursor clears each entry's old state when it reaches it.
   */
  resetSession(): void {
    this.sentCount = 0;
    this.sentV6Count = 0;
    this.goLive();
    this.replayAt = this.table.entries.size > 0 ? 0 : -1;
    // The replay sends everything: a refresh in progress has nothing left to add.
    this.refreshAt = -1;
    this.refreshing = new Set();
    this.refreshQueued = new Set();
  }

  /** The session is gone: stop reading changes until the next one replays the table. */
  sessionDown(): void {
    if (!this.live) return;
    this.live = false;
    this.replayAt = -1;
    this.refreshAt = -1;
    this.refreshing = new Set();
    this.refreshQueued = new Set();
    this.table.setLive(-1);
    this.table.cursorsMoved();
  }

  /** The peer is removed: give back everything it holds in the shared table. */
  detach(): void {
    this.sessionDown();
    const t = this.table;
    const i = t.views.indexOf(this);
    if (i >= 0) t.views.splice(i, 1);
    // By id, not over the Map: no copy of the entries and no object per entry.
    for (let id = 0; id < t.idLimit; id++) {
      if (t.isFree(id)) continue;
      const prefix = t.prefixOf[id];
      if (this.isHeld(id)) this.clearHeld(prefix, id);
      if (this.own.size > 0 && this.own.has(prefix)) {
        this.own.delete(prefix);
        t.refs[id]--;
        t.exceptions--;
      }
      t.release(prefix, id);
    }
    t.cursorsMoved();
  }

  /**
   * Route refresh (RFC 2918): send every route of the family again. O(1) here; the routes go out
   * as the flush walks the table. Returns false when the request was folded into a refresh of
   * that family already under way (its routes from here on are sent anyway) or into a new
   * session's replay.
   */
  resend(family: AddressFamily): boolean {
    if (this.replayAt >= 0) return false;
    if (this.refreshing.has(family) || this.refreshQueued.has(family)) return false;
    if (this.refreshAt < 0) {
      this.refreshing.add(family);
      this.refreshAt = 0;
    } else {
      this.refreshQueued.add(family);
    }
    return true;
  }

  private isHeld(id: number): boolean {
    return id >> 3 < this.held.length && (this.held[id >> 3] & (1 << (id & 7))) !== 0;
  }

  /** What this session was told for the entry (null: nothing). */
  private sentOf(prefix: string, id: number): RouteAttributes | null {
    if (!this.isHeld(id)) return null;
    if (this.sentOwn.size > 0) {
      const own = this.sentOwn.get(prefix);
      if (own !== undefined) return own;
    }
    return this.table.sent[id];
  }

  /** Forget that this session holds the entry (no counters: the caller keeps those). */
  private clearHeld(prefix: string, id: number): void {
    const t = this.table;
    this.held[id >> 3] &= ~(1 << (id & 7));
    t.refs[id]--;
    if (this.sentOwn.size > 0 && this.sentOwn.delete(prefix)) return;
    if (--t.holders[id] === 0) t.sent[id] = null;
  }

  /** Record that this session was told `attributes` for the entry (it held nothing before). */
  private setHeld(prefix: string, id: number, attributes: RouteAttributes): void {
    const t = this.table;
    const byte = id >> 3;
    if (byte >= this.held.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.held.length * 2));
      grown.set(this.held);
      this.held = grown;
    }
    this.held[byte] |= 1 << (id & 7);
    t.refs[id]++;
    if (t.holders[id] === 0) {
      t.sent[id] = attributes;
      t.holders[id] = 1;
    } else if (t.sent[id] === attributes) {
      t.holders[id]++;
    } else if (attributes === t.want[id]) {
      // The shared state follows the global route: the peers still holding the old one keep it
      // as their own until they are told the new one.
      const old = t.sent[id] as RouteAttributes;
      for (const v of t.views) {
        if (v !== this && v.isHeld(id) && !v.sentOwn.has(prefix)) v.sentOwn.set(prefix, old);
      }
      t.sent[id] = attributes;
      t.holders[id] = 1;
    } else {
      this.sentOwn.set(prefix, attributes);
    }
  }

  /** The id of the next entry to look at, SKIP for one looked at and passed over, or DONE. */
  private next(): number {
    const t = this.table;
    if (this.replayAt >= 0) {
      while (this.replayAt < t.idLimit) {
        const id = this.replayAt++;
        if (t.isFree(id)) continue;
        const prefix = t.prefixOf[id];
        // An entry the replay reaches may still be held by the previous session.
        if (this.isHeld(id)) this.clearHeld(prefix, id);
        if (this.wantOf(prefix, id) === null) {
          t.release(prefix, id);
          return SKIP;
        }
        return id;
      }
      this.replayAt = -1;
    }
    while (this.cursor < t.logBase + t.log.length) {
      const prefix = t.log[this.cursor++ - t.logBase];
      const id = t.get(prefix);
      if (id !== undefined) return id;
    }
    return this.nextRefreshed();
  }

  /** The refresh pass: the next entry of a family being refreshed, made to be sent again. */
  private nextRefreshed(): number {
    if (this.refreshAt < 0) return DONE;
    const t = this.table;
    if (this.refreshAt >= t.idLimit) {
      this.refreshing = this.refreshQueued;
      this.refreshQueued = new Set();
      this.refreshAt = this.refreshing.size > 0 ? 0 : -1;
      return SKIP;
    }
    const id = this.refreshAt++;
    if (t.isFree(id)) return SKIP;
    const prefix = t.prefixOf[id];
    if (!this.refreshing.has(t.familyOf(id)) || this.wantOf(prefix, id) === null) return SKIP;
    if (this.isHeld(id)) {
      this.clearHeld(prefix, id);
      this.sentCount--;
      if (t.family[id] === V6) this.sentV6Count--;
    }
    return id;
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
    const t = this.table;
    let examined = 0;
    // Routes come in runs that share their attributes: the last group is found without a lookup.
    let last = null as AnnounceGroup | null;
    while (examined < limit) {
      const id = this.next();
      if (id === DONE) break;
      examined++;
      if (id === SKIP) continue;
      const prefix = t.prefixOf[id];
      const family = t.familyOf(id);
      const want = this.wantOf(prefix, id);
      const sent = this.sentOf(prefix, id);
      if (want !== null && accept(prefix, family, want)) {
        if (sent === want) continue;
        if (sent === null) {
          this.sentCount++;
          if (family === "ipv6-unicast") this.sentV6Count++;
        } else {
          this.clearHeld(prefix, id);
        }
        this.setHeld(prefix, id, want);
        if (last === null || last.attributes !== want || last.family !== family) {
          const byAttributes: Map<RouteAttributes, AnnounceGroup> = groups[family];
          let group: AnnounceGroup | undefined = byAttributes.get(want);
          if (group === undefined) {
            group = new AnnounceGroup(family, want, t);
            byAttributes.set(want, group);
          }
          last = group;
        }
        last.ids.push(id);
      } else if (sent !== null) {
        // RFC 4271 §9.1.3: withdraw only what this peer was told.
        this.clearHeld(prefix, id);
        this.sentCount--;
        if (family === "ipv6-unicast") this.sentV6Count--;
        t.release(prefix, id);
        let list = withdraw.get(family);
        if (list === undefined) {
          list = [];
          withdraw.set(family, list);
        }
        list.push(prefix);
      } else {
        t.release(prefix, id);
      }
    }
    this.table.cursorsMoved();
    const announce = [...groups["ipv4-unicast"].values(), ...groups["ipv6-unicast"].values()];
    return { announce, withdraw, examined };
  }
}
