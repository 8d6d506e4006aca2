/**
 * The routes of one address family received from one peer, keyed by their wire octets: an
 * insertion-ordered hash table over typed arrays (the layout of V8's own ordered tables and of
 * CPython's compact dict). Entries are appended to parallel arrays (address words, path id, a
 * flags word, the index of the route's group); an open-addressing index of entry numbers finds
 * them. A route costs about 20 bytes for IPv4 and 35 for IPv6, and no object or string: prefix
 * text is made only when a route is listed or reported.
 *
 * Iteration follows insertion order, with a replaced route keeping its place, as a Map's does.
 * @module
 */
import type { NlriField } from "../wire/deferred-nlri.js";
import { formatIpv4Prefix, formatIpv6Prefix } from "../wire/prefix.js";
import type { AddressFamily, PathAttributes } from "../wire/types.js";

/** A route received from a peer, as plain data. */
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
 * An index slot holds entry number + 1 in its low bits (those of the slot mask: the index has twice
 * as many slots as there are entries) and the rest of the key's hash above them, so a probe that
 * meets another key is mostly told apart without reading the entry (a cache miss on a big table).
 * 0 is an empty slot; low bits 0 and high bits not is a deleted one.
 */
const EMPTY = 0;

const INITIAL_CAPACITY = 8;

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
  private slots: Int32Array;
  /** slots.length - 1: the bits of a slot that hold its entry number + 1. */
  private mask: number;
  /** The hash of the key last looked up (findSlot), for the slot an insert writes. */
  private lastHash = 0;
  private groups: (RouteGroup | undefined)[] = [];
  private groupRefs: number[] = [];
  private freeGroups: number[] = [];
  /** The key being looked up: address words, then its flags and path id below. */
  private readonly key: Uint32Array;
  private readonly text = new Uint8Array(16);

  constructor(family: AddressFamily) {
    this.family = family;
    this.words = family === "ipv4-unicast" ? 1 : 4;
    this.key = new Uint32Array(this.words);
    this.addresses = new Uint32Array(this.capacity * this.words);
    this.flags = new Uint16Array(this.capacity);
    this.groupOf = new Uint32Array(this.capacity);
    this.slots = new Int32Array(this.capacity * 2);
    this.mask = this.slots.length - 1;
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
   */
  applyField(field: NlriField, group: number, out: RibInChange[] | null): void {
    const { bytes, end, addPath } = field;
    const key = this.key;
    const v4 = this.words === 1;
    let o = field.start;
    while (o < end) {
      let pathId = 0;
      let keyFlags = 0;
      if (addPath) {
        pathId = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
        keyFlags = HAS_PATH_ID;
        o += 4;
      }
      const length = bytes[o++];
      keyFlags |= length;
      const size = (length + 7) >> 3;
      if (v4) {
        let address = 0;
        for (let i = 0; i < size; i++) address |= bytes[o + i] << (24 - 8 * i);
        // RFC 4271 §4.3: "the value of trailing bits is irrelevant", so they are cleared.
        key[0] = length === 0 ? 0 : address & (-1 << (32 - length));
      } else {
        key[0] = key[1] = key[2] = key[3] = 0;
        for (let i = 0; i < size; i++) key[i >> 2] |= bytes[o + i] << (24 - 8 * (i & 3));
        for (let w = 0; w < 4; w++) {
          const bits = length - 32 * w;
          if (bits <= 0) key[w] = 0;
          else if (bits < 32) key[w] &= -1 << (32 - bits);
        }
      }
      o += size;
      if (group >= 0) {
        const at = this.put(keyFlags, pathId, group);
        out?.push({ type: "announce", route: this.routeAt(at) });
      } else if (this.remove(keyFlags, pathId) && out !== null) {
        out.push(this.withdrawalOfKey(keyFlags, pathId));
      }
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

  /** The index slot holding the key in `this.key`, or -1 - the slot to insert it at. */
  private findSlot(keyFlags: number, pathId: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const words = this.words;
    const key = this.key;
    const addresses = this.addresses;
    const h = this.hash(keyFlags, pathId, key, 0);
    this.lastHash = h;
    const tag = h & ~mask;
    let insertAt = -1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = slots[s];
      if (v === EMPTY) return -1 - (insertAt < 0 ? s : insertAt);
      const entry = v & mask;
      if (entry === 0) {
        if (insertAt < 0) insertAt = s; // deleted
        continue;
      }
      if ((v & ~mask) !== tag) continue;
      const e = entry - 1;
      if ((this.flags[e] & KEY_BITS) !== keyFlags) continue;
      if ((keyFlags & HAS_PATH_ID) !== 0 && (this.pathIds as Uint32Array)[e] !== pathId) continue;
      let same = true;
      for (let w = 0; w < words; w++) {
        if (addresses[e * words + w] !== key[w]) {
          same = false;
          break;
        }
      }
      if (same) return s;
    }
  }

  /** File the key in `this.key` under `group` (a stale route announced again is no longer stale). */
  private put(keyFlags: number, pathId: number, group: number): number {
    let s = this.findSlot(keyFlags, pathId);
    if (s >= 0) {
      const e = (this.slots[s] & this.mask) - 1;
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
    if (this.used === this.capacity) {
      this.resize();
      s = this.findSlot(keyFlags, pathId);
    }
    const e = this.used++;
    const words = this.words;
    for (let w = 0; w < words; w++) this.addresses[e * words + w] = this.key[w];
    if ((keyFlags & HAS_PATH_ID) !== 0) {
      this.pathIds ??= new Uint32Array(this.capacity);
      this.pathIds[e] = pathId;
    }
    this.flags[e] = keyFlags | LIVE;
    this.groupOf[e] = group;
    this.groupRefs[group]++;
    this.slots[-1 - s] = (this.lastHash & ~this.mask) | (e + 1);
    this.live++;
    return e;
  }

  private remove(keyFlags: number, pathId: number): boolean {
    const s = this.findSlot(keyFlags, pathId);
    if (s < 0) return false;
    this.removeEntry(s, (this.slots[s] & this.mask) - 1);
    return true;
  }

  private removeEntry(slot: number, e: number): void {
    this.slots[slot] = this.mask + 1; // deleted: no entry number, not empty
    const flags = this.flags[e];
    if ((flags & STALE) !== 0) this.stale--;
    this.flags[e] = 0;
    this.live--;
    const group = this.groupOf[e];
    if (--this.groupRefs[group] === 0) this.dropGroup(group);
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
    const slots = new Int32Array(this.capacity * 2);
    const mask = slots.length - 1;
    this.slots = slots;
    this.mask = mask;
    for (let e = 0; e < this.used; e++) {
      const h = this.hashOfEntry(e);
      let s = h & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = (h & ~mask) | (e + 1);
    }
  }

  /** Hash of entry e's key (this.key is left alone: a lookup may be under way). */
  private hashOfEntry(e: number): number {
    return this.hash(this.flags[e] & KEY_BITS, this.pathIdOf(e), this.addresses, e * this.words);
  }

  private loadKey(e: number): void {
    const words = this.words;
    for (let w = 0; w < words; w++) this.key[w] = this.addresses[e * words + w];
  }

  private pathIdOf(e: number): number {
    return (this.flags[e] & HAS_PATH_ID) === 0 ? 0 : (this.pathIds as Uint32Array)[e];
  }

  /** Prefix text of the key in `this.key`: what the decoder makes of the same octets. */
  private prefixOfKey(length: number): string {
    const key = this.key;
    if (this.words === 1) return formatIpv4Prefix(key[0], length);
    const text = this.text;
    for (let i = 0; i < 16; i++) text[i] = key[i >> 2] >>> (24 - 8 * (i & 3));
    return formatIpv6Prefix(text, 0, length);
  }

  private withdrawalOfKey(keyFlags: number, pathId: number): RibInChange {
    const prefix = this.prefixOfKey(keyFlags & LENGTH_BITS);
    return (keyFlags & HAS_PATH_ID) === 0
      ? { type: "withdraw", family: this.family, prefix }
      : { type: "withdraw", family: this.family, prefix, pathId };
  }

  private routeAt(e: number): ReceivedRoute {
    this.loadKey(e);
    const flags = this.flags[e];
    const prefix = this.prefixOfKey(flags & LENGTH_BITS);
    const { attributes, nextHop } = this.groups[this.groupOf[e]] as RouteGroup;
    const family = this.family;
    return (flags & HAS_PATH_ID) === 0
      ? { family, prefix, attributes, nextHop }
      : { family, prefix, pathId: this.pathIdOf(e), attributes, nextHop };
  }

  private withdrawalAt(e: number): RibInChange {
    this.loadKey(e);
    return this.withdrawalOfKey(this.flags[e] & KEY_BITS, this.pathIdOf(e));
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
      while ((slots[s] & mask) !== e + 1) s = (s + 1) & mask;
      this.removeEntry(s, e);
    }
    return gone;
  }
}
