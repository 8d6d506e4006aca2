import { canonicalAddress, isIpv4 } from "../wire/address.js";
import type { Origin } from "../wire/types.js";
import { notUnicast } from "./options.js";

/**
 * What a user may set on an announced route. Everything is optional.
 * @category Speaker
 */
export interface AnnounceAttributes {
  /** Next hop; defaults to this side's address of each session (same family as the prefix). */
  nextHop?: string;
  /** MULTI_EXIT_DISC. */
  med?: number;
  /** LOCAL_PREF, sent on iBGP sessions only (default 100 there). */
  localPref?: number;
  /** RFC 1997 communities, "65001:100" (well-known names such as "no-export" are accepted too). */
  communities?: readonly string[];
  /** RFC 8092 large communities, "65001:1:2". */
  largeCommunities?: readonly string[];
  /** RFC 4360 extended communities as 16 hex digits ("0002fde800000064"). */
  extendedCommunities?: readonly string[];
  /** Extra copies of our AS prepended to the AS_PATH (0–32). */
  asPathPrepend?: number;
  /** ORIGIN, default "igp". */
  origin?: Origin;
}

/**
 * Options that choose which peers a call applies to.
 * @category Speaker
 */
export interface PeerSelector {
  /** Peer names (or addresses); all peers when omitted. */
  peers?: readonly string[];
}

/**
 * Attributes after validation: canonical strings, frozen, compared by `key`.
 * @category Speaker
 */
export interface RouteAttributes {
  /** Canonical next hop; absent means each session's own address. */
  readonly nextHop?: string;
  /** MULTI_EXIT_DISC, 0–4294967295. */
  readonly med?: number;
  /** LOCAL_PREF, 0–4294967295 (iBGP only). */
  readonly localPref?: number;
  /** Communities as "asn:value", well-known names turned into numbers. */
  readonly communities?: readonly string[];
  /** Large communities as "global:local1:local2". */
  readonly largeCommunities?: readonly string[];
  /** Extended communities as 16 lower-case hex digits. */
  readonly extendedCommunities?: readonly string[];
  /** Extra copies of our AS prepended to the AS_PATH (0 when none). */
  readonly asPathPrepend: number;
  /** ORIGIN ("igp" unless given). */
  readonly origin: Origin;
  /** RFC 8326 graceful shutdown in force (set by drain()). */
  readonly gracefulShutdown: boolean;
  /** A string equal for equal attributes: the identity used to group routes into one UPDATE. */
  readonly key: string;
}

const WELL_KNOWN_COMMUNITIES: Record<string, string> = {
  "graceful-shutdown": "65535:0",
  blackhole: "65535:666",
  "no-export": "65535:65281",
  "no-advertise": "65535:65282",
  "no-export-subconfed": "65535:65283",
  "no-peer": "65535:65284",
};

const U32_MAX = 0xffffffff;

function isUint(value: unknown, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;
}

function parseUintText(text: string, max: number): number | null {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}

export function canonicalCommunity(text: string): string {
  const named = WELL_KNOWN_COMMUNITIES[text.toLowerCase()];
  if (named !== undefined) return named;
  const parts = text.split(":");
  if (parts.length === 2) {
    const high = parseUintText(parts[0], 0xffff);
    const low = parseUintText(parts[1], 0xffff);
    if (high !== null && low !== null) return `${high}:${low}`;
  }
  throw new TypeError(
    `invalid community ${JSON.stringify(text)}: expected "ASN:VALUE" with both parts 0-65535`,
  );
}

export function canonicalLargeCommunity(text: string): string {
  const parts = text.split(":");
  if (parts.length === 3) {
    const values = parts.map((p) => parseUintText(p, U32_MAX));
    if (values.every((v) => v !== null)) return values.join(":");
  }
  throw new TypeError(
    `invalid large community ${JSON.stringify(text)}: expected "ASN:DATA1:DATA2", each 0-4294967295`,
  );
}

export function canonicalExtendedCommunity(text: string): string {
  const hex = text.toLowerCase().replace(/^0x/, "");
  if (/^[0-9a-f]{16}$/.test(hex)) return hex;
  throw new TypeError(
    `invalid extended community ${JSON.stringify(text)}: expected 16 hex digits (8 octets)`,
  );
}

/** Validate a next hop; returns its canonical text and family ("ipv4" or "ipv6"). */
export function parseNextHop(text: string): { address: string; ipv6: boolean } {
  if (typeof text !== "string") throw new TypeError("nextHop must be a string");
  try {
    const address = canonicalAddress(text);
    if (notUnicast(address) === null) return { address, ipv6: !isIpv4(address) };
  } catch {
    // reported below
  }
  throw new TypeError(
    `invalid nextHop ${JSON.stringify(text)}: expected a unicast IPv4 or IPv6 address (not unspecified, multicast or broadcast)`,
  );
}

const interned = new Map<string, RouteAttributes>();

/**
 * Validate user attributes and return a shared, frozen object: equal attributes give the same
 * object, so a million announcements with the same attributes hold one copy between them.
 */
export function normalizeAttributes(
  input: AnnounceAttributes | undefined,
  gracefulShutdown = false,
): RouteAttributes {
  const a = input ?? {};
  const out: { -readonly [K in keyof Omit<RouteAttributes, "key">]: RouteAttributes[K] } = {
    asPathPrepend: 0,
    origin: "igp",
    gracefulShutdown,
  };
  if (a.nextHop !== undefined) out.nextHop = parseNextHop(a.nextHop).address;
  if (a.med !== undefined) {
    if (!isUint(a.med, U32_MAX))
      throw new TypeError(`invalid med ${a.med}: expected an integer 0-4294967295`);
    out.med = a.med;
  }
  if (a.localPref !== undefined) {
    if (!isUint(a.localPref, U32_MAX)) {
      throw new TypeError(`invalid localPref ${a.localPref}: expected an integer 0-4294967295`);
    }
    out.localPref = a.localPref;
  }
  if (a.communities !== undefined && a.communities.length > 0) {
    out.communities = dedupe(a.communities.map(canonicalCommunity));
  }
  if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
    out.largeCommunities = dedupe(a.largeCommunities.map(canonicalLargeCommunity));
  }
  if (a.extendedCommunities !== undefined && a.extendedCommunities.length > 0) {
    out.extendedCommunities = dedupe(a.extendedCommunities.map(canonicalExtendedCommunity));
  }
  if (a.asPathPrepend !== undefined) {
    if (!isUint(a.asPathPrepend, 32))
      throw new TypeError(`invalid asPathPrepend ${a.asPathPrepend}: expected 0-32`);
    out.asPathPrepend = a.asPathPrepend;
  }
  if (a.origin !== undefined) {
    if (a.origin !== "igp" && a.origin !== "egp" && a.origin !== "incomplete") {
      throw new TypeError(
        `invalid origin ${JSON.stringify(a.origin)}: expected "igp", "egp" or "incomplete"`,
      );
    }
    out.origin = a.origin;
  }
  const key = JSON.stringify(out);
  const existing = interned.get(key);
  if (existing !== undefined) return existing;
  const frozen: RouteAttributes = Object.freeze({ ...out, key });
  // The table only grows with distinct attribute sets, which real users have a handful of.
  if (interned.size < 100_000) interned.set(key, frozen);
  return frozen;
}

function dedupe(values: string[]): readonly string[] {
  return Object.freeze([...new Set(values)]);
}

/** The same attributes with graceful shutdown switched on or off. */
export function withGracefulShutdown(attributes: RouteAttributes, on: boolean): RouteAttributes {
  if (attributes.gracefulShutdown === on) return attributes;
  const { key: _key, ...rest } = attributes;
  return normalizeAttributes(rest, on);
}
