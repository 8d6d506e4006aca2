import { describe, expect, it } from "vitest";
import { resolveContext } from "../../../src/wire/context.js";
import { AS4, decodeAttributes, encodeAttributes, expectBothWays } from "./helpers.js";

describe("MP_REACH_NLRI / MP_UNREACH_NLRI", () => {
  it("IPv6 unicast with a 16-octet next hop", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x0e, 0x1a, // flags O, type 14, length 26
        0x00, 0x02, 0x01, // AFI 2 (IPv6), SAFI 1 (unicast)
        0x10, // next hop length 16
        0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8:100::1
        0x00, // reserved
        0x20, 0x20, 0x01, 0x0d, 0xb8, // 2001:db8::/32
      ],
      {
        mpReach: {
          family: "ipv6-unicast",
          afi: 2,
          safi: 1,
          nextHop: "2001:db8:100::1",
          nlri: [{ prefix: "2001:db8::/32" }],
        },
      },
    );
  });

  it("IPv6 unicast with a 32-octet next hop: global + link-local (RFC 2545)", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x0e, 0x3d, // flags O, type 14, length 61
        0x00, 0x02, 0x01, // AFI 2, SAFI 1
        0x20, // next hop length 32
        0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // global 2001:db8:100::1
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // link-local fe80::1
        0x00, // reserved
        0x30, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, // 2001:db8:100::/48
        0x80, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, // 2001:db8:100::2/128
      ],
      {
        mpReach: {
          family: "ipv6-unicast",
          afi: 2,
          safi: 1,
          nextHop: "2001:db8:100::1",
          linkLocalNextHop: "fe80::1",
          nlri: [{ prefix: "2001:db8:100::/48" }, { prefix: "2001:db8:100::2/128" }],
        },
      },
    );
  });

  it("IPv4 unicast routes with an IPv6 next hop (RFC 8950)", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x0e, 0x19, // flags O, type 14, length 25
        0x00, 0x01, 0x01, // AFI 1 (IPv4), SAFI 1
        0x10, // next hop length 16
        0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8:100::1
        0x00, // reserved
        0x18, 198, 51, 100, // 198.51.100.0/24
      ],
      {
        mpReach: {
          family: "ipv4-unicast",
          afi: 1,
          safi: 1,
          nextHop: "2001:db8:100::1",
          nlri: [{ prefix: "198.51.100.0/24" }],
        },
      },
    );
  });

  it("IPv4 unicast in MP_REACH with an IPv4 next hop", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x0e, 0x0d, // flags O, type 14, length 13
        0x00, 0x01, 0x01, // AFI 1, SAFI 1
        0x04, 198, 51, 100, 1, // next hop length 4, 198.51.100.1
        0x00, // reserved
        0x18, 198, 51, 100, // 198.51.100.0/24
      ],
      {
        mpReach: {
          family: "ipv4-unicast",
          afi: 1,
          safi: 1,
          nextHop: "198.51.100.1",
          nlri: [{ prefix: "198.51.100.0/24" }],
        },
      },
    );
  });

  it("ADD-PATH path identifiers in MP NLRI when negotiated for the family", () => {
    const ctx = resolveContext({ fourOctetAs: true, addPath: ["ipv6-unicast"] });
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x0e, 0x1e, // flags O, type 14, length 30
        0x00, 0x02, 0x01, // AFI 2, SAFI 1
        0x10, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // next hop 2001:db8:100::1
        0x00, // reserved
        0x00, 0x00, 0x00, 0x07, // path identifier 7
        0x20, 0x20, 0x01, 0x0d, 0xb8, // 2001:db8::/32
        0x80, 0x0f, 0x0c, // flags O, type 15, length 12
        0x00, 0x02, 0x01, // AFI 2, SAFI 1
        0x00, 0x00, 0x00, 0x09, // path identifier 9
        0x20, 0x20, 0x01, 0x0d, 0xb8, // 2001:db8::/32
      ],
      {
        mpReach: {
          family: "ipv6-unicast",
          afi: 2,
          safi: 1,
          nextHop: "2001:db8:100::1",
          nlri: [{ prefix: "2001:db8::/32", pathId: 7 }],
        },
        mpUnreach: {
          family: "ipv6-unicast",
          afi: 2,
          safi: 1,
          withdrawnRoutes: [{ prefix: "2001:db8::/32", pathId: 9 }],
        },
      },
      ctx,
    );
  });

  it("MP_UNREACH_NLRI for IPv6", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x0f, 0x0a, // flags O, type 15, length 10
        0x00, 0x02, 0x01, // AFI 2, SAFI 1
        0x30, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, // 2001:db8:100::/48
      ],
      {
        mpUnreach: {
          family: "ipv6-unicast",
          afi: 2,
          safi: 1,
          withdrawnRoutes: [{ prefix: "2001:db8:100::/48" }],
        },
      },
    );
  });

  it("keeps an unknown family raw (VPNv4, AFI 1 / SAFI 128)", () => {
    const nextHop = [0, 0, 0, 0, 0, 0, 0, 0, 198, 51, 100, 1]; // RD 0:0 + 198.51.100.1
    const nlri = [0x70, 0x00, 0x01, 0x01, 0, 0, 0xfd, 0xe8, 0, 0, 0, 0x64, 10, 1, 1]; // label, RD, 10.1.1.0/24
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x0e, 0x20, // flags O, type 14, length 32
        0x00, 0x01, 0x80, // AFI 1, SAFI 128
        0x0c, ...nextHop, // next hop length 12, next hop
        0x00, // reserved
        ...nlri, // labeled VPN NLRI, kept as bytes
      ],
      {
        mpReach: {
          family: null,
          afi: 1,
          safi: 128,
          nextHopBytes: Uint8Array.from(nextHop),
          nlriBytes: Uint8Array.from(nlri),
        },
      },
    );
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x0f, 0x07, // flags O, type 15, length 7
        0x00, 0x19, 0x46, // AFI 25 (L2VPN), SAFI 70 (EVPN)
        0x01, 0x02, 0x03, 0x04, // withdrawn routes, kept as bytes
      ],
      { mpUnreach: { family: null, afi: 25, safi: 70, withdrawnBytes: Uint8Array.of(1, 2, 3, 4) } },
    );
  });

  it("decodes raw data into plain Uint8Array copies even from a Buffer", () => {
    const bytes = Buffer.from([0x80, 0x0f, 0x05, 0x00, 0x19, 0x46, 0xaa, 0xbb]);
    const decoded = decodeAttributes([...bytes]);
    const unreach = decoded.attributes.mpUnreach;
    expect(unreach?.family).toBeNull();
    if (unreach?.family === null)
      expect(Object.getPrototypeOf(unreach.withdrawnBytes)).toBe(Uint8Array.prototype);
  });

  it("writes MP_REACH_NLRI and MP_UNREACH_NLRI before the other attributes (RFC 7606 §5.1)", () => {
    const bytes = encodeAttributes(
      {
        origin: "igp",
        mpUnreach: { family: "ipv6-unicast", afi: 2, safi: 1, withdrawnRoutes: [] },
        mpReach: { family: "ipv4-unicast", afi: 1, safi: 1, nextHop: "198.51.100.1", nlri: [] },
      },
      AS4,
    );
    // biome-ignore format: one line per wire field
    expect(bytes).toEqual([
      0x80, 0x0e, 0x09, 0x00, 0x01, 0x01, 0x04, 198, 51, 100, 1, 0x00, // MP_REACH, no NLRI
      0x80, 0x0f, 0x03, 0x00, 0x02, 0x01, // MP_UNREACH, no routes
      0x40, 0x01, 0x01, 0x00, // ORIGIN
    ]);
  });

  it("rejects next hops that cannot carry the routes", () => {
    const mp = (nextHop: string, linkLocalNextHop?: string) => ({
      mpReach: {
        family: "ipv6-unicast" as const,
        afi: 2,
        safi: 1,
        nextHop,
        ...(linkLocalNextHop === undefined ? {} : { linkLocalNextHop }),
        nlri: [],
      },
    });
    expect(() => encodeAttributes(mp("not-an-address"))).toThrow(TypeError);
    expect(() => encodeAttributes(mp("198.51.100.1", "fe80::1"))).toThrow(TypeError);
    expect(() => encodeAttributes(mp("2001:db8::1", "fe80::zz"))).toThrow(TypeError);
  });
});
