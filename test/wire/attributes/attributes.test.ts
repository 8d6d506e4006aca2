import { describe, expect, it } from "vitest";
import { AS2, AS4, decodeAttributes, encodeAttributes, expectBothWays } from "./helpers.js";

describe("well-known attributes, both directions", () => {
  it("ORIGIN", () => {
    expectBothWays([0x40, 0x01, 0x01, 0x00], { origin: "igp" }); // flags T, type 1, length 1, IGP
    expectBothWays([0x40, 0x01, 0x01, 0x01], { origin: "egp" }); // EGP
    expectBothWays([0x40, 0x01, 0x01, 0x02], { origin: "incomplete" }); // INCOMPLETE
  });

  it("AS_PATH with 2-octet ASes", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x40, 0x02, 0x0c, // flags T, type 2, length 12
        0x02, 0x02, // AS_SEQUENCE, 2 ASes
        0xfd, 0xe9, 0xfd, 0xea, // 65001 65002
        0x01, 0x02, // AS_SET, 2 ASes
        0x00, 0x01, 0x00, 0x02, // 1 2
      ],
      {
        asPath: [
          { type: "sequence", asns: [65001, 65002] },
          { type: "set", asns: [1, 2] },
        ],
      },
      AS2,
    );
  });

  it("AS_PATH with 4-octet ASes and confederation segments", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x40, 0x02, 0x12, // flags T, type 2, length 18
        0x03, 0x01, 0x00, 0x00, 0xfd, 0xe9, // AS_CONFED_SEQUENCE [65001]
        0x04, 0x01, 0x00, 0x00, 0xfd, 0xea, // AS_CONFED_SET [65002]
        0x02, 0x01, 0xfa, 0x56, 0xea, 0x00, // AS_SEQUENCE [4200000000]
      ],
      {
        asPath: [
          { type: "confed-sequence", asns: [65001] },
          { type: "confed-set", asns: [65002] },
          { type: "sequence", asns: [4200000000] },
        ],
      },
      AS4,
    );
  });

  it("an empty AS_PATH (iBGP)", () => {
    expectBothWays([0x40, 0x02, 0x00], { asPath: [] }); // flags T, type 2, length 0
  });

  it("AS_PATH on a 2-octet session writes AS_TRANS for a 4-octet AS (RFC 6793)", () => {
    // biome-ignore format: one line per wire field
    expect(encodeAttributes({ asPath: [{ type: "sequence", asns: [4200000000, 65001] }] }, AS2)).toEqual([
      0x40, 0x02, 0x06, // flags T, type 2, length 6
      0x02, 0x02, // AS_SEQUENCE, 2 ASes
      0x5b, 0xa0, // AS_TRANS 23456
      0xfd, 0xe9, // 65001
    ]);
  });

  it("AS_PATH splits a segment longer than 255 ASes", () => {
    const asns = Array.from({ length: 300 }, (_, i) => i + 1);
    const bytes = encodeAttributes({ asPath: [{ type: "sequence", asns }] }, AS2);
    expect(bytes.slice(0, 4)).toEqual([0x50, 0x02, 0x02, 0x5c]); // extended length: 2 + 510 + 2 + 90 = 604
    expect(bytes[4]).toBe(0x02); // AS_SEQUENCE
    expect(bytes[5]).toBe(255); // first 255 ASes
    expect(bytes.slice(4 + 2 + 510, 4 + 2 + 510 + 2)).toEqual([0x02, 45]); // then 45 more
    expect(decodeAttributes(bytes, AS2).attributes.asPath).toEqual([
      { type: "sequence", asns: asns.slice(0, 255) },
      { type: "sequence", asns: asns.slice(255) },
    ]);
  });

  it("NEXT_HOP", () => {
    expectBothWays([0x40, 0x03, 0x04, 198, 51, 100, 1], { nextHop: "198.51.100.1" }); // flags T, type 3, length 4
  });

  it("MULTI_EXIT_DISC and LOCAL_PREF", () => {
    expectBothWays([0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x64], { med: 100 }); // flags O, type 4, length 4, 100
    expectBothWays([0x40, 0x05, 0x04, 0xff, 0xff, 0xff, 0xff], { localPref: 4294967295 }); // flags T, type 5
  });

  it("ATOMIC_AGGREGATE", () => {
    expectBothWays([0x40, 0x06, 0x00], { atomicAggregate: true }); // flags T, type 6, length 0
  });
});

describe("optional attributes, both directions", () => {
  it("AGGREGATOR with a 2-octet AS", () => {
    expectBothWays(
      [0xc0, 0x07, 0x06, 0xfd, 0xe9, 198, 51, 100, 1], // flags OT, type 7, length 6, AS 65001, 198.51.100.1
      { aggregator: { asn: 65001, address: "198.51.100.1" } },
      AS2,
    );
  });

  it("AGGREGATOR with a 4-octet AS", () => {
    expectBothWays(
      [0xc0, 0x07, 0x08, 0xfa, 0x56, 0xea, 0x00, 198, 51, 100, 1], // flags OT, type 7, length 8, AS 4200000000
      { aggregator: { asn: 4200000000, address: "198.51.100.1" } },
      AS4,
    );
  });

  it("COMMUNITIES", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0xc0, 0x08, 0x08, // flags OT, type 8, length 8
        0xfd, 0xe9, 0x00, 0x64, // 65001:100
        0xff, 0xff, 0xff, 0x01, // 65535:65281 NO_EXPORT
      ],
      { communities: ["65001:100", "65535:65281"] },
    );
  });

  it("ORIGINATOR_ID and CLUSTER_LIST", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0x80, 0x09, 0x04, 198, 51, 100, 7, // flags O, type 9, length 4, 198.51.100.7
        0x80, 0x0a, 0x08, // flags O, type 10, length 8
        198, 51, 100, 1, // cluster 198.51.100.1
        198, 51, 100, 2, // cluster 198.51.100.2
      ],
      { originatorId: "198.51.100.7", clusterList: ["198.51.100.1", "198.51.100.2"] },
    );
  });

  it("EXTENDED_COMMUNITIES", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0xc0, 0x10, 0x10, // flags OT, type 16, length 16
        0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64, // route target 65000:100
        0x80, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // traffic-rate 0
      ],
      { extendedCommunities: ["0002fde800000064", "8006000000000000"] },
    );
    // Upper-case hex is accepted on encode.
    // biome-ignore format: one line per wire field
    expect(encodeAttributes({ extendedCommunities: ["0002FDE800000064"] }).slice(3)).toEqual([
      0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64,
    ]);
  });

  it("AS4_PATH and AS4_AGGREGATOR", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0xc0, 0x11, 0x06, // flags OT, type 17, length 6
        0x02, 0x01, 0xfa, 0x56, 0xea, 0x00, // AS_SEQUENCE [4200000000]
        0xc0, 0x12, 0x08, // flags OT, type 18, length 8
        0xfa, 0x56, 0xea, 0x00, 198, 51, 100, 1, // AS 4200000000, 198.51.100.1
      ],
      {
        as4Path: [{ type: "sequence", asns: [4200000000] }],
        as4Aggregator: { asn: 4200000000, address: "198.51.100.1" },
      },
      AS2,
    );
  });

  it("LARGE_COMMUNITY", () => {
    expectBothWays(
      // biome-ignore format: one line per wire field
      [
        0xc0, 0x20, 0x0c, // flags OT, type 32, length 12
        0x00, 0x00, 0xfd, 0xe9, // global administrator 65001
        0x00, 0x00, 0x00, 0x01, // local data 1
        0x00, 0x00, 0x00, 0x02, // local data 2
      ],
      { largeCommunities: ["65001:1:2"] },
    );
  });

  it("OTC", () => {
    expectBothWays([0xc0, 0x23, 0x04, 0x00, 0x00, 0xfd, 0xe9], { otc: 65001 }); // flags OT, type 35, length 4
  });
});

describe("encoding", () => {
  it("writes attributes in ascending type order whatever the object's key order", () => {
    const bytes = encodeAttributes({ med: 5, nextHop: "198.51.100.1", origin: "igp" });
    // biome-ignore format: one line per wire field
    expect(bytes).toEqual([
      0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
      0x40, 0x03, 0x04, 198, 51, 100, 1, // NEXT_HOP
      0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x05, // MED 5
    ]);
  });

  it("uses the extended-length flag when a value exceeds 255 octets, and decodes it", () => {
    const communities = Array.from({ length: 70 }, (_, i) => `65001:${i}`);
    const bytes = encodeAttributes({ communities });
    expect(bytes.slice(0, 4)).toEqual([0xd0, 0x08, 0x01, 0x18]); // flags OT+E, type 8, length 280
    expect(bytes.slice(4, 8)).toEqual([0xfd, 0xe9, 0x00, 0x00]); // 65001:0
    expect(bytes.length).toBe(4 + 280);
    expect(decodeAttributes(bytes).attributes).toEqual({ communities });
  });

  it("accepts the extended-length flag on a short attribute", () => {
    const decoded = decodeAttributes([0x50, 0x01, 0x00, 0x01, 0x02]); // flags T+E, type 1, length 0x0001, INCOMPLETE
    expect(decoded.problems).toEqual([]);
    expect(decoded.attributes).toEqual({ origin: "incomplete" });
  });

  it("rejects values it cannot encode: TypeError for the wrong kind, RangeError for out of range", () => {
    expect(() => encodeAttributes({ communities: ["65536:1"] })).toThrow(TypeError);
    expect(() => encodeAttributes({ communities: ["1:2:3"] })).toThrow(TypeError);
    expect(() => encodeAttributes({ largeCommunities: ["1:2"] })).toThrow(TypeError);
    expect(() => encodeAttributes({ extendedCommunities: ["00"] })).toThrow(TypeError);
    expect(() => encodeAttributes({ nextHop: "2001:db8::1" })).toThrow(TypeError);
    expect(() => encodeAttributes({ med: 1.5 })).toThrow(TypeError);
    expect(() => encodeAttributes({ med: -1 })).toThrow(/MULTI_EXIT_DISC -1 does not fit 32 bits/);
    expect(() => encodeAttributes({ med: -1 })).toThrow(RangeError);
    expect(() => encodeAttributes({ localPref: 2 ** 32 })).toThrow(RangeError);
    expect(() => encodeAttributes({ asPath: [{ type: "sequence", asns: [2 ** 32] }] })).toThrow(RangeError);
  });
});
