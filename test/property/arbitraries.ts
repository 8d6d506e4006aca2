/**
 * fast-check arbitraries for every message of src/wire/types.ts, in the canonical form the decoder
 * produces: prefixes with host bits zero, RFC 5952 IPv6, communities "a:b", no empty optional
 * arrays, no `problems`, path identifiers exactly on the families the context gives ADD-PATH,
 * AS numbers within 2 octets unless the context has 4-octet AS.
 */
import fc from "fast-check";
import { formatIpv4Number, formatIpv6 } from "../../src/wire/address.js";
import { encodeMessage } from "../../src/wire/message.js";
import type {
  AddressFamily,
  Aggregator,
  AsPathSegment,
  BgpMessage,
  Capability,
  CodecContext,
  KeepaliveMessage,
  MpReach,
  MpUnreach,
  Nlri,
  NotificationMessage,
  OpenMessage,
  PathAttributes,
  RouteRefreshMessage,
  UnknownAttribute,
  UpdateMessage,
} from "../../src/wire/types.js";

/** Case count per property: FUZZ_RUNS from the environment (npm run fuzz sets 200000). */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });

export const contextArb: fc.Arbitrary<CodecContext> = fc.record({
  fourOctetAs: fc.boolean(),
  addPath: fc.subarray<AddressFamily>(["ipv4-unicast", "ipv6-unicast"]),
  extendedMessage: fc.boolean(),
});

const ipv4 = u32.map(formatIpv4Number);
/** A unicast host address: not 0/8, 127/8 or class D/E, which a NEXT_HOP check may refuse. */
const hostIpv4 = fc
  .tuple(fc.integer({ min: 1, max: 223 }), u8, u8, fc.integer({ min: 1, max: 254 }))
  .filter(([a]) => a !== 127)
  .map((octets) => octets.join("."));
const ipv6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
/** Global unicast (2000::/3) so it is never mistaken for a link-local or v4-mapped address. */
const globalIpv6 = ipv6Bytes.map((b) => {
  b[0] = 0x20 | (b[0] & 0x1f);
  return formatIpv6(b);
});
const linkLocalIpv6 = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((low) => {
  const b = new Uint8Array(16);
  b[0] = 0xfe;
  b[1] = 0x80;
  b.set(low, 8);
  return formatIpv6(b);
});

function maskBytes(bytes: Uint8Array, bits: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] &= (0xff00 >>> keep) & 0xff;
  }
  return out;
}

export function prefixArb(family: AddressFamily): fc.Arbitrary<string> {
  if (family === "ipv4-unicast") {
    return fc
      .tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }))
      .map(([b, len]) => `${maskBytes(b, len).join(".")}/${len}`);
  }
  return fc
    .tuple(ipv6Bytes, fc.integer({ min: 0, max: 128 }))
    .map(([b, len]) => `${formatIpv6(maskBytes(b, len))}/${len}`);
}

export function nlriArb(family: AddressFamily, ctx: CodecContext): fc.Arbitrary<Nlri> {
  if (ctx.addPath.includes(family)) {
    return fc.tuple(prefixArb(family), u32).map(([prefix, pathId]) => ({ prefix, pathId }));
  }
  return prefixArb(family).map((prefix) => ({ prefix }));
}

const nlriList = (family: AddressFamily, ctx: CodecContext, minLength: number, maxLength: number) =>
  fc.array(nlriArb(family, ctx), { minLength, maxLength });

const asnArb = (ctx: CodecContext) => (ctx.fourOctetAs ? u32 : u16);

function asPathArb(asn: fc.Arbitrary<number>, confed: boolean): fc.Arbitrary<AsPathSegment[]> {
  const types: AsPathSegment["type"][] = confed
    ? ["sequence", "set", "confed-sequence", "confed-set"]
    : ["sequence", "set"];
  const segment = fc.record({
    type: fc.constantFrom(...types),
    asns: fc.array(asn, { minLength: 1, maxLength: 10 }),
  });
  return fc.array(segment, { minLength: 0, maxLength: 3 });
}

const aggregatorArb = (asn: fc.Arbitrary<number>): fc.Arbitrary<Aggregator> =>
  fc.record({ asn, address: ipv4 });

const community = fc.tuple(u16, u16).map(([a, b]) => `${a}:${b}`);
const largeCommunity = fc.tuple(u32, u32, u32).map(([a, b, c]) => `${a}:${b}:${c}`);
const extendedCommunity = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((b) => Buffer.from(b).toString("hex"));

/**
 * Optional (0x80) unknown attributes with codes no registry entry claims. Optional transitive ones
 * carry the Partial bit, which the encoder sets when passing them on (RFC 4271 §5); an Extended
 * Length bit is kept as received.
 */
const unknownAttributeArb: fc.Arbitrary<UnknownAttribute> = fc.record({
  flags: fc.constantFrom(0x80, 0x90, 0xe0, 0xf0),
  code: fc.integer({ min: 100, max: 254 }),
  data: fc.uint8Array({ minLength: 0, maxLength: 40 }),
});

/** MP_REACH_NLRI for a family we decode, with the next hop forms RFC 2545 / RFC 8950 allow. */
function mpReachUnicastArb(ctx: CodecContext): fc.Arbitrary<MpReach> {
  const v4 = fc.record({
    family: fc.constant<AddressFamily>("ipv4-unicast"),
    afi: fc.constant(1),
    safi: fc.constant(1),
    nextHop: fc.oneof(hostIpv4, globalIpv6),
    nlri: nlriList("ipv4-unicast", ctx, 1, 12),
  });
  const v6 = fc
    .record({
      family: fc.constant<AddressFamily>("ipv6-unicast"),
      afi: fc.constant(2),
      safi: fc.constant(1),
      nextHop: globalIpv6,
      linkLocalNextHop: fc.option(linkLocalIpv6, { nil: undefined }),
      nlri: nlriList("ipv6-unicast", ctx, 1, 12),
    })
    .map(({ linkLocalNextHop, ...rest }) =>
      linkLocalNextHop === undefined ? rest : { ...rest, linkLocalNextHop },
    );
  return fc.oneof(v4, v6);
}

/** A family we keep raw: VPN, labeled, multicast, EVPN, FlowSpec … */
const rawFamily = fc.tuple(
  fc.constantFrom(1, 2, 25, 16388),
  fc.constantFrom(2, 4, 5, 65, 70, 71, 73, 85, 128, 133, 134),
);

const mpReachRawArb: fc.Arbitrary<MpReach> = fc
  .tuple(
    rawFamily,
    fc.uint8Array({ minLength: 0, maxLength: 32 }),
    fc.uint8Array({ minLength: 0, maxLength: 60 }),
  )
  .map(([[afi, safi], nextHopBytes, nlriBytes]) => ({ family: null, afi, safi, nextHopBytes, nlriBytes }));

function mpUnreachArb(ctx: CodecContext): fc.Arbitrary<MpUnreach> {
  const unicast = fc.constantFrom<AddressFamily>("ipv4-unicast", "ipv6-unicast").chain((family) =>
    nlriList(family, ctx, 0, 12).map((withdrawnRoutes) => ({
      family,
      afi: family === "ipv4-unicast" ? 1 : 2,
      safi: 1,
      withdrawnRoutes,
    })),
  );
  const raw = fc
    .tuple(rawFamily, fc.uint8Array({ minLength: 0, maxLength: 60 }))
    .map(([[afi, safi], withdrawnBytes]) => ({ family: null, afi, safi, withdrawnBytes }));
  return fc.oneof(unicast, raw);
}

/** The known optional transitive attributes (RFC 4271 §5 keeps their Partial bit), by ascending code. */
const OPTIONAL_TRANSITIVE: readonly (readonly [string, number])[] = [
  ["aggregator", 7],
  ["communities", 8],
  ["extendedCommunities", 16],
  ["as4Path", 17],
  ["as4Aggregator", 18],
  ["largeCommunities", 32],
  ["otc", 35],
];

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

/**
 * Path attributes of a well-formed UPDATE. RFC 4271 §5 / RFC 4760 §3: an UPDATE that announces
 * (NLRI field or MP_REACH_NLRI) carries ORIGIN and AS_PATH, and NEXT_HOP when the NLRI field is used.
 */
function attributesArb(ctx: CodecContext, announcesNlri: boolean): fc.Arbitrary<PathAttributes> {
  const asn = asnArb(ctx);
  return fc
    .record({
      origin: maybe(
        fc.constantFrom("igp", "egp", "incomplete") as fc.Arbitrary<"igp" | "egp" | "incomplete">,
      ),
      asPath: maybe(asPathArb(asn, true)),
      nextHop: maybe(hostIpv4),
      med: maybe(u32),
      localPref: maybe(u32),
      atomicAggregate: maybe(fc.constant(true as const)),
      aggregator: maybe(aggregatorArb(asn)),
      communities: maybe(fc.array(community, { minLength: 1, maxLength: 8 })),
      originatorId: maybe(ipv4),
      clusterList: maybe(fc.array(ipv4, { minLength: 1, maxLength: 4 })),
      mpReach: maybe(fc.oneof(mpReachUnicastArb(ctx), mpReachRawArb)),
      mpUnreach: maybe(mpUnreachArb(ctx)),
      extendedCommunities: maybe(fc.array(extendedCommunity, { minLength: 1, maxLength: 6 })),
      // RFC 6793 §3: between NEW speakers AS4_PATH/AS4_AGGREGATOR are discarded, so only 2-octet sessions carry them.
      as4Path: ctx.fourOctetAs ? fc.constant(undefined) : maybe(asPathArb(u32, false)),
      as4Aggregator: ctx.fourOctetAs ? fc.constant(undefined) : maybe(aggregatorArb(u32)),
      largeCommunities: maybe(fc.array(largeCommunity, { minLength: 1, maxLength: 6 })),
      otc: maybe(u32),
      // In any order: the encoder keeps the order of unknown attributes (all above the known codes here).
      unknown: maybe(
        fc.uniqueArray(unknownAttributeArb, { minLength: 1, maxLength: 3, selector: (u) => u.code }),
      ),
      // Which of the known optional transitive attributes present came with the Partial bit.
      partialMask: maybe(fc.integer({ min: 1, max: 0x7f })),
      required: fc.record({
        origin: fc.constantFrom("igp", "egp", "incomplete"),
        asPath: asPathArb(asn, true),
        nextHop: hostIpv4,
      }),
    })
    .map(({ required, ...attrs }) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(attrs)) if (value !== undefined) out[key] = value;
      if (announcesNlri || out.mpReach !== undefined) {
        out.origin ??= required.origin;
        out.asPath ??= required.asPath;
      }
      if (announcesNlri) out.nextHop ??= required.nextHop;
      const mask = out.partialMask as number | undefined;
      delete out.partialMask;
      if (mask !== undefined) {
        const partial = OPTIONAL_TRANSITIVE.filter(
          ([key], i) => out[key] !== undefined && (mask >> i) & 1,
        ).map(([, code]) => code);
        if (partial.length > 0) out.partial = partial;
      }
      return out as PathAttributes;
    });
}

export function updateArb(ctx: CodecContext): fc.Arbitrary<UpdateMessage> {
  return fc
    .tuple(nlriList("ipv4-unicast", ctx, 0, 12), nlriList("ipv4-unicast", ctx, 0, 12))
    .chain(([withdrawnRoutes, nlri]) =>
      attributesArb(ctx, nlri.length > 0).map(
        (attributes): UpdateMessage => ({ type: "update", withdrawnRoutes, attributes, nlri }),
      ),
    );
}

const shortText = fc.string({ unit: "grapheme-ascii", maxLength: 16 });
const family8 = fc.record({ afi: u16, safi: u8 });

export const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  family8.map(({ afi, safi }) => ({ name: "multiprotocol" as const, afi, safi })),
  fc.constant({ name: "route-refresh" as const }),
  fc
    .array(fc.record({ afi: u16, safi: u16, nextHopAfi: u16 }), { minLength: 1, maxLength: 4 })
    .map((entries) => ({ name: "extended-next-hop" as const, entries })),
  fc.constant({ name: "extended-message" as const }),
  u8.map((role) => ({ name: "role" as const, role })),
  fc
    .record({
      restarting: fc.boolean(),
      notification: fc.boolean(),
      restartTimeSec: fc.integer({ min: 0, max: 4095 }),
      families: fc.array(fc.record({ afi: u16, safi: u8, forwardingPreserved: fc.boolean() }), {
        maxLength: 4,
      }),
    })
    .map((gr) => ({ name: "graceful-restart" as const, ...gr })),
  u32.map((asn) => ({ name: "four-octet-as" as const, asn })),
  fc
    .array(
      fc.record({
        afi: u16,
        safi: u8,
        sendReceive: fc.constantFrom("receive", "send", "both") as fc.Arbitrary<"receive" | "send" | "both">,
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((families) => ({ name: "add-path" as const, families })),
  fc.constant({ name: "enhanced-route-refresh" as const }),
  fc
    .array(
      fc.record({
        afi: u16,
        safi: u8,
        forwardingPreserved: fc.boolean(),
        staleTimeSec: fc.integer({ min: 0, max: 0xffffff }),
      }),
      { maxLength: 4 },
    )
    .map((families) => ({ name: "long-lived-graceful-restart" as const, families })),
  fc.record({ hostname: shortText, domainName: shortText }).map((f) => ({ name: "fqdn" as const, ...f })),
  fc.string({ maxLength: 20 }).map((version) => ({ name: "software-version" as const, version })),
  fc
    .array(fc.record({ afi: u16, safi: u8, limit: u16 }), { minLength: 1, maxLength: 4 })
    .map((families) => ({ name: "paths-limit" as const, families })),
  fc
    .record({ code: fc.integer({ min: 128, max: 254 }), data: fc.uint8Array({ maxLength: 20 }) })
    .map(({ code, data }) => ({ name: "unknown" as const, code, data })),
);

export const openArb: fc.Arbitrary<OpenMessage> = fc
  .record({
    myAsn: u16,
    holdTime: u16,
    bgpIdentifier: ipv4,
    capabilities: fc.array(capabilityArb, { maxLength: 8 }),
    unknownParameters: fc.array(
      fc.record({
        parameterType: fc.integer({ min: 0, max: 254 }).filter((t) => t !== 2),
        data: fc.uint8Array({ maxLength: 12 }),
      }),
      { maxLength: 2 },
    ),
  })
  .map(({ unknownParameters, ...rest }) => {
    const open: OpenMessage = { type: "open", version: 4, ...rest };
    return unknownParameters.length > 0 ? { ...open, unknownParameters } : open;
  });

const CEASE_WITH_TEXT = [2, 4];

export const notificationArb: fc.Arbitrary<NotificationMessage> = fc.oneof(
  fc
    .record({ code: fc.integer({ min: 1, max: 7 }), subcode: u8, data: fc.uint8Array({ maxLength: 64 }) })
    .filter(({ code, subcode }) => !(code === 6 && CEASE_WITH_TEXT.includes(subcode)))
    .map((n) => ({ type: "notification" as const, ...n })),
  // RFC 9003: Cease / Administrative Shutdown or Reset with a shutdown communication.
  fc
    .tuple(fc.constantFrom(...CEASE_WITH_TEXT), fc.string({ unit: "grapheme", maxLength: 80 }))
    .filter(([, text]) => Buffer.byteLength(text) <= 255)
    .map(([subcode, text]): NotificationMessage => {
      const utf8 = Buffer.from(text);
      const data = new Uint8Array(1 + utf8.length);
      data[0] = utf8.length;
      data.set(utf8, 1);
      return { type: "notification", code: 6, subcode, data, shutdownMessage: text };
    }),
);

export const keepaliveArb: fc.Arbitrary<KeepaliveMessage> = fc.constant({ type: "keepalive" });

export const routeRefreshArb: fc.Arbitrary<RouteRefreshMessage> = fc
  .record({ afi: u16, safi: u8, subtype: u8, orf: fc.uint8Array({ maxLength: 40 }) })
  .map(({ orf, ...rest }): RouteRefreshMessage => {
    const message: RouteRefreshMessage = { type: "route-refresh", ...rest };
    // RFC 7313 §5: subtypes 1 and 2 carry nothing after AFI/SAFI.
    return orf.length > 0 && rest.subtype !== 1 && rest.subtype !== 2 ? { ...message, orf } : message;
  });

export function messageArb(ctx: CodecContext): fc.Arbitrary<BgpMessage> {
  return fc.oneof(
    { arbitrary: updateArb(ctx), weight: 4 },
    { arbitrary: openArb, weight: 2 },
    { arbitrary: notificationArb, weight: 1 },
    { arbitrary: keepaliveArb, weight: 1 },
    { arbitrary: routeRefreshArb, weight: 1 },
  );
}

/** A context and a message valid under it. */
export const contextAndMessageArb = contextArb.chain((ctx) =>
  messageArb(ctx).map((message) => ({ ctx, message })),
);

/** A header (all-ones marker, the length of `body` + 19, `type`) in front of `body`. */
export function withHeader(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(19 + body.length);
  out.fill(0xff, 0, 16);
  out[16] = (out.length >>> 8) & 0xff;
  out[17] = out.length & 0xff;
  out[18] = type;
  out.set(body, 19);
  return out;
}

export type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number }
  | { kind: "truncate"; at: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

/** Apply mutations to the body (after the header), then rewrite the Length so the body decoders run. */
export function mutate(message: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let body = Array.from(message.subarray(19));
  for (const m of mutations) {
    const at = body.length === 0 ? 0 : m.at % (body.length + (m.kind === "insert" ? 1 : 0));
    switch (m.kind) {
      case "flip":
        if (body.length > 0) body[at] ^= 1 << m.bit;
        break;
      case "set":
        if (body.length > 0) body[at] = m.value;
        break;
      case "insert":
        body.splice(at, 0, ...m.bytes);
        break;
      case "delete":
        body.splice(at, m.count);
        break;
      case "truncate":
        body = body.slice(0, at);
        break;
      default: {
        const unreachable: never = m;
        throw new Error(`unknown mutation ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return withHeader(message[18], Uint8Array.from(body));
}

/**
 * A valid message, encoded, then mutated, with the context to decode it under: its own, or another
 * one (decoding under a context the sender did not use, say ADD-PATH, is a mutation too).
 */
export const mutatedMessageArb: fc.Arbitrary<{ bytes: Uint8Array; ctx: CodecContext }> = fc
  .tuple(
    contextAndMessageArb,
    fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
    contextArb,
    fc.boolean(),
  )
  .map(([{ ctx, message }, mutations, otherCtx, sameCtx]) => ({
    bytes: mutate(encodeMessage(message, ctx), mutations),
    ctx: sameCtx ? ctx : otherCtx,
  }));
