import { describe, expect, it } from "vitest";
import { attributeCodec } from "../../src/wire/attributes/index.js";
import { BgpError } from "../../src/wire/errors.js";
import { Reader } from "../../src/wire/reader.js";
import type { UpdateMessage, UpdateProblem } from "../../src/wire/types.js";
import { errorOf } from "./message-bytes.js";
import { AS2, AS4, decodeBody } from "./update-helpers.js";

const ORIGIN = [0x40, 0x01, 0x01, 0x00]; // ORIGIN IGP
const AS_PATH = [0x40, 0x02, 0x00]; // AS_PATH empty
const NEXT_HOP = [0x40, 0x03, 0x04, 198, 51, 100, 1]; // NEXT_HOP 198.51.100.1
const MANDATORY = [...ORIGIN, ...AS_PATH, ...NEXT_HOP];
const NLRI = [0x18, 198, 51, 100]; // 198.51.100.0/24

/** An UPDATE body: no withdrawn routes, these attribute bytes, then the NLRI. */
function body(attributes: readonly number[], nlri: readonly number[] = NLRI): number[] {
  return [0x00, 0x00, attributes.length >> 8, attributes.length & 0xff, ...attributes, ...nlri];
}

function thrown(bytes: readonly number[], ctx = AS4): BgpError {
  return errorOf(() => decodeBody(bytes, ctx));
}

function expectReset(error: BgpError, code: number, subcode: number, data: readonly number[] = []) {
  expect({
    code: error.code,
    subcode: error.subcode,
    data: [...error.data],
    handling: error.errorHandling,
  }).toEqual({ code, subcode, data: [...data], handling: "session-reset" });
}

function problem(action: UpdateProblem["action"], subcode: number, attributeCode?: number) {
  return expect.objectContaining({
    action,
    code: 3,
    subcode,
    ...(attributeCode === undefined ? {} : { attributeCode }),
  });
}

describe("RFC 7606 session reset: the UPDATE cannot be parsed", () => {
  it("3/1 when the body cannot hold its two length fields", () => {
    expectReset(thrown([0x00, 0x00, 0x00]), 3, 1);
  });

  it("3/1 when the Withdrawn Routes Length overruns the message", () => {
    expectReset(thrown([0x00, 0x05, 0x18, 198, 51, 100, 0x00, 0x00]), 3, 1); // says 5, 4 follow before the 2-octet field
  });

  it("3/1 when the Total Path Attribute Length overruns the message", () => {
    expectReset(thrown([0x00, 0x00, 0x00, 0x10, ...ORIGIN]), 3, 1); // says 16, 4 follow
  });

  it("3/10 when an NLRI prefix length exceeds 32", () => {
    expectReset(thrown(body(MANDATORY, [0x21, 198, 51, 100, 1, 0])), 3, 10);
  });

  it("3/10 when an NLRI prefix runs past the end", () => {
    expectReset(thrown(body(MANDATORY, [0x18, 198, 51])), 3, 10);
  });

  it("3/10 when a withdrawn prefix runs past its field", () => {
    expectReset(thrown([0x00, 0x02, 0x18, 198, 0x00, 0x00]), 3, 10); // /24 with one octet of three
  });

  describe("MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 7606 §7.11, RFC 4760 §7): 3/9 with the attribute", () => {
    it("an MP_REACH_NLRI prefix that cannot be parsed", () => {
      // biome-ignore format: one line per wire field
      const mp = [
        0x80, 0x0e, 0x17, // flags O, type 14, length 23
        0x00, 0x02, 0x01, // AFI 2, SAFI 1
        0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // next hop 2001:db8::1
        0x00, // reserved
        0x81, 0x20, // length 129
      ];
      expectReset(thrown(body([...mp, ...ORIGIN, ...AS_PATH], [])), 3, 9, mp);
    });

    it("an IPv6 next hop of a length that is neither 16 nor 32", () => {
      // biome-ignore format: one line per wire field
      const mp = [
        0x80, 0x0e, 0x0d, // flags O, type 14, length 13
        0x00, 0x02, 0x01, // AFI 2, SAFI 1
        0x08, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x01, // next hop length 8
        0x00, // reserved
      ];
      expectReset(thrown(body(mp, [])), 3, 9, mp);
    });

    it("a next hop length that overruns the attribute", () => {
      const mp = [0x80, 0x0e, 0x06, 0x00, 0x02, 0x01, 0x10, 0x20, 0x01]; // next hop length 16, 2 octets left
      expectReset(thrown(body(mp, [])), 3, 9, mp);
    });

    it("attributes too short for their fixed fields", () => {
      const reach = [0x80, 0x0e, 0x03, 0x00, 0x02, 0x01]; // AFI, SAFI, no next hop length
      expectReset(thrown(body(reach, [])), 3, 9, reach);
      const unreach = [0x80, 0x0f, 0x02, 0x00, 0x02]; // AFI only
      expectReset(thrown(body(unreach, [])), 3, 9, unreach);
    });

    it("an MP_UNREACH_NLRI prefix that runs past the attribute", () => {
      const unreach = [0x80, 0x0f, 0x05, 0x00, 0x02, 0x01, 0x30, 0x20]; // /48 with one octet
      expectReset(thrown(body(unreach, [])), 3, 9, unreach);
    });

    it("an MP attribute whose length overruns the path attributes", () => {
      const unreach = [0x80, 0x0f, 0x09, 0x00, 0x02, 0x01]; // length 9, 3 octets there
      expectReset(thrown(body(unreach, [])), 3, 9, unreach);
    });

    it("3/1 when MP_REACH_NLRI or MP_UNREACH_NLRI appears twice (RFC 7606 §3.g)", () => {
      const unreach = [0x80, 0x0f, 0x03, 0x00, 0x02, 0x01]; // MP_UNREACH_NLRI IPv6, empty
      expectReset(thrown(body([...unreach, ...unreach], [])), 3, 1);
      const reach = [0x80, 0x0e, 0x09, 0x00, 0x01, 0x01, 0x04, 198, 51, 100, 1, 0x00]; // MP_REACH_NLRI, no NLRI
      expectReset(thrown(body([...reach, ...ORIGIN, ...reach], [])), 3, 1);
    });
  });
});

describe("RFC 7606 treat-as-withdraw and attribute discard: decoding goes on", () => {
  function decoded(attributes: readonly number[], ctx = AS4): UpdateMessage {
    const message = decodeBody(body(attributes), ctx);
    // Whatever happened to the attributes, the routes are still listed so they can be withdrawn.
    expect(message.nlri).toEqual([{ prefix: "198.51.100.0/24" }]);
    return message;
  }

  it("an Optional or Transitive flag in conflict: treat-as-withdraw, 3/4", () => {
    const message = decoded([0xc0, 0x01, 0x01, 0x00, ...AS_PATH, ...NEXT_HOP]); // ORIGIN marked optional
    expect(message.errorHandling).toBe("treat-as-withdraw");
    expect(message.problems).toEqual([problem("treat-as-withdraw", 4, 1)]);
    expect(message.attributes).toEqual({ asPath: [], nextHop: "198.51.100.1" });
    const med = decoded([...MANDATORY, 0x40, 0x04, 0x04, 0, 0, 0, 1]); // MED marked well-known
    expect(med.problems).toEqual([problem("treat-as-withdraw", 4, 4)]);
    expect(med.attributes.med).toBeUndefined();
  });

  it("a flags conflict on an attribute that RFC 7606 discards when malformed: attribute discard, 3/4", () => {
    const atomic = decoded([...MANDATORY, 0xc0, 0x06, 0x00]); // ATOMIC_AGGREGATE marked optional
    expect(atomic.errorHandling).toBe("attribute-discard");
    expect(atomic.problems).toEqual([problem("attribute-discard", 4, 6)]);
    const aggregator = decoded([...MANDATORY, 0x40, 0x07, 0x08, 0, 0, 0xfd, 0xe9, 198, 51, 100, 1]); // not optional
    expect(aggregator.problems).toEqual([problem("attribute-discard", 4, 7)]);
    expect(aggregator.attributes.aggregator).toBeUndefined();
  });

  it("an MP_REACH_NLRI with bad flags is still read, so its routes can be withdrawn", () => {
    // biome-ignore format: one line per wire field
    const mp = [
      0xc0, 0x0e, 0x0d, // flags OT (should be O), type 14, length 13
      0x00, 0x01, 0x01, 0x04, 198, 51, 100, 1, 0x00, // AFI 1, SAFI 1, next hop 198.51.100.1, reserved
      0x18, 203, 0, 113, // 203.0.113.0/24
    ];
    const message = decodeBody(body([...mp, ...ORIGIN, ...AS_PATH], []));
    expect(message.errorHandling).toBe("treat-as-withdraw");
    expect(message.problems).toEqual([problem("treat-as-withdraw", 4, 14)]);
    expect(message.attributes.mpReach).toMatchObject({ nlri: [{ prefix: "203.0.113.0/24" }] });
  });

  const lengthCases: [string, number[], number, "treat-as-withdraw" | "attribute-discard"][] = [
    ["ORIGIN of length 2 (§7.1)", [0x40, 0x01, 0x02, 0x00, 0x00], 1, "treat-as-withdraw"],
    ["NEXT_HOP of length 5 (§7.3)", [0x40, 0x03, 0x05, 198, 51, 100, 1, 0], 3, "treat-as-withdraw"],
    ["MULTI_EXIT_DISC of length 3 (§7.4)", [0x80, 0x04, 0x03, 0, 0, 1], 4, "treat-as-withdraw"],
    ["LOCAL_PREF of length 2 (§7.5)", [0x40, 0x05, 0x02, 0, 1], 5, "treat-as-withdraw"],
    ["ATOMIC_AGGREGATE of length 1 (§7.6)", [0x40, 0x06, 0x01, 0x00], 6, "attribute-discard"],
    ["COMMUNITIES of length 6 (§7.8)", [0xc0, 0x08, 0x06, 0xfd, 0xe9, 0, 1, 0, 2], 8, "treat-as-withdraw"],
    ["COMMUNITIES of length 0 (§7.8)", [0xc0, 0x08, 0x00], 8, "treat-as-withdraw"],
    ["ORIGINATOR_ID of length 3 (§7.9)", [0x80, 0x09, 0x03, 198, 51, 100], 9, "treat-as-withdraw"],
    ["CLUSTER_LIST of length 6 (§7.10)", [0x80, 0x0a, 0x06, 198, 51, 100, 1, 0, 0], 10, "treat-as-withdraw"],
    ["EXTENDED_COMMUNITIES of length 4 (§7.14)", [0xc0, 0x10, 0x04, 0, 2, 0, 1], 16, "treat-as-withdraw"],
    [
      "AS4_AGGREGATOR of length 6 (RFC 6793)",
      [0xc0, 0x12, 0x06, 0xfd, 0xe9, 198, 51, 100, 1],
      18,
      "attribute-discard",
    ],
    [
      "LARGE_COMMUNITY of length 8 (RFC 8092)",
      [0xc0, 0x20, 0x08, 0, 0, 0, 1, 0, 0, 0, 2],
      32,
      "treat-as-withdraw",
    ],
    ["OTC of length 2 (RFC 9234)", [0xc0, 0x23, 0x02, 0xfd, 0xe9], 35, "treat-as-withdraw"],
  ];
  for (const [name, attribute, code, action] of lengthCases) {
    it(`3/5 Attribute Length Error: ${name} -> ${action}`, () => {
      const rest = MANDATORY.filter((_, i) => {
        // Leave out the mandatory attribute being tested, so it is not a duplicate.
        const start = code === 1 ? 0 : code === 3 ? ORIGIN.length + AS_PATH.length : -1;
        const length = code === 1 ? ORIGIN.length : NEXT_HOP.length;
        return start < 0 || i < start || i >= start + length;
      });
      const message = decoded([...rest, ...attribute]);
      expect(message.errorHandling).toBe(action);
      expect(message.problems).toEqual([problem(action, 5, code)]);
    });
  }

  it("AGGREGATOR whose length does not fit the AS size: attribute discard (§7.7)", () => {
    const six = [0xc0, 0x07, 0x06, 0xfd, 0xe9, 198, 51, 100, 1]; // 2-octet AS form
    const eight = [0xc0, 0x07, 0x08, 0, 0, 0xfd, 0xe9, 198, 51, 100, 1]; // 4-octet AS form
    const on4 = decoded([...MANDATORY, ...six], AS4);
    expect(on4.errorHandling).toBe("attribute-discard");
    expect(on4.problems).toEqual([problem("attribute-discard", 5, 7)]);
    expect(on4.attributes.aggregator).toBeUndefined();
    const on2 = decoded([...MANDATORY, ...eight], AS2);
    expect(on2.problems).toEqual([problem("attribute-discard", 5, 7)]);
  });

  it("an undefined ORIGIN value: treat-as-withdraw, 3/6", () => {
    const message = decoded([0x40, 0x01, 0x01, 0x03, ...AS_PATH, ...NEXT_HOP]);
    expect(message.errorHandling).toBe("treat-as-withdraw");
    expect(message.problems).toEqual([problem("treat-as-withdraw", 6, 1)]);
  });

  const asPathCases: [string, number[]][] = [
    ["an unrecognized segment type", [0x40, 0x02, 0x06, 0x05, 0x01, 0, 0, 0xfd, 0xe9]],
    ["a segment of length zero", [0x40, 0x02, 0x02, 0x02, 0x00]],
    ["a segment that overruns the attribute", [0x40, 0x02, 0x06, 0x02, 0x02, 0, 0, 0xfd, 0xe9]],
    ["a single octet after the last segment", [0x40, 0x02, 0x07, 0x02, 0x01, 0, 0, 0xfd, 0xe9, 0x02]],
  ];
  for (const [name, asPath] of asPathCases) {
    it(`3/11 Malformed AS_PATH, treat-as-withdraw: ${name} (§7.2)`, () => {
      const message = decoded([...ORIGIN, ...asPath, ...NEXT_HOP]);
      expect(message.errorHandling).toBe("treat-as-withdraw");
      expect(message.problems).toEqual([problem("treat-as-withdraw", 11, 2)]);
      expect(message.attributes.asPath).toBeUndefined();
    });
  }

  it("a malformed AS4_PATH is discarded (RFC 6793 §6)", () => {
    const message = decoded([...MANDATORY, 0xc0, 0x11, 0x02, 0x02, 0x00], AS2); // AS_SEQUENCE of zero ASes
    expect(message.errorHandling).toBe("attribute-discard");
    expect(message.problems).toEqual([problem("attribute-discard", 9, 17)]);
  });

  it("a repeated attribute: the first is kept, the rest discarded (§3.g)", () => {
    const message = decoded([
      ...MANDATORY,
      0x40,
      0x01,
      0x01,
      0x02,
      0xc0,
      0x63,
      0x01,
      0x01,
      0xc0,
      0x63,
      0x01,
      0x02,
    ]);
    expect(message.attributes.origin).toBe("igp");
    expect(message.attributes.unknown).toEqual([{ flags: 0xc0, code: 99, data: Uint8Array.of(1) }]);
    expect(message.errorHandling).toBe("attribute-discard");
    expect(message.problems).toEqual([
      problem("attribute-discard", 1, 1),
      problem("attribute-discard", 1, 99),
    ]);
  });

  it("missing well-known mandatory attributes with NLRI: treat-as-withdraw, 3/3 (§3.d)", () => {
    const message = decoded([0x80, 0x04, 0x04, 0, 0, 0, 0]); // MED only
    expect(message.errorHandling).toBe("treat-as-withdraw");
    expect(message.problems).toEqual([
      problem("treat-as-withdraw", 3, 1),
      problem("treat-as-withdraw", 3, 2),
      problem("treat-as-withdraw", 3, 3),
    ]);
    expect(message.attributes).toEqual({ med: 0 });
    expect([...BgpError.missingWellKnownAttribute(3).data]).toEqual([3]); // what a NOTIFICATION would carry
  });

  it("routes only in MP_REACH_NLRI need ORIGIN and AS_PATH but not NEXT_HOP", () => {
    const mp = [0x80, 0x0e, 0x0d, 0x00, 0x01, 0x01, 0x04, 198, 51, 100, 1, 0x00, 0x18, 203, 0, 113]; // 203.0.113.0/24
    const message = decodeBody(body(mp, []));
    expect(message.problems).toEqual([
      problem("treat-as-withdraw", 3, 1),
      problem("treat-as-withdraw", 3, 2),
    ]);
    expect(decodeBody(body([...mp, ...ORIGIN, ...AS_PATH], [])).problems).toBeUndefined();
  });

  it("an attribute running past the Total Path Attribute Length: treat-as-withdraw (§4)", () => {
    const message = decoded([...MANDATORY, 0xc0, 0x08, 0x08, 0xfd, 0xe9, 0x00, 0x64]); // COMMUNITIES says 8, has 4
    expect(message.errorHandling).toBe("treat-as-withdraw");
    expect(message.problems).toEqual([problem("treat-as-withdraw", 5, 8)]);
    expect(message.attributes).toEqual({ origin: "igp", asPath: [], nextHop: "198.51.100.1" });
  });

  it("octets too few for an attribute header after the last attribute: treat-as-withdraw (§4)", () => {
    const message = decoded([...MANDATORY, 0x40, 0x05]);
    expect(message.errorHandling).toBe("treat-as-withdraw");
    expect(message.problems).toEqual([problem("treat-as-withdraw", 1)]);
    const extended = decoded([...MANDATORY, 0x50, 0x05, 0x00]); // Extended Length needs 4 header octets
    expect(extended.problems).toEqual([problem("treat-as-withdraw", 1)]);
  });

  it("an unrecognized well-known attribute: treat-as-withdraw, 3/2", () => {
    const message = decoded([...MANDATORY, 0x40, 0x63, 0x01, 0x00]); // flags T (not optional), type 99
    expect(message.problems).toEqual([problem("treat-as-withdraw", 2, 99)]);
    expect(message.attributes.unknown).toBeUndefined();
  });

  it("the strongest action wins when there are several (§3)", () => {
    const message = decoded([...MANDATORY, 0x40, 0x06, 0x01, 0x00, 0xc0, 0x08, 0x02, 0x00, 0x00]);
    expect(message.errorHandling).toBe("treat-as-withdraw");
    expect(message.problems).toEqual([
      problem("attribute-discard", 5, 6),
      problem("treat-as-withdraw", 5, 8),
    ]);
  });

  it("a clean UPDATE has neither errorHandling nor problems", () => {
    const message = decoded(MANDATORY);
    expect(Object.keys(message)).toEqual(["type", "withdrawnRoutes", "attributes", "nlri"]);
  });
});

describe("attribute decoders carry the attribute in the error data (RFC 4271 §6.3)", () => {
  function decodeOne(tlv: readonly number[], ctx = AS4): BgpError {
    const bytes = Uint8Array.from(tlv);
    const codec = attributeCodec(bytes[1]);
    if (codec === undefined) throw new Error("no codec");
    return errorOf(() => codec.decode(new Reader(bytes, 3, bytes.length), ctx, 0));
  }

  it("3/5 with the type, length and value", () => {
    const tlv = [0x40, 0x01, 0x02, 0x00, 0x00];
    const error = decodeOne(tlv);
    expect([error.code, error.subcode, [...error.data], error.errorHandling]).toEqual([
      3,
      5,
      tlv,
      "treat-as-withdraw",
    ]);
  });

  it("3/6 with the ORIGIN attribute", () => {
    const tlv = [0x40, 0x01, 0x01, 0x07];
    const error = decodeOne(tlv);
    expect([error.code, error.subcode, [...error.data]]).toEqual([3, 6, tlv]);
  });

  it("3/9 with the AS4_PATH attribute", () => {
    const tlv = [0xc0, 0x11, 0x02, 0x09, 0x00];
    const error = decodeOne(tlv);
    expect([error.code, error.subcode, [...error.data], error.errorHandling]).toEqual([
      3,
      9,
      tlv,
      "attribute-discard",
    ]);
  });
});

describe("bad bytes only ever throw BgpError", () => {
  it("survives every one-octet mutation of a rich UPDATE", () => {
    // biome-ignore format: one line per wire field
    const base = body([
      0x80, 0x0e, 0x1c, 0x00, 0x02, 0x01, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
      0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, // MP_REACH_NLRI 2001:db8:100::/48
      ...MANDATORY,
      0x40, 0x02, 0x06, 0x02, 0x01, 0, 0, 0xfd, 0xe9, // a second AS_PATH
      0xc0, 0x07, 0x08, 0, 0, 0xfd, 0xe9, 198, 51, 100, 1, // AGGREGATOR
      0xc0, 0x08, 0x04, 0xfd, 0xe9, 0, 1, // COMMUNITIES
      0xc0, 0x20, 0x0c, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // LARGE_COMMUNITY
      0xe0, 0x63, 0x01, 0xaa, // unknown
    ]);
    let decodedCount = 0;
    for (let at = 0; at < base.length; at++) {
      for (const value of [
        0x00,
        0x01,
        0x02,
        0x03,
        0x07,
        0x10,
        0x20,
        0x40,
        0x7f,
        0x80,
        0xc0,
        0xff,
        base[at] + 1,
      ]) {
        const mutated = [...base];
        mutated[at] = value & 0xff;
        for (const ctx of [AS2, AS4]) {
          try {
            decodeBody(mutated, ctx);
            decodedCount++;
          } catch (error) {
            if (!(error instanceof BgpError)) throw error;
          }
        }
      }
    }
    expect(decodedCount).toBeGreaterThan(0);
  });
});
