/**
 * The announcer's prefixes: each prefix a service announces, with the settings it inherits, resolved
 * into the attributes announced in each health state (up, down, disabled), checked at start the way
 * `announce()` would check them. Split from config.ts, which resolves the rest of the settings.
 * @module
 */
import { chooseNextHop } from "../speaker/next-hop.js";
import {
  type AnnounceAttributes,
  canonicalCommunity,
  canonicalExtendedCommunity,
  canonicalLargeCommunity,
  normalizeAttributes,
  type PeerSelector,
  parseNextHop,
} from "../speaker/route.js";
import { canonicalAddress, ipv4ToBytes, ipv6ToBytes, isIpv4 } from "../wire/address.js";
import type { AddressFamily } from "../wire/types.js";
import { canonicalPrefix } from "./addresses.js";
import type { ResolvedPeer } from "./config.js";
import { type PrefixSettings, ROUTE_KEYS, type RouteSettings, SettingsError } from "./settings.js";

/** The route attributes the announcer hands to `BgpSpeaker.announce`: AnnounceAttributes without ORIGIN, and the peers. */
export type AnnouncedAttributes = Omit<AnnounceAttributes, "origin"> & PeerSelector;

export interface ResolvedPrefix {
  readonly prefix: string;
  readonly up: AnnouncedAttributes;
  /** "withdraw" by default; announced with a MED only when --down-med/--down-metric was given. */
  readonly down: AnnouncedAttributes | "withdraw";
  /** "withdraw" by default (drained first with --drain-time); announced with --disabled-med. */
  readonly disabled: AnnouncedAttributes | "withdraw";
}

/** The config path or flag a key was written at: the most specific level that has it. */
export type Origin = (key: string) => string;

/** ExaBGP healthcheck's MED while up (its "metric 100"). */
export const DEFAULT_UP_MED = 100;

/** MEDs and 4-octet AS numbers are 32-bit unsigned. */
const MAX_U32 = 0xffffffff;

export interface PrefixContext {
  readonly localAs: number;
  readonly peers: readonly ResolvedPeer[];
  readonly deaggregate: boolean;
}

/** The prefix itself, or with --deaggregate-networks every address of it as a host route. */
export function expand(where: string, item: string | PrefixSettings, deaggregate: boolean): string[] {
  const prefix = canonicalPrefix(where, typeof item === "string" ? item : item.prefix);
  if (!deaggregate) return [prefix];
  const [address, lengthText] = prefix.split("/");
  const v4 = isIpv4(address);
  const hostBits = (v4 ? 32 : 128) - Number(lengthText);
  if (hostBits > 16) {
    throw new SettingsError(
      `${where}: --deaggregate-networks would make 2^${hostBits} routes of ${prefix}; at most 65536`,
    );
  }
  const bytes = v4 ? ipv4ToBytes(address) : ipv6ToBytes(address);
  const out: string[] = [];
  for (let i = 0; i < 2 ** hostBits; i++) {
    const copy = Uint8Array.from(bytes);
    copy[copy.length - 1] |= i & 0xff;
    copy[copy.length - 2] |= i >> 8;
    out.push(`${bytesToAddress(copy)}/${v4 ? 32 : 128}`);
  }
  return out;
}

function bytesToAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return canonicalAddress(groups.join(":"));
}

export function routeOf(settings: RouteSettings): RouteSettings {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ROUTE_KEYS)) {
    const value = settings[key as keyof RouteSettings];
    if (value !== undefined) out[key] = value;
  }
  return out as RouteSettings;
}

/**
 * The next hop of the prefix's own family (next-hop.ts picks it from at most one per family);
 * none: the speaker uses its address on each session.
 */
function nextHopFor(
  where: string,
  prefix: string,
  nextHops: readonly string[] | undefined,
): { nextHop?: string } {
  const addresses = (nextHops ?? []).map((text) => checked(where, () => parseNextHop(text).address));
  const v6 = addresses.filter((address) => address.includes(":"));
  const v4 = addresses.filter((address) => !address.includes(":"));
  if (v4.length > 1 || v6.length > 1) {
    throw new SettingsError(`${where}: at most one IPv4 and one IPv6 next hop (one per prefix family)`);
  }
  const choice = chooseNextHop({ family: familyOf(prefix), configured: { ipv4: v4[0], ipv6: v6[0] } });
  return choice.ok && choice.nextHop !== null ? { nextHop: choice.nextHop } : {};
}

/**
 * Refuses a route whose next hop fits no session to one of `peers`, as `announce()` would, but
 * at start and naming the setting. The CLI offers no RFC 8950 extended next hop.
 */
function checkNextHopFits(
  where: string,
  prefix: string,
  nextHop: string | undefined,
  peers: readonly ResolvedPeer[],
): void {
  const family = familyOf(prefix);
  for (const peer of peers) {
    const transport = { ipv6: peer.address.includes(":"), extendedNextHop: false };
    const choice = chooseNextHop({ family, explicit: nextHop, transport });
    if (choice.ok) continue;
    switch (choice.refusal) {
      case "no-next-hop-for-transport":
        // An IPv4 prefix to a peer over IPv6 is left out of that session (route-skipped), as in announce().
        if (family === "ipv4-unicast") continue;
        throw new SettingsError(
          `${where}: IPv6 prefix ${prefix} goes to ${peer.address} over an IPv4 session, so it needs an IPv6 next hop: add --next-hop with an IPv6 address of this host`,
        );
      case "needs-extended-next-hop":
        throw new SettingsError(`${where}: IPv4 prefix ${prefix} needs an IPv4 next hop`);
      case "ipv4-next-hop-for-ipv6":
        throw new SettingsError(`${where}: IPv6 prefix ${prefix} needs an IPv6 next hop`);
      default:
        throw choice.refusal satisfies never;
    }
  }
}

function familyOf(prefix: string): AddressFamily {
  return prefix.includes(":") ? "ipv6-unicast" : "ipv4-unicast";
}

/**
 * "2", 2 or ExaBGP's "65001 65001" (the path after our own AS, which an eBGP speaker puts first)
 * as a prepend count; anything that is not our AS repeated cannot be expressed and is refused.
 */
export function asPathPrepend(where: string, value: number | string | undefined, localAs: number): number {
  if (value === undefined) return 0;
  if (typeof value === "number") {
    if (value > 32) {
      throw new SettingsError(
        `${where}: expected a prepend count 0-32 or an AS path of our own AS ${localAs} repeated ("${localAs} ${localAs}"), got ${value}`,
      );
    }
    return value;
  }
  const asns = value.split(/\s+/).filter((word) => word !== "");
  if (asns.length > 32 || asns.some((asn) => Number(asn) !== localAs)) {
    throw new SettingsError(
      `${where}: "${value}" cannot apply: only our own AS ${localAs} may be prepended (up to 32 times); write a count, or "${localAs} ${localAs}"`,
    );
  }
  return asns.length;
}

/** ExaBGP's extended-community text ("target:65000:100", "origin:192.0.2.1:7") or 16 hex digits. */
export function extendedCommunityHex(where: string, text: string): string {
  const hex = (value: number | bigint, octets: number): string =>
    value.toString(16).padStart(octets * 2, "0");
  const match = /^(target|origin):([^:]+):(\d+)$/i.exec(text);
  if (match !== null) {
    const subtype = match[1].toLowerCase() === "target" ? 0x02 : 0x03;
    const [, , global, localText] = match;
    const local = Number(localText);
    if (isIpv4(global) && local <= 0xffff)
      return `01${hex(subtype, 1)}${hex(ipv4ToInt(global), 4)}${hex(local, 2)}`;
    const asn = /^\d+$/.test(global) ? Number(global) : Number.NaN;
    if (asn <= 0xffff && local <= 0xffffffff) return `00${hex(subtype, 1)}${hex(asn, 2)}${hex(local, 4)}`;
    if (asn <= MAX_U32 && local <= 0xffff) return `02${hex(subtype, 1)}${hex(asn, 4)}${hex(local, 2)}`;
  }
  try {
    return canonicalExtendedCommunity(text);
  } catch {
    throw new SettingsError(
      `${where}: invalid extended community ${JSON.stringify(text)}: expected "target:ASN:N", "origin:ASN:N", "target:A.B.C.D:N" or 16 hex digits`,
    );
  }
}

function ipv4ToInt(address: string): number {
  return address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** Runs a speaker validator and turns its TypeError into a SettingsError naming the setting. */
function checked<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SettingsError) throw error;
    throw new SettingsError(`${where}: ${(error as Error).message}`, { cause: error });
  }
}

export function resolvePrefix(
  where: string,
  prefix: string,
  item: string | PrefixSettings,
  inherited: RouteSettings,
  serviceOrigin: Origin,
  context: PrefixContext,
  index: number,
): ResolvedPrefix {
  const own: RouteSettings = typeof item === "string" ? {} : routeOf(item);
  const route: RouteSettings = { ...inherited, ...own };
  const origin: Origin = (key) => (key in own ? `${where}.${key}` : serviceOrigin(key));
  const nextHop = nextHopFor(origin("nextHop"), prefix, route.nextHop);
  const peers =
    route.peers === undefined
      ? context.peers
      : route.peers.map((name) => findPeer(origin("peers"), name, context.peers));
  checkNextHopFits(origin("nextHop"), prefix, nextHop.nextHop, peers);
  const communities = checked(origin("community"), () => (route.community ?? []).map(canonicalCommunity));
  const downCommunities =
    route.disabledCommunity === undefined
      ? communities
      : checked(origin("disabledCommunity"), () => (route.disabledCommunity ?? []).map(canonicalCommunity));
  const large = checked(origin("largeCommunity"), () =>
    (route.largeCommunity ?? []).map(canonicalLargeCommunity),
  );
  const extended = (route.extendedCommunity ?? []).map((text) =>
    extendedCommunityHex(origin("extendedCommunity"), text),
  );
  const prepend = (key: "asPath" | "upAsPath" | "downAsPath" | "disabledAsPath"): number =>
    route[key] === undefined
      ? asPathPrepend(origin("asPath"), route.asPath, context.localAs)
      : asPathPrepend(origin(key), route[key], context.localAs);
  const increase = (route.increase ?? 0) * index;
  const med = (key: "upMed" | "downMed" | "disabledMed", fallback: number): number => {
    const value = (route[key] ?? fallback) + increase;
    if (value > MAX_U32)
      throw new SettingsError(`${origin(key)}: MED ${value} (with --increase) exceeds 4294967295`);
    return value;
  };
  const attributes = (state: "up" | "down" | "disabled", medValue: number): AnnouncedAttributes => {
    const list = state === "up" ? communities : downCommunities;
    const asPath = prepend(state === "up" ? "upAsPath" : state === "down" ? "downAsPath" : "disabledAsPath");
    const out: AnnouncedAttributes = {
      ...nextHop,
      med: medValue,
      ...(route.localPref === undefined ? {} : { localPref: route.localPref }),
      ...(list.length === 0 ? {} : { communities: list }),
      ...(large.length === 0 ? {} : { largeCommunities: large }),
      ...(extended.length === 0 ? {} : { extendedCommunities: extended }),
      ...(asPath === 0 ? {} : { asPathPrepend: asPath }),
      ...(route.peers === undefined ? {} : { peers: route.peers }),
    };
    // The speaker's own validator: what passes here cannot fail at announce time.
    checked(where, () => normalizeAttributes(out));
    return out;
  };
  const withdraw = route.withdrawOnDown === true;
  return {
    prefix,
    up: attributes("up", med("upMed", DEFAULT_UP_MED)),
    down: withdraw || route.downMed === undefined ? "withdraw" : attributes("down", med("downMed", 0)),
    disabled:
      withdraw || route.disabledMed === undefined
        ? "withdraw"
        : attributes("disabled", med("disabledMed", 0)),
  };
}

function findPeer(where: string, name: string, peers: readonly ResolvedPeer[]): ResolvedPeer {
  let address: string | undefined;
  try {
    address = canonicalAddress(name);
  } catch {
    address = undefined;
  }
  const found = peers.find((peer) => peer.name === name || peer.address === address);
  if (found === undefined) {
    throw new SettingsError(`${where}: ${JSON.stringify(name)} is not one of the --peer neighbors`);
  }
  return found;
}
