import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RibOutTable } from "../../src/speaker/adj-rib-out.js";
import { pathAttributesFor } from "../../src/speaker/path-attributes.js";
import { normalizeAttributes } from "../../src/speaker/route.js";
import { packAnnouncements, packWithdrawals } from "../../src/speaker/update-packer.js";
import { maxMessageLength, resolveContext } from "../../src/wire/context.js";
import { MessageFramer } from "../../src/wire/framer.js";
import { decodeMessage, encodeMessage, encodingLength } from "../../src/wire/message.js";
import type { AddressFamily, CodecContext, PathAttributes, UpdateMessage } from "../../src/wire/types.js";
import { Writer } from "../../src/wire/writer.js";
import { contextArb, prefixArb, RUNS } from "../property/arbitraries.js";
import { buildAnnouncements, buildWithdrawals } from "./update-builder-reference.js";

const v4 = (n: number) => `10.${(n >> 8) & 255}.${n & 255}.0/24`;
const v6 = (n: number) => `2001:db8:${(n + 1).toString(16)}::/48`;
const VIEW = { localAsn: 65001, external: true, fourOctetAs: true };

/** What the message-level builders give, each UPDATE encoded by the generic encoder, back to back. */
function concat(messages: readonly UpdateMessage[], ctx: CodecContext): Uint8Array {
  const w = new Writer();
  for (const m of messages) w.bytes(encodeMessage(m, ctx));
  return w.finish();
}

function announceBoth(
  family: AddressFamily,
  attributes: PathAttributes,
  prefixes: string[],
  ctx: CodecContext,
  max: number,
) {
  const empty: UpdateMessage = { type: "update", withdrawnRoutes: [], attributes, nlri: [] };
  const attributesLength = encodingLength(empty, ctx) - 23;
  const expected = buildAnnouncements({ family, attributes, attributesLength, prefixes }, ctx, max);
  const w = new Writer(16);
  const count = packAnnouncements(w, family, attributes, prefixes, ctx, max);
  return { expected, count, bytes: w.finish() };
}

/** Cut a byte stream into messages and decode each one. */
function decodeAll(bytes: Uint8Array, ctx: CodecContext): UpdateMessage[] {
  const framer = new MessageFramer();
  framer.maxMessageLength = maxMessageLength(ctx);
  const out: UpdateMessage[] = [];
  for (const frame of framer.push(bytes)) {
    const m = decodeMessage(frame, ctx);
    if (m.type !== "update") throw new Error(`not an UPDATE: ${m.type}`);
    out.push(m);
  }
  return out;
}

const familyArb = fc.constantFrom<AddressFamily>("ipv4-unicast", "ipv6-unicast");

/** Route attributes as announce() takes them, with every next-hop shape the speaker sends. */
const routeArb = fc.record({
  med: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
  communities: fc.option(fc.array(fc.constantFrom("65001:1", "65001:2", "no-export"), { maxLength: 3 }), {
    nil: undefined,
  }),
  largeCommunities: fc.option(fc.array(fc.constantFrom("65001:1:2", "65001:3:4"), { maxLength: 70 }), {
    nil: undefined,
  }),
  asPathPrepend: fc.integer({ min: 0, max: 32 }),
  nextHop: fc.constantFrom("198.51.100.2", "2001:db8:100::2", "2001:db8:100::2|fe80::1"),
});

describe("UPDATE packer", () => {
  it("writes byte for byte what encodeMessage writes for the builders' announcements", () => {
    const caseArb = fc.record({ ctx: contextArb, family: familyArb, route: routeArb }).chain((c) =>
      fc.record({
        ctx: fc.constant(c.ctx),
        family: fc.constant(c.family),
        route: fc.constant(c.route),
        prefixes: fc.array(prefixArb(c.family), { maxLength: 900 }),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ ctx, family, route, prefixes }) => {
        const [nextHop, linkLocal] = route.nextHop.split("|");
        // A classic NEXT_HOP carries IPv4 routes only; an IPv6 route needs an IPv6 next hop.
        if (family === "ipv6-unicast" && !nextHop.includes(":")) return;
        const attributes = pathAttributesFor(
          family,
          normalizeAttributes({ ...route, nextHop }),
          VIEW,
          nextHop,
          family === "ipv6-unicast" ? linkLocal : undefined,
        );
        const max = maxMessageLength(ctx);
        const { expected, count, bytes } = announceBoth(family, attributes, prefixes, ctx, max);
        expect(count).toBe(expected.length);
        expect(Buffer.from(bytes).equals(Buffer.from(concat(expected, ctx)))).toBe(true);
      }),
      { numRuns: Math.max(100, RUNS / 10) },
    );
  });

  it("packs routes kept in wire form by the Adj-RIB-Out exactly as it packs their text", () => {
    const caseArb = fc.record({ ctx: contextArb, family: familyArb }).chain((c) =>
      fc.record({
        ctx: fc.constant(c.ctx),
        family: fc.constant(c.family),
        prefixes: fc.uniqueArray(prefixArb(c.family), { maxLength: 900 }),
        // Entries made and dropped first, so that ids are reused out of order.
        churn: fc.uniqueArray(prefixArb(c.family), { maxLength: 50 }),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ ctx, family, prefixes, churn }) => {
        const table = new RibOutTable();
        const route = { family, attributes: normalizeAttributes({}) };
        for (const p of churn) table.setGlobal(p, route);
        for (const p of churn) table.deleteGlobal(p);
        const ids = prefixes.map((p) => {
          table.setGlobal(p, route);
          return table.get(p) as number;
        });
        const nextHop = family === "ipv4-unicast" ? "198.51.100.2" : "2001:db8:100::2";
        const attributes = pathAttributesFor(family, route.attributes, VIEW, nextHop);
        const max = maxMessageLength(ctx);
        const fromText = new Writer(16);
        const fromWire = new Writer(16);
        const count = packAnnouncements(fromText, family, attributes, prefixes, ctx, max);
        expect(packAnnouncements(fromWire, family, attributes, { ids, nlri: table.nlri }, ctx, max)).toBe(
          count,
        );
        expect(Buffer.from(fromWire.view()).equals(Buffer.from(fromText.view()))).toBe(true);
      }),
      { numRuns: Math.max(100, RUNS / 10) },
    );
  });

  it("writes byte for byte what encodeMessage writes for the builders' withdrawals", () => {
    const caseArb = fc.record({ ctx: contextArb, family: familyArb, viaMp: fc.boolean() }).chain((c) =>
      fc.record({
        ctx: fc.constant(c.ctx),
        family: fc.constant(c.family),
        viaMp: fc.constant(c.viaMp || c.family !== "ipv4-unicast"),
        prefixes: fc.array(prefixArb(c.family), { maxLength: 900 }),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ ctx, family, viaMp, prefixes }) => {
        const max = maxMessageLength(ctx);
        const expected = buildWithdrawals(family, prefixes, ctx, max, viaMp);
        const w = new Writer(16);
        expect(packWithdrawals(w, family, prefixes, ctx, max, viaMp)).toBe(expected.length);
        expect(Buffer.from(w.finish()).equals(Buffer.from(concat(expected, ctx)))).toBe(true);
      }),
      { numRuns: Math.max(100, RUNS / 10) },
    );
  });

  it("gives an MP attribute the Extended Length bit exactly when its value passes 255 octets", () => {
    const ctx = resolveContext({ fourOctetAs: true });
    const attributes = pathAttributesFor("ipv6-unicast", normalizeAttributes({}), VIEW, "2001:db8:100::2");
    // MP_REACH_NLRI value: 21 octets before the routes, 7 per /48, so 33 routes make 252 and 34 make 259.
    for (let n = 25; n <= 40; n++) {
      const prefixes = Array.from({ length: n }, (_, i) => v6(i));
      const { expected, bytes } = announceBoth("ipv6-unicast", attributes, prefixes, ctx, 4096);
      expect(Buffer.from(bytes).equals(Buffer.from(concat(expected, ctx)))).toBe(true);
      // flags of the first attribute: after header (19), withdrawn length (2), attributes length (2)
      expect(bytes[23]).toBe(21 + 7 * n > 255 ? 0x90 : 0x80);
      const w = new Writer();
      packWithdrawals(w, "ipv6-unicast", prefixes, ctx, 4096);
      expect(w.view()[23]).toBe(3 + 7 * n > 255 ? 0x90 : 0x80);
      expect(
        Buffer.from(w.view()).equals(
          Buffer.from(concat(buildWithdrawals("ipv6-unicast", prefixes, ctx, 4096), ctx)),
        ),
      ).toBe(true);
    }
  });

  for (const extendedMessage of [false, true]) {
    const ctx = resolveContext({ fourOctetAs: true, extendedMessage });
    const max = maxMessageLength(ctx);

    it(`fills ${max}-octet UPDATEs with IPv6 /48s, every message full to within one route`, () => {
      const prefixes = Array.from({ length: 20_000 }, (_, i) => v6(i));
      const attributes = pathAttributesFor(
        "ipv6-unicast",
        normalizeAttributes({ med: 7 }),
        VIEW,
        "2001:db8:100::2",
      );
      const w = new Writer(16);
      const count = packAnnouncements(w, "ipv6-unicast", attributes, prefixes, ctx, max);
      const messages = decodeAll(w.view(), ctx);
      expect(messages.length).toBe(count);
      const got = messages.flatMap((m) => {
        const reach = m.attributes.mpReach;
        return reach !== undefined && reach.family !== null ? reach.nlri.map((n) => n.prefix) : [];
      });
      expect(got).toEqual(prefixes);
      for (const m of messages.slice(0, -1)) expect(max - encodeMessage(m, ctx).length).toBeLessThan(7);
      expect(
        messages.every((m) => m.attributes.med === 7 && m.attributes.mpReach?.family === "ipv6-unicast"),
      ).toBe(true);
    });

    it(`fills ${max}-octet UPDATEs with IPv4 /24s and withdrawals, and loses none`, () => {
      const prefixes = Array.from({ length: 20_000 }, (_, i) => v4(i));
      const attributes = pathAttributesFor("ipv4-unicast", normalizeAttributes({}), VIEW, "198.51.100.2");
      const w = new Writer(16);
      const announced = packAnnouncements(w, "ipv4-unicast", attributes, prefixes, ctx, max);
      const withdrawn = packWithdrawals(w, "ipv4-unicast", prefixes, ctx, max);
      const messages = decodeAll(w.view(), ctx);
      expect(messages.length).toBe(announced + withdrawn);
      expect(messages.slice(0, announced).flatMap((m) => m.nlri.map((n) => n.prefix))).toEqual(prefixes);
      expect(messages.slice(announced).flatMap((m) => m.withdrawnRoutes.map((n) => n.prefix))).toEqual(
        prefixes,
      );
    });
  }

  it("refuses a message that cannot hold even one route, naming its size", () => {
    const ctx = resolveContext({});
    // 70 large communities of 12 octets each: 840 octets of attributes against a 600-octet limit.
    const attributes = pathAttributesFor(
      "ipv6-unicast",
      normalizeAttributes({ largeCommunities: Array.from({ length: 70 }, (_, i) => `65001:${i}:1`) }),
      VIEW,
      "2001:db8:100::2",
    );
    expect(() =>
      packAnnouncements(new Writer(), "ipv6-unicast", attributes, ["2001:db8::/32"], ctx, 600),
    ).toThrow(/update message of \d+ octets exceeds the maximum of 600/);
  });
});
