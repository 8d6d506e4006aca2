/**
 * The routes of one address family received from one peer, keyed by their wire octets: an
 * insertion-ordered hash table over typed arrays (the layout of V8's own ordered tables and of
 * CPython's compact dict). Entries are appended to parallel arrays (address words, path id, a
 * flags word, the index of the route's group); an open-addressing index of entry numbers finds
 * them. A route costs 26 bytes for IPv4 and 38 for IPv6 when the arrays are full (up to twice that
 * just after they double), and no object or string: prefix text is made only when a route is
 * listed or reported.
 *
 * Iteration follows insertion order, with a replaced route keeping its place, as a Map's does.
 * @module
 */
import type { NlriField } from "../wire/deferred-nlri.js";
import { formatIpv4Prefix, formatIpv6Prefix } from "../wire/prefix.js";
import type { AddressFamily, PathAttributes } from "../wire/types.js";
import { grown } from "./grown.js";

/**
 * A route received from a peer, as plain data.
 * @category Speaker
 */
export interface ReceivedRoute {
  /** The route's family. */
  readonly family: AddressFamily;
  /** The prefix, canonical text. */
  readonly prefix: string;
  /** The ADD-PATH path identifier, when the family receives ADD-PATH. */
  readonly pathId?: number;
  /** The UPDATE's attributes, without MP_REACH/MP_UNREACH (their content is in prefix and nextHop). */
  readonly attributes: PathAttributes;
  /** The next hop for this route: NEXT_HOP for classic IPv4, the MP_REACH next hop otherwise. */
  readonly nextHop: string | undefined;
}

/** A change to a peer's Adj-RIB-In, in wire order. */
export type RibInChange =
  | { readonly type: "announce"; readonly route: ReceivedRoute }
  | {
      readonly type: "withdraw";
      readonly family: AddressFamily;
      readonly prefix: string;
      readonly pathId?: number;
    };

/** What the routes of one UPDATE (of one family) share: stored once, referenced by each route. */
export interface RouteGroup {
  readonly attributes: PathAttributes;
  readonly nextHop: string | undefined;
}

// The flags word of an entry. Length and path-id presence are part of the key ("10.0.0.0/8" and
// "10.0.0.0/8" with path id 0 are different routes, as they were as "prefix#pathId" text keys).
const LENGTH_BITS = 0xff;
const HAS_PATH_ID = 0x100;
const KEY_BITS = LENGTH_BITS | HAS_PATH_ID;
const STALE = 0x200;
const LIVE = 0x400;

/**
 * An index slot is a pair of int32s, the key's full hash and then entry number + 1, side by side so
 * that a probe reads one cache line: a probe that meets another key is told apart by the hash without
 * reading the entry (a cache miss on a big table), and growing the index walks the old one in order
 * (see `grow`) instead of rehashing every entry into random places. The index has twice as many
 * slots as the arrays have entries. Entry number + 1 is 0 in an empty slot and -1 in a deleted one.
 */
const EMPTY = 0;
const DELETED = -1;

const INITIAL_CAPACITY = 8;

/** Keys parsed and looked up together (applyField). */
const BATCH = 64;

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return h ^ (h >>> 16);
}

export class PrefixTable {
  readonly family: AddressFamily;
  /** 32-bit words of an address: 1 for IPv4, 4 for IPv6. */
  private readonly words: number;
  private capacity = INITIAL_CAPACITY;
  private addresses: Uint32Array;
  /** Allocated once a route with a path id arrives (ADD-PATH); most peers never send one. */
  private pathIds: Uint32Array | null = null;
  private flags: Uint16Array;
  private groupOf: Uint32Array;
  /** Entries appended so far, deleted ones included (they are squeezed out when the arrays fill). */
  private used = 0;
  private live = 0;
  private stale = 0;
  /** Pairs (hash, entry number + 1); see EMPTY. */
  private slots: Int32Array;
  /** Slots in the index - 1 (a power of two - 1). */
  private mask: number;
  /** The batch being filed (applyField): address words, flags, path ids and hashes of its keys. */
  private readonly batchKeys: Uint32Array;
  private readonly batchFlags = new Uint16Array(BATCH);
  private readonly batchPathIds = new Uint32Array(BATCH);
  private readonly batchHashes = new Int32Array(BATCH);
  /** What the batch's index reads found, stored so that the compiler keeps the reads. */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: written only, on purpose (see above)
  private touched = 0;
  private groups: (RouteGroup | undefined)[] = [];
  private groupRefs: number[] = [];
  private freeGroups: number[] = [];
  private readonly text = new Uint8Array(16);

  constructor(family: AddressFamily) {
    this.family = family;
    this.words = family === "ipv4-unicast" ? 1 : 4;
    this.batchKeys = new Uint32Array(BATCH * this.words);
    this.addresses = new Uint32Array(this.capacity * this.words);
    this.flags = new Uint16Array(this.capacity);
    this.groupOf = new Uint32Array(this.capacity);
    this.slots = new Int32Array(this.capacity * 4);
    this.mask = this.capacity * 2 - 1;
  }

  get size(): number {
    return this.live;
  }

  get staleCount(): number {
    return this.stale;
  }

  /** Register the group of one UPDATE's routes; `release` it after the UPDATE if no route took it. */
  addGroup(group: RouteGroup): number {
    const id = this.freeGroups.pop() ?? this.groups.length;
    this.groups[id] = group;
    this.groupRefs[id] = 0;
    return id;
  }

  releaseIfUnused(id: number): void {
    if (this.groupRefs[id] === 0) this.dropGroup(id);
  }

  private dropGroup(id: number): void {
    this.groups[id] = undefined;
    this.freeGroups.push(id);
  }

  /**
   * Apply one checked NLRI field: each entry is filed under `group`, or removed when `group` is -1.
   * The changes are pushed to `out` (announce for every entry filed, withdraw for every entry that
   * was held) when it is given.
   *
   * The entries go in batches of BATCH: parse and hash them all, read the index slot of each, then
   * file them. On a big table each key's slot is a cache miss; read in a short loop of independent
   * loads the CPU has many of them in flight at once, where filing key after key waits for each.
   */
  applyField(field: NlriField, group: number, out: RibInChange[] | null): void {
    const { bytes, end, addPath } = field;
    const words = this.words;
    const keys = this.batchKeys;
    const keyFlags = this.batchFlags;
    const pathIds = this.batchPathIds;
    const hashes = this.batchHashes;
    let o = field.start;
    while (o < end) {
      let n = 0;
      for (; n < BATCH && o < end; n++) {
        let pathId = 0;
        let flags = 0;
        if (addPath) {
          pathId = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
          flags = HAS_PATH_ID;
          o += 4;
        }
        const length = bytes[o++];
        const size = (length + 7) >> 3;
        // RFC 4271 §4.3: "the value of trailing bits is irrelevant", so they are cleared.
        if (words === 1) {
          const address =
            ((size > 0 ? bytes[o] << 24 : 0) |
              (size > 1 ? bytes[o + 1] << 16 : 0) |
              (size > 2 ? bytes[o + 2] << 8 : 0) |
              (size > 3 ? bytes[o + 3] : 0)) >>>
            0;
          keys[n] = length === 0 ? 0 : address & (-1 << (32 - length));
        } else {
          const at = n * 4;
          for (let w = 0; w < 4; w++) {
            const bits = length - 32 * w;
            if (bits <= 0) {
              keys[at + w] = 0;
              continue;
            }
            const b = o + 4 * w;
            const left = size - 4 * w;
            const word =
              (bytes[b] << 24) |
              (left > 1 ? bytes[b + 1] << 16 : 0) |
              (left > 2 ? bytes[b + 2] << 8 : 0) |
              (left > 3 ? bytes[b + 3] : 0);
            keys[at + w] = bits < 32 ? word & (-1 << (32 - bits)) : word;
          }
        }
        o += size;
        keyFlags[n] = flags | length;
        pathIds[n] = pathId;
        hashes[n] = this.hash(flags | length, pathId, keys, n * words);
      }
      if (group >= 0) this.reserve(n);
      const slots = this.slots;
      const mask = this.mask;
      let touched = 0;
      for (let i = 0; i < n; i++) touched |= slots[2 * (hashes[i] & mask) + 1];
      this.touched = touched;
      for (let i = 0; i < n; i++) {
        if (group >= 0) {
          const at = this.put(keyFlags[i], pathIds[i], hashes[i], i * words, group);
          out?.push({ type: "announce", route: this.routeAt(at) });
        } else if (this.remove(keyFlags[i], pathIds[i], hashes[i], i * words) && out !== null) {
          out.push(this.withdrawalOfKey(keyFlags[i], pathIds[i], keys, i * words));
        }
      }
    }
  }

  /** Room for `n` more entries, so that the slots read for a batch stay those it is filed in. */
  private reserve(n: number): void {
    while (this.used + n > this.capacity) {
      if (this.live === this.used) this.grow();
      else this.resize();
    }
  }

  /** Hash of a key: its flags, its path id and the address words words[at, at + this.words). */
  private hash(keyFlags: number, pathId: number, words: Uint32Array, at: number): number {
    // Each word times its own odd constant, summed, then one finalizer: cheap, and every input bit
    // reaches every output bit.
    const seed = keyFlags + Math.imul(pathId, 0x9e3779b1);
    if (this.words === 1) return mix(Math.imul(words[at], 0x85ebca6b) + seed);
    return mix(
      Math.imul(words[at], 0x85ebca6b) +
        Math.imul(words[at + 1], 0xc2b2ae35) +
        Math.imul(words[at + 2], 0x27d4eb2f) +
        Math.imul(words[at + 3], 0x165667b1) +
        seed,
    );
  }

  /**
   * The index slot holding batch key `at` (its address words at batchKeys[at], with `keyFlags`,
   * `pathId` and hash `h`), or -1 - the slot to insert it at.
   */
  private findSlot(keyFlags: number, pathId: number, h: number, at: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const words = this.words;
    const keys = this.batchKeys;
    const addresses = this.addresses;
    let insertAt = -1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const entry = slots[2 * s + 1];
      if (entry === EMPTY) return -1 - (insertAt < 0 ? s : insertAt);
      if (entry === DELETED) {
        if (insertAt < 0) insertAt = s;
        continue;
      }
      if (slots[2 * s] !== h) continue;
      const e = entry - 1;
      if ((this.flags[e] & KEY_BITS) !== keyFlags) continue;
      if ((keyFlags & HAS_PATH_ID) !== 0 && (this.pathIds as Uint32Array)[e] !== pathId) continue;
      let same = true;
      for (let w = 0; w < words; w++) {
        if (addresses[e * words + w] !== keys[at + w]) {
          same = false;
          break;
        }
      }
      if (same) return s;
    }
  }

  /**
   * File batch key `at` under `group` (a stale route announced again is no longer stale); the caller
   * has reserved room for it. Returns its entry number.
   */
  private put(keyFlags: number, pathId: number, h: number, at: number, group: number): number {
    const s = this.findSlot(keyFlags, pathId, h, at);
    if (s >= 0) {
      const e = this.slots[2 * s + 1] - 1;
      const old = this.groupOf[e];
      if (old !== group) {
        this.groupOf[e] = group;
        this.groupRefs[group]++;
        if (--this.groupRefs[old] === 0) this.dropGroup(old);
      }
      if ((this.flags[e] & STALE) !== 0) {
        this.flags[e] &= ~STALE;
        this.stale--;
      }
      return e;
    }
    const e = this.used++;
    const words = this.words;
    const keys = this.batchKeys;
    for (let w = 0; w < words; w++) this.addresses[e * words + w] = keys[at + w];
    if ((keyFlags & HAS_PATH_ID) !== 0) {
      this.pathIds ??= new Uint32Array(this.capacity);
      this.pathIds[e] = pathId;
    }
    this.flags[e] = keyFlags | LIVE;
    this.groupOf[e] = group;
    this.groupRefs[group]++;
    const slot = -1 - s;
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = e + 1;
    this.live++;
    return e;
  }

  private remove(keyFlags: number, pathId: number, h: number, at: number): boolean {
    const s = this.findSlot(keyFlags, pathId, h, at);
    if (s < 0) return false;
    this.removeEntry(s, this.slots[2 * s + 1] - 1);
    return true;
  }

  private removeEntry(slot: number, e: number): void {
    this.slots[2 * slot + 1] = DELETED;
    const flags = this.flags[e];
    if ((flags & STALE) !== 0) this.stale--;
    this.flags[e] = 0;
    this.live--;
    const group = this.groupOf[e];
    if (--this.groupRefs[group] === 0) this.dropGroup(group);
  }

  /**
   * The arrays are full and hold no deleted entry (a table being loaded): double them, entry numbers
   * unchanged. The old index is walked in slot order and each key goes to its slot under the new mask,
   * which is its old home or that plus the old size: two streams of near-sequential writes, where
   * rehashing entry by entry would write all over an index bigger than the CPU caches.
   */
  private grow(): void {
    const capacity = this.capacity * 2;
    this.addresses = grown(this.addresses, capacity * this.words);
    if (this.pathIds !== null) this.pathIds = grown(this.pathIds, capacity);
    this.flags = grown(this.flags, capacity);
    this.groupOf = grown(this.groupOf, capacity);
    this.capacity = capacity;
    const old = this.slots;
    const slots = new Int32Array(capacity * 4);
    const mask = capacity * 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      const entry = old[i + 1];
      if (entry <= 0) continue;
      const h = old[i];
      let s = h & mask;
      while (slots[2 * s + 1] !== EMPTY) s = (s + 1) & mask;
      slots[2 * s] = h;
      slots[2 * s + 1] = entry;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** The arrays are full: squeeze out deleted entries, and double them if that frees too little. */
  private resize(): void {
    const words = this.words;
    const capacity = this.live < this.capacity >> 1 ? this.capacity : this.capacity * 2;
    const addresses = new Uint32Array(capacity * words);
    const pathIds = this.pathIds === null ? null : new Uint32Array(capacity);
    const flags = new Uint16Array(capacity);
    const groupOf = new Uint32Array(capacity);
    let n = 0;
    for (let e = 0; e < this.used; e++) {
      if ((this.flags[e] & LIVE) === 0) continue;
      for (let w = 0; w < words; w++) addresses[n * words + w] = this.addresses[e * words + w];
      if (pathIds !== null) pathIds[n] = (this.pathIds as Uint32Array)[e];
      flags[n] = this.flags[e];
      groupOf[n] = this.groupOf[e];
      n++;
    }
    this.capacity = capacity;
    this.addresses = addresses;
    this.pathIds = pathIds;
    this.flags = flags;
    this.groupOf = groupOf;
    this.used = n;
    this.reindex();
  }

  /** Rebuild the index over the live entries (at most half its slots taken, counting deletions). */
  private reindex(): void {
    const slots = new Int32Array(this.capacity * 4);
    const mask = this.capacity * 2 - 1;
    this.slots = slots;
    this.mask = mask;
    for (let e = 0; e < this.used; e++) {
      const h = this.hashOfEntry(e);
      let s = h & mask;
      while (slots[2 * s + 1] !== EMPTY) s = (s + 1) & mask;
      slots[2 * s] = h;
      slots[2 * s + 1] = e + 1;
    }
  }

  /** Hash of entry e's key. */
  private hashOfEntry(e: number): number {
    return this.hash(this.flags[e] & KEY_BITS, this.pathIdOf(e), this.addresses, e * this.words);
  }

  private pathIdOf(e: number): number {
    return (this.flags[e] & HAS_PATH_ID) === 0 ? 0 : (this.pathIds as Uint32Array)[e];
  }

  /** Prefix text of the address words at words[at]: what the decoder makes of the same octets. */
  private prefixOfKey(length: number, words: Uint32Array, at: number): string {
    if (this.words === 1) return formatIpv4Prefix(words[at], length);
    const text = this.text;
    for (let i = 0; i < 16; i++) text[i] = words[at + (i >> 2)] >>> (24 - 8 * (i & 3));
    return formatIpv6Prefix(text, 0, length);
  }

  private withdrawalOfKey(keyFlags: number, pathId: number, words: Uint32Array, at: number): RibInChange {
    const prefix = this.prefixOfKey(keyFlags & LENGTH_BITS, words, at);
    return (keyFlags & HAS_PATH_ID) === 0
      ? { type: "withdraw", family: this.family, prefix }
      : { type: "withdraw", family: this.family, prefix, pathId };
  }

  private routeAt(e: number): ReceivedRoute {
    const flags = this.flags[e];
    const prefix = this.prefixOfKey(flags & LENGTH_BITS, this.addresses, e * this.words);
    const { attributes, nextHop } = this.groups[this.groupOf[e]] as RouteGroup;
    const family = this.family;
    return (flags & HAS_PATH_ID) === 0
      ? { family, prefix, attributes, nextHop }
      : { family, prefix, pathId: this.pathIdOf(e), attributes, nextHop };
  }

  private withdrawalAt(e: number): RibInChange {
    return this.withdrawalOfKey(this.flags[e] & KEY_BITS, this.pathIdOf(e), this.addresses, e * this.words);
  }

  /** Every route held, in insertion order. */
  *routes(): Generator<ReceivedRoute> {
    for (let e = 0; e < this.used; e++) if ((this.flags[e] & LIVE) !== 0) yield this.routeAt(e);
  }

  /** Every route held as a withdrawal, in insertion order (for a table that is being let go). */
  *withdrawals(): Generator<RibInChange> {
    for (let e = 0; e < this.used; e++) if ((this.flags[e] & LIVE) !== 0) yield this.withdrawalAt(e);
  }

  /** RFC 4724 §4.2: mark every route held stale. */
  markAllStale(): void {
    for (let e = 0; e < this.used; e++) if ((this.flags[e] & LIVE) !== 0) this.flags[e] |= STALE;
    this.stale = this.live;
  }

  /** Remove the stale routes, returned as withdrawals. */
  sweepStale(): RibInChange[] {
    const gone: RibInChange[] = [];
    if (this.stale === 0) return gone;
    const slots = this.slots;
    const mask = this.mask;
    for (let e = 0; e < this.used && this.stale > 0; e++) {
      if ((this.flags[e] & STALE) === 0) continue;
      gone.push(this.withdrawalAt(e));
      let s = this.hashOfEntry(e) & mask;
      while (slots[2 * s + 1] !== e + 1) s = (s + 1) & mask;
      this.removeEntry(s, e);
    }
    return gone;
  }
}
