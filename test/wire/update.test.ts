import { describe, expect, it } from "vitest";
import { resolveContext } from "../../src/wire/context.js";
import { endOfRib, endOfRibFamily } from "../../src/wire/end-of-rib.js";
import type { CodecContext, UpdateMessage } from "../../src/wire/types.js";
import { AS2, AS4, decodeBody, encodeBody } from "./update-helpers.js";

function expectBothWays(bytes: readonly number[], message: UpdateMessage, ctx: CodecContext = AS4) {
  expect(decodeBody(bytes, ctx)).toEqual(message);
  expect(encodeBody(message, ctx)).toEqual([...bytes]);
}

describe("UPDATE body", () => {
  it("withdrawn routes, path attributes and NLRI (2-octet AS session)", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x00, 0x04, // Withdrawn Routes Length 4
        0x18, 203, 0, 113, // 203.0.113.0/24
        0x00, 0x12, // Total Path Attribute Length 18
        0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
        0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9, // AS_PATH AS_SEQUENCE [65001]
        0x40, 0x03, 0x04, 198, 51, 100, 1, // NEXT_HOP 198.51.100.1
        0x18, 198, 51, 100, // 198.51.100.0/24
        0x08, 10, // 10.0.0.0/8
        0x19, 198, 51, 100, 0x80, // 198.51.100.128/25
      ],
      {
        type: "update",
        withdrawnRoutes: [{ prefix: "203.0.113.0/24" }],
        attributes: { origin: "igp", asPath: [{ type: "sequence", asns: [65001] }], nextHop: "198.51.100.1" },
        nlri: [{ prefix: "198.51.100.0/24" }, { prefix: "10.0.0.0/8" }, { prefix: "198.51.100.128/25" }],
      },
      AS2,
    );
  });

  it("the same route on a 4-octet AS session", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x00, 0x00, // Withdrawn Routes Length 0
        0x00, 0x14, // Total Path Attribute Length 20
        0x40, 0x01, 0x01, 0x02, // ORIGIN INCOMPLETE
        0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9, // AS_PATH AS_SEQUENCE [65001], 4 octets
        0x40, 0x03, 0x04, 198, 51, 100, 1, // NEXT_HOP 198.51.100.1
        0x18, 198, 51, 100, // 198.51.100.0/24
      ],
      {
        type: "update",
        withdrawnRoutes: [],
        attributes: {
          origin: "incomplete",
          asPath: [{ type: "sequence", asns: [65001] }],
          nextHop: "198.51.100.1",
        },
        nlri: [{ prefix: "198.51.100.0/24" }],
      },
      AS4,
    );
  });

  it("ADD-PATH identifiers on withdrawn routes and NLRI when negotiated for IPv4", () => {
    const ctx = resolveContext({ fourOctetAs: true, addPath: ["ipv4-unicast"] });
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x00, 0x08, // Withdrawn Routes Length 8
        0x00, 0x00, 0x00, 0x02, 0x18, 203, 0, 113, // path id 2, 203.0.113.0/24
        0x00, 0x0e, // Total Path Attribute Length 14
        0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
        0x40, 0x02, 0x00, // AS_PATH empty
        0x40, 0x03, 0x04, 198, 51, 100, 1, // NEXT_HOP
        0x00, 0x00, 0x00, 0x01, 0x18, 198, 51, 100, // path id 1, 198.51.100.0/24
      ],
      {
        type: "update",
        withdrawnRoutes: [{ prefix: "203.0.113.0/24", pathId: 2 }],
        attributes: { origin: "igp", asPath: [], nextHop: "198.51.100.1" },
        nlri: [{ prefix: "198.51.100.0/24", pathId: 1 }],
      },
      ctx,
    );
  });

  it("IPv6 routes in MP_REACH_NLRI need no NEXT_HOP", () => {
    // biome-ignore format: one line per wire field
    const message = decodeBody([
      0x00, 0x00, // Withdrawn Routes Length 0
      0x00, 0x26, // Total Path Attribute Length 38
      0x80, 0x0e, 0x1c, // MP_REACH_NLRI, length 28
      0x00, 0x02, 0x01, // AFI 2, SAFI 1
      0x10, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // next hop 2001:db8:100::1
      0x00, // reserved
      0x30, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, // 2001:db8:100::/48
      0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
      0x40, 0x02, 0x00, // AS_PATH empty
    ]);
    expect(message).toEqual({
      type: "update",
      withdrawnRoutes: [],
      attributes: {
        mpReach: {
          family: "ipv6-unicast",
          afi: 2,
          safi: 1,
          nextHop: "2001:db8:100::1",
          nlri: [{ prefix: "2001:db8:100::/48" }],
        },
        origin: "igp",
        asPath: [],
      },
      nlri: [],
    });
  });

  it("attributes with no routes at all are fine (RFC 4271 §5)", () => {
    const message = decodeBody([0x00, 0x00, 0x00, 0x04, 0x40, 0x01, 0x01, 0x00]); // lengths, ORIGIN only
    expect(message).toEqual({ type: "update", withdrawnRoutes: [], attributes: { origin: "igp" }, nlri: [] });
    expect(Object.keys(message)).toEqual(["type", "withdrawnRoutes", "attributes", "nlri"]);
  });

  it("a withdraw-only UPDATE", () => {
    expectBothWays(
      [0x00, 0x03, 0x10, 198, 51, 0x00, 0x00], // withdrawn length 3, 198.51.0.0/16, attribute length 0
      { type: "update", withdrawnRoutes: [{ prefix: "198.51.0.0/16" }], attributes: {}, nlri: [] },
    );
  });
});

describe("End-of-RIB (RFC 4724 §2)", () => {
  it("IPv4 unicast: the minimum UPDATE", () => {
    expect(encodeBody(endOfRib("ipv4-unicast"))).toEqual([0x00, 0x00, 0x00, 0x00]); // both lengths 0
    expect(endOfRibFamily(decodeBody([0x00, 0x00, 0x00, 0x00]))).toBe("ipv4-unicast");
  });

  it("IPv6 unicast: only an empty MP_UNREACH_NLRI", () => {
    // biome-ignore format: one line per wire field
    const bytes = [
      0x00, 0x00, // Withdrawn Routes Length 0
      0x00, 0x06, // Total Path Attribute Length 6
      0x80, 0x0f, 0x03, 0x00, 0x02, 0x01, // MP_UNREACH_NLRI AFI 2 SAFI 1, no routes
    ];
    expect(encodeBody(endOfRib("ipv6-unicast"))).toEqual(bytes);
    expect(decodeBody(bytes)).toEqual(endOfRib("ipv6-unicast"));
    expect(endOfRibFamily(decodeBody(bytes))).toBe("ipv6-unicast");
  });

  it("is nothing else", () => {
    expect(endOfRibFamily(decodeBody([0x00, 0x00, 0x00, 0x04, 0x40, 0x01, 0x01, 0x00]))).toBeNull(); // ORIGIN
    expect(endOfRibFamily(decodeBody([0x00, 0x00, 0x00, 0x00, 0x08, 10]))).toBeNull(); // NLRI 10/8
    expect(endOfRibFamily(decodeBody([0x00, 0x01, 0x00, 0x00, 0x00]))).toBeNull(); // withdraws 0/0
    // An empty MP_UNREACH of a family we keep raw is that family's marker, but not one of ours.
    expect(
      endOfRibFamily(decodeBody([0x00, 0x00, 0x00, 0x06, 0x80, 0x0f, 0x03, 0x00, 0x01, 0x80])),
    ).toBeNull();
    // An MP_UNREACH that withdraws something is a withdrawal.
    const withdraw = decodeBody([0x00, 0x00, 0x00, 0x07, 0x80, 0x0f, 0x04, 0x00, 0x02, 0x01, 0x00]);
    expect(endOfRibFamily(withdraw)).toBeNull();
  });
});
