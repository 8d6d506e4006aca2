/**
 * ExaBGP's view of a vector (its JSON decoding, or the command that produced the bytes) translated to
 * our model and checked against what our decoder produced. Used by test/wire/vectors.test.ts.
 */
import { expect } from "vitest";
import { ipv4ToBytes, ipv4ToNumber, ipv6ToBytes, isIpv4 } from "../../src/wire/address.js";
import { endOfRibFamily } from "../../src/wire/end-of-rib.js";
import type {
  AsPathSegment,
  BgpMessage,
  Capability,
  Nlri,
  OpenMessage,
  PathAttributes,
  UpdateMessage,
} from "../../src/wire/types.js";

type Json = Record<string, unknown>;

export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function bytesOf(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

export function addressBytes(text: string): Uint8Array {
  return isIpv4(text) ? ipv4ToBytes(text) : ipv6ToBytes(text);
}

export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  const h = hexOf(haystack);
  const n = hexOf(needle);
  // Compare on octet boundaries only.
  for (let i = h.indexOf(n); i !== -1; i = h.indexOf(n, i + 1)) if (i % 2 === 0) return true;
  return false;
}

/** ExaBGP family names -> AFI/SAFI (IANA numbers). */
const FAMILIES: Record<string, [number, number]> = {
  "ipv4 unicast": [1, 1],
  "ipv6 unicast": [2, 1],
  "ipv4 nlri-mpls": [1, 4],
  "ipv4 mcast-vpn": [1, 5],
  "ipv6 mcast-vpn": [2, 5],
  "ipv4 sr-policy": [1, 73],
  "ipv6 sr-policy": [2, 73],
  "ipv4 mup": [1, 85],
  "ipv6 mup": [2, 85],
  "ipv4 mpls-vpn": [1, 128],
  "ipv6 mpls-vpn": [2, 128],
  "ipv4 flow": [1, 133],
  "ipv6 flow": [2, 133],
  "ipv4 flow-vpn": [1, 134],
  "l2vpn vpls": [25, 65],
  "l2vpn evpn": [25, 70],
  "bgp-ls bgp-ls": [16388, 71],
};

export function familyOfExabgpName(name: string): [number, number] | undefined {
  return FAMILIES[name];
}

/**
 * RFC 4724 §2: End-of-RIB is an empty UPDATE for IPv4 unicast, else an UPDATE with only an empty
 * MP_UNREACH_NLRI. endOfRibFamily names only our families; for others the raw shape is checked.
 */
export function checkEndOfRib(m: UpdateMessage, afi: number, safi: number): void {
  const family =
    afi === 1 && safi === 1 ? "ipv4-unicast" : afi === 2 && safi === 1 ? "ipv6-unicast" : undefined;
  if (family !== undefined) {
    expect(endOfRibFamily(m)).toBe(family);
    return;
  }
  expect(endOfRibFamily(m)).toBeNull();
  expect(m.withdrawnRoutes).toEqual([]);
  expect(m.nlri).toEqual([]);
  expect(Object.keys(m.attributes)).toEqual(["mpUnreach"]);
  expect(m.attributes.mpUnreach).toEqual({ family: null, afi, safi, withdrawnBytes: new Uint8Array(0) });
}

function pathIdOf(info: unknown): number | undefined {
  return typeof info === "string" ? ipv4ToNumber(info) : undefined;
}

/** Unicast routes announced, grouped by next hop, from the NLRI field and MP_REACH alike. */
function announcedUnicast(m: UpdateMessage, afi: number): Record<string, Nlri[]> {
  const out: Record<string, Nlri[]> = {};
  const add = (nh: string, list: readonly Nlri[]) => {
    if (list.length > 0) out[nh] = [...(out[nh] ?? []), ...list];
  };
  if (afi === 1 && m.nlri.length > 0) add(m.attributes.nextHop ?? "(none)", m.nlri);
  const mp = m.attributes.mpReach;
  if (mp !== undefined && mp.family !== null && mp.afi === afi) add(mp.nextHop, mp.nlri);
  return out;
}

const ELEMENT: Record<string, AsPathSegment["type"]> = {
  "as-sequence": "sequence",
  "as-set": "set",
  "confed-sequence": "confed-sequence",
  "confed-set": "confed-set",
};

/** Attributes ExaBGP prints that our model keeps raw, by type code. */
const RAW_ATTRIBUTE: Record<string, number> = {
  "tunnel-encap": 23,
  "extended-community-ipv6": 25,
  "bgp-ls": 29,
  "bgp-prefix-sid": 40,
};

function checkAttributes(m: UpdateMessage, attrs: Json): void {
  const a = m.attributes;
  const expected: Partial<Record<keyof PathAttributes, unknown>> = {};
  const rawCodes: number[] = [];
  for (const [key, value] of Object.entries(attrs)) {
    switch (key) {
      case "origin":
        expected.origin = value;
        break;
      case "as-path":
        expected.asPath = Object.values(value as Record<string, { element: string; value: number[] }>).map(
          (s) => ({ type: ELEMENT[s.element], asns: s.value }),
        );
        break;
      case "med":
        expected.med = value;
        break;
      case "local-preference":
        expected.localPref = value;
        break;
      case "atomic-aggregate":
        expected.atomicAggregate = value;
        break;
      case "aggregator": {
        const [asn, address] = String(value).split(":");
        expected.aggregator = { asn: Number(asn), address };
        break;
      }
      case "community":
        expected.communities = (value as number[][]).map((c) => c.join(":"));
        break;
      case "large-community":
        expected.largeCommunities = (value as number[][]).map((c) => c.join(":"));
        break;
      case "extended-community":
        expected.extendedCommunities = (value as { value: number | string }[]).map((c) =>
          BigInt(c.value).toString(16).padStart(16, "0"),
        );
        break;
      case "originator-id":
        expected.originatorId = value;
        break;
      case "cluster-list":
        expected.clusterList = value;
        break;
      default: {
        const generic = /^attribute-0x([0-9a-f]{2})-0x([0-9a-f]{2})$/i.exec(key);
        if (generic !== null) {
          const code = Number.parseInt(generic[1], 16);
          const flags = Number.parseInt(generic[2], 16);
          const data = bytesOf(String(value).slice(2));
          checkGenericAttribute(m, code, flags, data);
          rawCodes.push(code);
          break;
        }
        const code = RAW_ATTRIBUTE[key];
        if (code === undefined) throw new Error(`ExaBGP attribute not understood: ${key}`);
        expect(
          a.unknown?.some((u) => u.code === code),
          `${key} (${code}) kept raw`,
        ).toBe(true);
        if (key === "extended-community-ipv6") {
          const raw = a.unknown?.find((u) => u.code === code);
          const hex = (value as { value: number | string }[])
            .map((c) => BigInt(c.value).toString(16).padStart(40, "0"))
            .join("");
          expect(hexOf(raw?.data ?? new Uint8Array(0))).toBe(hex);
        }
        rawCodes.push(code);
      }
    }
  }
  for (const [key, value] of Object.entries(expected)) {
    expect(a[key as keyof PathAttributes], key).toEqual(value);
  }
  // Nothing decoded that ExaBGP did not print, except what it prints elsewhere (next hops, MP NLRI)
  // or leaves out (an empty AS_PATH).
  for (const key of Object.keys(a) as (keyof PathAttributes)[]) {
    if (key in expected || key === "nextHop" || key === "mpReach" || key === "mpUnreach") continue;
    if (key === "asPath") {
      expect(a.asPath).toEqual([]);
      continue;
    }
    if (key === "unknown") {
      for (const u of a.unknown ?? []) expect(rawCodes, `unknown attribute ${u.code}`).toContain(u.code);
      continue;
    }
    throw new Error(`decoded attribute ${key} that ExaBGP did not report`);
  }
}

/**
 * An attribute ExaBGP prints generically. With the Optional bit clear it claims to be well-known, and
 * RFC 4271 §6.3 says "If any of the well-known mandatory attributes are not recognized, then the Error
 * Subcode MUST be set to Unrecognized Well-known Attribute"; RFC 7606 §3 leaves that to treat-as-withdraw.
 * ExaBGP (the source) passes it on instead. Both readings are accepted; nothing else is.
 */
function checkGenericAttribute(m: UpdateMessage, code: number, flags: number, data: Uint8Array): void {
  const kept = m.attributes.unknown?.find((u) => u.code === code);
  if (kept !== undefined) {
    expect(kept.flags & ~0x10).toBe(flags & ~0x10); // the extended-length bit is the encoder's choice
    expect(hexOf(kept.data)).toBe(hexOf(data));
    return;
  }
  expect((flags & 0x80) === 0, `optional attribute ${code} must be kept`).toBe(true);
  expect(m.errorHandling).toBe("treat-as-withdraw");
  expect(m.problems?.some((p) => p.code === 3 && p.subcode === 2 && p.attributeCode === code)).toBe(true);
}

function checkAnnounce(m: UpdateMessage, announce: Json | undefined): void {
  if (announce === undefined) {
    expect(m.nlri).toEqual([]);
    expect(m.attributes.mpReach).toBeUndefined();
    return;
  }
  for (const [name, byNextHop] of Object.entries(announce)) {
    const [afi, safi] = FAMILIES[name] ?? [0, 0];
    const routes = byNextHop as Record<string, Json[]>;
    if (safi === 1) {
      const expected: Record<string, Nlri[]> = {};
      for (const [nh, list] of Object.entries(routes)) {
        expected[nh] = list.map((r) => {
          const pathId = pathIdOf(r["path-information"]);
          return pathId === undefined ? { prefix: String(r.nlri) } : { prefix: String(r.nlri), pathId };
        });
      }
      expect(announcedUnicast(m, afi), name).toEqual(expected);
      continue;
    }
    const mp = m.attributes.mpReach;
    expect(mp?.family, `${name} kept raw`).toBeNull();
    if (mp === undefined || mp.family !== null) continue;
    expect([mp.afi, mp.safi]).toEqual([afi, safi]);
    expect(mp.nlriBytes.length).toBeGreaterThan(0);
    for (const nh of Object.keys(routes)) {
      if (nh === "no-nexthop") expect(mp.nextHopBytes.length).toBe(0);
      else expect(containsBytes(mp.nextHopBytes, addressBytes(nh)), `next hop ${nh}`).toBe(true);
    }
  }
}

function checkWithdraw(m: UpdateMessage, withdraw: Json | undefined): void {
  const mp = m.attributes.mpUnreach;
  if (withdraw === undefined) {
    expect(m.withdrawnRoutes).toEqual([]);
    expect(mp).toBeUndefined();
    return;
  }
  for (const [name, list] of Object.entries(withdraw)) {
    const [afi, safi] = FAMILIES[name] ?? [0, 0];
    if (afi === 1 && safi === 1) {
      expect(m.withdrawnRoutes).toEqual((list as Json[]).map((r) => ({ prefix: String(r.nlri) })));
      continue;
    }
    expect(mp?.family, `${name} kept raw`).toBeNull();
    if (mp === undefined || mp.family !== null) continue;
    expect([mp.afi, mp.safi]).toEqual([afi, safi]);
    // ExaBGP shows each raw route's bytes: they must all be in the withdrawn bytes, in order.
    const raws = (list as Json[]).map((r) => String(r.raw ?? "").toLowerCase());
    expect(hexOf(mp.withdrawnBytes)).toContain(raws.join(""));
  }
}

function checkOpenJson(m: OpenMessage, json: Json): void {
  expect(m.version).toBe(json.version);
  expect(m.myAsn).toBe(json.asn);
  expect(m.holdTime).toBe(json.hold_time);
  expect(m.bgpIdentifier).toBe(json.router_id);
  const expected: Capability[] = [];
  for (const [code, cap] of Object.entries(json.capabilities as Record<string, Json>)) {
    if (code === "1") {
      for (const f of cap.families as string[]) {
        const [afi, safi] = FAMILIES[f.replace("/", " ")];
        expected.push({ name: "multiprotocol", afi, safi });
      }
    } else if (code === "65") expected.push({ name: "four-octet-as", asn: Number(cap.asn4) });
    else if (code === "75") expected.push({ name: "software-version", version: String(cap.software) });
    else throw new Error(`ExaBGP capability not understood: ${code}`);
  }
  expect(m.capabilities).toEqual(expected);
}

export function checkExabgpJson(m: BgpMessage, json: Json): void {
  if (m.type === "open") {
    checkOpenJson(m, json);
    return;
  }
  expect(m.type).toBe("update");
  if (m.type !== "update") return;
  const update = json.update as Json;
  checkAttributes(m, (update.attribute as Json | undefined) ?? {});
  checkAnnounce(m, update.announce as Json | undefined);
  checkWithdraw(m, update.withdraw as Json | undefined);
}

/** `[a b c]` or a bare word after `key` in an ExaBGP command. */
function argument(words: string[], key: string): string[] | undefined {
  const i = words.indexOf(key);
  if (i === -1) return undefined;
  if (words[i + 1] !== "[") return [words[i + 1]];
  const end = words.indexOf("]", i);
  return words.slice(i + 2, end);
}

/** RFC 4360 route target, 2-octet AS form: type 0x00, subtype 0x02, AS (2), value (4). */
function routeTarget(text: string): string | undefined {
  const match = /^target:(\d+):(\d+)$/.exec(text);
  if (match === null || Number(match[1]) > 0xffff) return undefined;
  return `0002${Number(match[1]).toString(16).padStart(4, "0")}${Number(match[2]).toString(16).padStart(8, "0")}`;
}

/** The attribute clauses of an ExaBGP announce command that map onto our model. */
function checkCommandAttributes(a: PathAttributes, words: string[]): void {
  const origin = argument(words, "origin");
  if (origin !== undefined) expect(a.origin).toBe(origin[0]);
  const asPath = argument(words, "as-path");
  if (asPath !== undefined) expect(a.asPath).toEqual([{ type: "sequence", asns: asPath.map(Number) }]);
  const localPref = argument(words, "local-preference");
  if (localPref !== undefined) expect(a.localPref).toBe(Number(localPref[0]));
  const med = argument(words, "med");
  if (med !== undefined) expect(a.med).toBe(Number(med[0]));
  const communities = argument(words, "community");
  if (communities !== undefined) expect(a.communities).toEqual(communities);
  const large = argument(words, "large-community");
  if (large !== undefined) expect(a.largeCommunities).toEqual(large);
  const extended = argument(words, "extended-community");
  if (extended !== undefined) {
    expect(a.extendedCommunities?.length).toBe(extended.length);
    extended.forEach((text, i) => {
      const hex = routeTarget(text);
      if (hex !== undefined) expect(a.extendedCommunities?.[i]).toBe(hex);
    });
  }
  if (words.includes("atomic-aggregate")) expect(a.atomicAggregate).toBe(true);
  const aggregator = argument(words, "aggregator");
  if (aggregator !== undefined) {
    const [asn, address] = aggregator[0].split(":");
    expect(a.aggregator).toEqual({ asn: Number(asn), address });
  }
}

export function checkExabgpCommand(m: UpdateMessage, command: string): void {
  const words = command.replace(/\[/g, " [ ").replace(/\]/g, " ] ").trim().split(/\s+/);
  if (words[0] === "announce" && words[1] === "eor") {
    const [afi, safi] = FAMILIES[`${words[2]} ${words[3]}`];
    checkEndOfRib(m, afi, safi);
    return;
  }
  if (words[0] === "withdraw" && words[1] === "route") {
    expect(m.withdrawnRoutes).toEqual([{ prefix: words[2] }]);
    return;
  }
  expect(words[0]).toBe("announce");
  const nextHop = argument(words, "next-hop")?.[0] ?? "";
  checkCommandAttributes(m.attributes, words);
  if (words[1] === "route" || (words[1] === "ipv6" && words[2] === "unicast")) {
    const prefix = words[1] === "route" ? words[2] : words[3];
    if (prefix.includes(".") && isIpv4(nextHop)) {
      expect(m.nlri).toEqual([{ prefix }]);
      expect(m.attributes.nextHop).toBe(nextHop);
    } else {
      const mp = m.attributes.mpReach;
      expect(mp?.family).toBe(prefix.includes(".") ? "ipv4-unicast" : "ipv6-unicast");
      if (mp?.family == null) return;
      expect(mp.nlri).toEqual([{ prefix }]);
      expect(mp.nextHop).toBe(nextHop);
    }
    return;
  }
  // Families we keep raw (flow, sr-policy …): the MP_REACH is there, raw, for the named family.
  const name = `${words[1]} ${words[2]}${words.includes("rd") && words[2] === "flow" ? "-vpn" : ""}`;
  const family = FAMILIES[name];
  expect(family, name).toBeDefined();
  const mp = m.attributes.mpReach;
  expect(mp?.family).toBeNull();
  expect([mp?.afi, mp?.safi]).toEqual(family);
}
