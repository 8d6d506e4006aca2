/**
 * The prefix sets every bulk benchmark sends, the same for every sender so that the receivers do the
 * same work: the i-th IPv4 /24 counts up from 10.0.0.0, the i-th IPv6 /48 is fd00:HHHH:LLLL::/48.
 * The prefixes live only in the benchmark daemons' RIBs (no kernel protocol is configured anywhere).
 *
 * Two IPv6 sets (`--prefixes`, handed to child processes as BULK_PREFIXES):
 *   counting   HHHH:LLLL = i, the default and the set of every earlier figure;
 *   scattered  HHHH:LLLL = i * 0x9e3779b1 mod 2^32 (odd, so a bijection): the /48s spread over the
 *              /16 the way a real table's are spread over the address space.
 * Why two: BIRD 2 hashes an IPv6 prefix by XOR-ing its four words and folding them with x ^ x<<16 ^
 * x<<24 (ip6_hash, lib/ip.h), and its FIB takes the top bits. For the counting set that leaves LLLL
 * and the low nibble of HHHH in the same 16 bits, so 1,000,000 /48s share 65,536 buckets, 16 to a
 * chain (200,000: 4 to a chain). A receiving BIRD then spends about half its CPU walking those
 * chains, unless the routes arrive in its own bucket order, which is the order a sending BIRD walks
 * its table in. The scattered set has no such chains; see docs/benchmarks.md.
 */
import { writeFileSync } from "node:fs";
import { ipv6ToBytes } from "../../src/wire/address.js";

export type BulkFamily = "ipv4" | "ipv6";

export const PREFIX_SETS = ["counting", "scattered"] as const;
export type PrefixSet = (typeof PREFIX_SETS)[number];

function parsePrefixSet(text: string): PrefixSet {
  const set = PREFIX_SETS.find((s) => s === text);
  if (set === undefined) throw new Error(`--prefixes: expected ${PREFIX_SETS.join(" or ")}, got "${text}"`);
  return set;
}

let prefixSet = parsePrefixSet(process.env.BULK_PREFIXES ?? "counting");

/**
 * Use the set named by a bench's `--prefixes` flag here and in every child process started after
 * this call (they read BULK_PREFIXES). The scattered set is IPv6 only.
 */
export function usePrefixSet(text: string, family: BulkFamily): PrefixSet {
  const set = parsePrefixSet(text);
  if (set !== "counting" && family !== "ipv6") throw new Error(`--prefixes ${set} is for --family ipv6`);
  process.env.BULK_PREFIXES = set;
  prefixSet = set;
  return set;
}

/** HHHH:LLLL, the 32 bits that make the i-th IPv6 /48 (i < 2^32). */
export const ipv6Bits = (i: number): number =>
  prefixSet === "counting" ? i : Math.imul(i, 0x9e3779b1) >>> 0;

const V4_BASE = 10 << 24;

/** The i-th IPv4 /24 as a number (network address). */
export const ipv4Net = (i: number): number => (V4_BASE + i * 256) >>> 0;

const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

export const ipv4Prefix = (i: number): string => `${dotted(ipv4Net(i))}/24`;

/**
 * BIRD 2.0's FIB hash of the i-th prefix of the set (net_hash_ip4/net_hash_ip6 in lib/net.h; the
 * FIB keeps its top bits as the bucket, nest/rt-fib.c). ip4_hash is u32_hash, a multiply, which
 * spreads the counting set; ip6_hash XORs the words and folds them, which does not (see above).
 */
export function birdFibHash(family: BulkFamily, i: number): number {
  if (family === "ipv4") return (Math.imul(ipv4Net(i), 2902958171) ^ (24 << 26)) >>> 0;
  const bits = ipv6Bits(i);
  const x = ((0xfd000000 | (bits >>> 16)) ^ ((bits & 0xffff) << 16)) >>> 0;
  return (x ^ (x << 16) ^ (x << 24) ^ (48 << 26)) >>> 0;
}

/** The i-th IPv6 /48: fd00:HHHH:LLLL::/48 with HHHH:LLLL = ipv6Bits(i). */
export const ipv6Prefix = (i: number): string => {
  const bits = ipv6Bits(i);
  const hi = bits >>> 16;
  const lo = bits & 0xffff;
  return hi === 0 ? `fd00:0:${lo.toString(16)}::/48` : `fd00:${hi.toString(16)}:${lo.toString(16)}::/48`;
};

export const prefixOf = (family: BulkFamily, i: number): string =>
  family === "ipv4" ? ipv4Prefix(i) : ipv6Prefix(i);

/**
 * ExaBGP static routes for the first `count` IPv4 /24s, as few lines as its `split` keyword allows
 * (a /8 split into 65,536 /24s, a /16 into 256), so that its config parse stays a few lines long.
 */
export function exabgpIpv4Lines(count: number, nextHop: string): string[] {
  const lines: string[] = [];
  let i = 0;
  const push = (prefix: string, split: boolean) =>
    lines.push(`route ${prefix} next-hop ${nextHop}${split ? " split /24" : ""};`);
  while (i < count) {
    const net = ipv4Net(i);
    if ((net & 0xffffff) === 0 && count - i >= 65536) {
      push(`${dotted(net)}/8`, true);
      i += 65536;
    } else if ((net & 0xffff) === 0 && count - i >= 256) {
      push(`${dotted(net)}/16`, true);
      i += 256;
    } else {
      push(ipv4Prefix(i), false);
      i += 1;
    }
  }
  return lines;
}

/**
 * The same for IPv6 /48s: a /32 splits into 65,536 /48s, a /40 into 256. The scattered set has no
 * ranges to split, so it takes a line per route.
 */
export function exabgpIpv6Lines(count: number, nextHop: string): string[] {
  const lines: string[] = [];
  if (prefixSet !== "counting") {
    for (let i = 0; i < count; i++) lines.push(`route ${ipv6Prefix(i)} next-hop ${nextHop};`);
    return lines;
  }
  let i = 0;
  const push = (prefix: string, split: boolean) =>
    lines.push(`route ${prefix} next-hop ${nextHop}${split ? " split /48" : ""};`);
  while (i < count) {
    const hi = Math.floor(i / 65536);
    const lo = i % 65536;
    if (lo === 0 && count - i >= 65536) {
      push(`fd00:${hi.toString(16)}::/32`, true);
      i += 65536;
    } else if (lo % 256 === 0 && count - i >= 256) {
      push(`fd00:${hi.toString(16)}:${lo.toString(16)}::/40`, true);
      i += 256;
    } else {
      push(ipv6Prefix(i), false);
      i += 1;
    }
  }
  return lines;
}

/*
 * MRT TABLE_DUMP_V2 (RFC 6396) for `gobgp mrt inject global`.
 *
 *  Common header:  Timestamp (4) | Type (2) = 13 | Subtype (2) | Length (4) | Message
 *  PEER_INDEX_TABLE (1): Collector BGP ID (4) | View Name Length (2) | View Name | Peer Count (2) | Peer Entries
 *    Peer Entry: Peer Type (1) | Peer BGP ID (4) | Peer IP (4 or 16) | Peer AS (2 or 4)
 *  RIB_IPV4_UNICAST (2) / RIB_IPV6_UNICAST (4):
 *    Sequence (4) | Prefix Length (1) | Prefix (variable) | Entry Count (2) | RIB Entries
 *    RIB Entry: Peer Index (2) | Originated Time (4) | Attribute Length (2) | BGP Attributes
 */
const MRT_TABLE_DUMP_V2 = 13;
const PEER_INDEX_TABLE = 1;
const RIB_IPV4_UNICAST = 2;
const RIB_IPV6_UNICAST = 4;

function mrtHeader(buf: Buffer, at: number, subtype: number, length: number): number {
  buf.writeUInt32BE(0, at);
  buf.writeUInt16BE(MRT_TABLE_DUMP_V2, at + 4);
  buf.writeUInt16BE(subtype, at + 6);
  buf.writeUInt32BE(length, at + 8);
  return at + 12;
}

/**
 * Write `routes` routes of one family, then `pad` repeats of the last one: gobgp 3.10 exits before its
 * last records are flushed, and repeats of a prefix it already holds add no destination, so the caller
 * waits for exactly `routes` destinations in GoBGP's RIB.
 * Attributes: ORIGIN IGP, empty AS_PATH, NEXT_HOP 127.0.0.1 for IPv4; for IPv6 the full MP_REACH_NLRI
 * form (gobgp rejects the abbreviated RFC 6396 form) with `ipv6NextHop`, which GoBGP passes on as it is
 * on an IPv4 session (an IPv4-mapped one would reach BIRD as an IPv4 next hop and be refused).
 */
export function writeMrt(
  file: string,
  family: BulkFamily,
  routes: number,
  pad = 0,
  ipv6NextHop = "2001:db8:113::1",
): void {
  const count = routes + pad;
  const entryBytes =
    family === "ipv4" ? 12 + 4 + 1 + 3 + 2 + 8 + 4 + 3 + 7 : 12 + 4 + 1 + 6 + 2 + 8 + 4 + 3 + 31;
  const peerTable = 12 + 4 + 2 + 2 + (1 + 4 + 4 + 4);
  const buf = Buffer.alloc(peerTable + count * entryBytes);
  let at = mrtHeader(buf, 0, PEER_INDEX_TABLE, peerTable - 12);
  buf.writeUInt32BE(0x7f000001, at); // collector BGP ID
  buf.writeUInt16BE(0, at + 4); // no view name
  buf.writeUInt16BE(1, at + 6); // one peer
  buf[at + 8] = 0x02; // IPv4 peer address, 4-octet AS
  buf.writeUInt32BE(0x7f000001, at + 9);
  buf.writeUInt32BE(0x7f000001, at + 13);
  buf.writeUInt32BE(65012, at + 17);
  at += 21;
  for (let i = 0; i < count; i++) {
    const start = at;
    at = mrtHeader(buf, at, family === "ipv4" ? RIB_IPV4_UNICAST : RIB_IPV6_UNICAST, entryBytes - 12);
    buf.writeUInt32BE(i, at);
    at += 4;
    const p = Math.min(i, routes - 1);
    if (family === "ipv4") {
      const net = ipv4Net(p);
      buf[at++] = 24;
      buf[at++] = net >>> 24;
      buf[at++] = (net >>> 16) & 255;
      buf[at++] = (net >>> 8) & 255;
    } else {
      buf[at++] = 48;
      buf.writeUInt16BE(0xfd00, at);
      buf.writeUInt32BE(ipv6Bits(p), at + 2);
      at += 6;
    }
    buf.writeUInt16BE(1, at); // one RIB entry
    buf.writeUInt16BE(0, at + 2); // peer index 0
    buf.writeUInt32BE(0, at + 4); // originated time
    const attrLen = family === "ipv4" ? 4 + 3 + 7 : 4 + 3 + 31;
    buf.writeUInt16BE(attrLen, at + 8);
    at += 10;
    buf.set([0x40, 1, 1, 0], at); // ORIGIN IGP
    buf.set([0x40, 2, 0], at + 4); // AS_PATH empty
    at += 7;
    if (family === "ipv4") {
      buf.set([0x40, 3, 4, 127, 0, 0, 1], at);
      at += 7;
    } else {
      // MP_REACH_NLRI: AFI 2, SAFI 1, next hop length 16, ::ffff:127.0.0.1, reserved, NLRI /48
      buf.set([0x80, 14, 28, 0, 2, 1, 16], at);
      buf.set(ipv6ToBytes(ipv6NextHop), at + 7);
      buf[at + 23] = 0;
      buf[at + 24] = 48;
      buf.writeUInt16BE(0xfd00, at + 25);
      buf.writeUInt32BE(ipv6Bits(p), at + 27);
      at += 31;
    }
    if (at - start !== entryBytes)
      throw new Error(`MRT entry is ${at - start} octets, expected ${entryBytes}`);
  }
  writeFileSync(file, buf.subarray(0, at));
}
