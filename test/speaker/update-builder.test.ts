import { describe, expect, it } from "vitest";
import { AdjRibOut } from "../../src/speaker/adj-rib-out.js";
import { pathAttributesFor } from "../../src/speaker/path-attributes.js";
import { normalizeAttributes } from "../../src/speaker/route.js";
import { encodePathAttributes } from "../../src/wire/attributes/index.js";
import { resolveContext } from "../../src/wire/context.js";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import { nlriLength } from "../../src/wire/prefix.js";
import type { AddressFamily, CodecContext, UpdateMessage } from "../../src/wire/types.js";
import { Writer } from "../../src/wire/writer.js";
import { buildAnnouncements, buildWithdrawals } from "./update-builder-reference.js";

const v4 = (n: number) => `10.${(n >> 8) & 255}.${n & 255}.0/24`;
const v6 = (n: number) => `2001:db8:${(n + 1).toString(16)}::/48`;

function attributesLength(family: AddressFamily, ctx: CodecContext, nextHop: string) {
  const attributes = pathAttributesFor(
    family,
    normalizeAttributes({ med: 7, communities: ["65001:1"] }),
    { localAsn: 65001, external: true, fourOctetAs: ctx.fourOctetAs },
    nextHop,
  );
  const w = new Writer();
  encodePathAttributes(w, attributes, ctx);
  return { attributes, attributesLength: w.offset };
}

/** Encode each message for real and collect what a receiver decodes from the bytes. */
function roundTrip(messages: UpdateMessage[], ctx: CodecContext, max: number) {
  const prefixes: string[] = [];
  for (const m of messages) {
    const bytes = encodeMessage(m, ctx);
    expect(bytes.length).toBeLessThanOrEqual(max);
    const decoded = decodeMessage(bytes, ctx);
    if (decoded.type !== "update") throw new Error("not an UPDATE");
    for (const n of decoded.nlri) prefixes.push(n.prefix);
    for (const n of decoded.withdrawnRoutes) prefixes.push(n.prefix);
    const reach = decoded.attributes.mpReach;
    if (reach !== undefined && reach.family !== null) for (const n of reach.nlri) prefixes.push(n.prefix);
    const unreach = decoded.attributes.mpUnreach;
    if (unreach !== undefined && unreach.family !== null)
      for (const n of unreach.withdrawnRoutes) prefixes.push(n.prefix);
  }
  return prefixes;
}

describe("UPDATE packing", () => {
  it("counts NLRI octets as RFC 4271 §4.3 lays them out", () => {
    expect(nlriLength("10.0.0.0/8", false)).toBe(2);
    expect(nlriLength("198.51.100.0/24", false)).toBe(4);
    expect(nlriLength("198.51.100.1/32", true)).toBe(9);
    expect(nlriLength("0.0.0.0/0", false)).toBe(1);
    expect(nlriLength("2001:db8::/33", false)).toBe(6);
    expect(nlriLength("2001:db8::/100", false)).toBe(14);
    expect(nlriLength("2001:db8::1/128", true)).toBe(21);
    expect(nlriLength("10.0.0.0/9", false)).toBe(3);
  });

  for (const extendedMessage of [false, true]) {
    const ctx = resolveContext({ fourOctetAs: true, extendedMessage });
    const max = extendedMessage ? 65535 : 4096;

    it(`fills ${max}-octet UPDATEs with IPv4 /24s and loses none`, () => {
      const prefixes = Array.from({ length: 20_000 }, (_, i) => v4(i));
      const { attributes, attributesLength: len } = attributesLength("ipv4-unicast", ctx, "198.51.100.2");
      const messages = buildAnnouncements(
        { family: "ipv4-unicast", attributes, attributesLength: len, prefixes },
        ctx,
        max,
      );
      expect(roundTrip(messages, ctx, max)).toEqual(prefixes);
      // Every message but the last is full to within one NLRI.
      const perMessage = Math.floor((max - 23 - len) / 4);
      expect(messages.length).toBe(Math.ceil(prefixes.length / perMessage));
    });

    it(`fills ${max}-octet UPDATEs with IPv6 /48s in MP_REACH_NLRI`, () => {
      const prefixes = Array.from({ length: 9000 }, (_, i) => v6(i));
      const { attributes, attributesLength: len } = attributesLength("ipv6-unicast", ctx, "2001:db8:100::2");
      const messages = buildAnnouncements(
        { family: "ipv6-unicast", attributes, attributesLength: len, prefixes },
        ctx,
        max,
      );
      expect(roundTrip(messages, ctx, max)).toEqual(prefixes);
      const perMessage = Math.floor((max - 23 - len - 1) / 7);
      expect(messages.length).toBe(Math.ceil(prefixes.length / perMessage));
    });

    it(`packs withdrawals of both families into ${max}-octet UPDATEs`, () => {
      const v4s = Array.from({ length: 5000 }, (_, i) => v4(i));
      const v6s = Array.from({ length: 5000 }, (_, i) => v6(i));
      expect(roundTrip(buildWithdrawals("ipv4-unicast", v4s, ctx, max), ctx, max)).toEqual(v4s);
      expect(roundTrip(buildWithdrawals("ipv6-unicast", v6s, ctx, max), ctx, max)).toEqual(v6s);
    });
  }

  it("gives every NLRI a path id under ADD-PATH", () => {
    const ctx = resolveContext({ fourOctetAs: true, addPath: ["ipv4-unicast"] });
    const prefixes = Array.from({ length: 3000 }, (_, i) => v4(i));
    const { attributes, attributesLength: len } = attributesLength("ipv4-unicast", ctx, "198.51.100.2");
    const messages = buildAnnouncements(
      { family: "ipv4-unicast", attributes, attributesLength: len, prefixes },
      ctx,
      4096,
    );
    expect(roundTrip(messages, ctx, 4096)).toEqual(prefixes);
    expect(messages.every((m) => m.nlri.every((n) => n.pathId === 1))).toBe(true);
  });
});

describe("Adj-RIB-Out", () => {
  const a = normalizeAttributes({ med: 1 });
  const b = normalizeAttributes({ med: 2 });

  it("interns equal attributes into one object", () => {
    expect(normalizeAttributes({ med: 1 })).toBe(a);
    expect(normalizeAttributes({ communities: ["no-export"] }).communities).toEqual(["65535:65281"]);
  });

  it("coalesces changes: the last state of each prefix wins", () => {
    const rib = new AdjRibOut();
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: a });
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: b });
    rib.set("10.0.1.0/24", { family: "ipv4-unicast", attributes: a });
    rib.delete("10.0.1.0/24");
    const changes = rib.takeChanges(100);
    expect(changes.announce.map((g) => [g.attributes.med, g.prefixes])).toEqual([[2, ["10.0.0.0/24"]]]);
    // 10.0.1.0/24 was never sent, so nothing is withdrawn.
    expect(changes.withdraw.size).toBe(0);
  });

  it("withdraws only what was sent, and sends nothing twice", () => {
    const rib = new AdjRibOut();
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: a });
    rib.set("2001:db8::/32", { family: "ipv6-unicast", attributes: a });
    rib.takeChanges(100);
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: a }); // same again: no change
    expect(rib.pendingCount).toBe(0);
    rib.delete("2001:db8::/32");
    rib.delete("10.0.9.0/24"); // never announced
    const changes = rib.takeChanges(100);
    expect(changes.announce.length).toBe(0);
    expect([...changes.withdraw]).toEqual([["ipv6-unicast", ["2001:db8::/32"]]]);
  });

  it("replays everything desired for a new session and on route refresh", () => {
    const rib = new AdjRibOut();
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: a });
    rib.set("2001:db8::/32", { family: "ipv6-unicast", attributes: b });
    rib.takeChanges(100);
    expect(rib.sentRoutes).toBe(2);
    rib.delete("10.0.0.0/24");
    rib.resetSession();
    expect(rib.sentRoutes).toBe(0);
    // The new session gets what is wanted now, and no withdrawal for what the old one was told.
    const replay = rib.takeChanges(100);
    expect(replay.announce.flatMap((g) => g.prefixes)).toEqual(["2001:db8::/32"]);
    expect(replay.withdraw.size).toBe(0);
    rib.set("10.0.1.0/24", { family: "ipv4-unicast", attributes: a });
    rib.takeChanges(100);
    rib.resend("ipv6-unicast");
    const refresh = rib.takeChanges(100);
    expect(refresh.announce.flatMap((g) => g.prefixes)).toEqual(["2001:db8::/32"]);
    expect(rib.desiredCount).toBe(2);
  });

  it("marks made while a replay is under way are not lost, and the replay sends each route once", () => {
    const rib = new AdjRibOut();
    for (let i = 0; i < 300; i++) rib.set(v4(i), { family: "ipv4-unicast", attributes: a });
    rib.resetSession();
    const sent = new Map<string, number>();
    const take = () => {
      const c = rib.takeChanges(100);
      for (const g of c.announce) for (const p of g.prefixes) sent.set(p, g.attributes.med!);
      return c;
    };
    take();
    rib.set(v4(0), { family: "ipv4-unicast", attributes: b }); // already replayed: must go again
    rib.set(v4(299), { family: "ipv4-unicast", attributes: b }); // not yet replayed
    rib.set(v4(300), { family: "ipv4-unicast", attributes: a }); // new
    rib.delete(v4(150)); // not yet replayed: never sent, nothing to withdraw
    let announced = 0;
    for (;;) {
      const c = take();
      announced += c.announce.reduce((n, g) => n + g.prefixes.length, 0);
      expect(c.withdraw.size).toBe(0);
      if (c.examined === 0) break;
    }
    expect(sent.size).toBe(300); // 0..300 less 150
    expect(sent.get(v4(0))).toBe(2);
    expect(sent.get(v4(299))).toBe(2);
    expect(sent.has(v4(150))).toBe(false);
    expect(announced).toBe(201); // 300 - 100 in the first batch - 1 deleted + 1 new + v4(0) again
    expect(rib.sentRoutes).toBe(300);
    expect(rib.pendingCount).toBe(0);
  });

  it("takes changes in bounded batches", () => {
    const rib = new AdjRibOut();
    for (let i = 0; i < 250; i++) rib.set(v4(i), { family: "ipv4-unicast", attributes: a });
    const first = rib.takeChanges(100);
    expect(first.examined).toBe(100);
    expect(rib.pendingCount).toBe(150);
  });
});
