import { describe, expect, it } from "vitest";
import { formatIpv6, parseIpv6Into } from "../../src/wire/address.js";
import { BgpError } from "../../src/wire/errors.js";
import { canonicalPrefix, decodeNlri, encodeNlri, nlriLength } from "../../src/wire/prefix.js";
import type { AddressFamily, Nlri } from "../../src/wire/types.js";
import { Writer } from "../../src/wire/writer.js";

function decode(bytes: readonly number[], family: AddressFamily, addPath = false): Nlri[] {
  const data = Uint8Array.from(bytes);
  return decodeNlri(data, 0, data.length, family, addPath);
}

function encode(nlri: readonly Nlri[], family: AddressFamily, addPath = false): number[] {
  const writer = new Writer(4);
  for (const entry of nlri) encodeNlri(writer, entry, family, addPath);
  return [...writer.finish()];
}

describe("IPv4 NLRI", () => {
  // biome-ignore format: one line per wire field
  const bytes = [
    0x18, 198, 51, 100, // 198.51.100.0/24
    0x19, 198, 51, 100, 0x80, // 198.51.100.128/25
    0x08, 10, // 10.0.0.0/8
    0x00, // 0.0.0.0/0
    0x20, 198, 51, 100, 7, // 198.51.100.7/32
    0x0c, 172, 16, // 172.16.0.0/12
  ];
  const nlri = [
    { prefix: "198.51.100.0/24" },
    { prefix: "198.51.100.128/25" },
    { prefix: "10.0.0.0/8" },
    { prefix: "0.0.0.0/0" },
    { prefix: "198.51.100.7/32" },
    { prefix: "172.16.0.0/12" },
  ];

  it("decodes and encodes every prefix length shape", () => {
    expect(decode(bytes, "ipv4-unicast")).toEqual(nlri);
    expect(encode(nlri, "ipv4-unicast")).toEqual(bytes);
  });

  it("clears trailing bits on decode (RFC 4271 §4.3: their value is irrelevant)", () => {
    expect(decode([0x17, 198, 51, 101], "ipv4-unicast")).toEqual([{ prefix: "198.51.100.0/23" }]); // /23, last bit set
    expect(decode([0x01, 0xff], "ipv4-unicast")).toEqual([{ prefix: "128.0.0.0/1" }]);
  });

  it("carries ADD-PATH path identifiers, writing 0 for a missing one", () => {
    // biome-ignore format: one line per wire field
    const withIds = [
      0x00, 0x00, 0x00, 0x01, 0x18, 198, 51, 100, // path id 1, 198.51.100.0/24
      0xff, 0xff, 0xff, 0xff, 0x00, // path id 4294967295, 0.0.0.0/0
    ];
    const entries = [
      { prefix: "198.51.100.0/24", pathId: 1 },
      { prefix: "0.0.0.0/0", pathId: 4294967295 },
    ];
    expect(decode(withIds, "ipv4-unicast", true)).toEqual(entries);
    expect(encode(entries, "ipv4-unicast", true)).toEqual(withIds);
    expect(encode([{ prefix: "10.0.0.0/8" }], "ipv4-unicast", true)).toEqual([0, 0, 0, 0, 0x08, 10]);
    // Without ADD-PATH a pathId is not written and none is decoded.
    expect(encode([{ prefix: "10.0.0.0/8", pathId: 5 }], "ipv4-unicast")).toEqual([0x08, 10]);
    expect(decode([0x08, 10], "ipv4-unicast")[0]).not.toHaveProperty("pathId");
  });

  it("throws 3/10 Invalid Network Field on what cannot be parsed", () => {
    for (const bad of [
      [0x21, 1, 2, 3, 4, 5], // length 33
      [0x18, 198, 51], // runs past the end
      [0x20], // no octets at all
    ]) {
      try {
        decode(bad, "ipv4-unicast");
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(BgpError);
        expect([(error as BgpError).code, (error as BgpError).subcode]).toEqual([3, 10]);
        expect((error as BgpError).errorHandling).toBe("session-reset");
      }
    }
    expect(() => decode([0, 0, 0, 1], "ipv4-unicast", true)).toThrow(BgpError); // path id, no length
  });

  it("rejects prefixes it cannot encode with TypeError", () => {
    for (const bad of [
      "198.51.100.1/24", // host bits
      "198.51.100.0", // no length
      "198.51.100.0/33",
      "198.51.100.0/024",
      "198.051.100.0/24", // leading zero
      "198.51.100/24",
      "198.51.100.0.0/24",
      "256.0.0.0/8",
      "2001:db8::/32", // wrong family
      "",
    ]) {
      expect(() => encode([{ prefix: bad }], "ipv4-unicast"), bad).toThrow(TypeError);
    }
  });
});

describe("IPv6 NLRI", () => {
  it("decodes and encodes in RFC 5952 form", () => {
    // biome-ignore format: one line per wire field
    const bytes = [
      0x20, 0x20, 0x01, 0x0d, 0xb8, // 2001:db8::/32
      0x40, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x01, // 2001:db8:100:1::/64
      0x00, // ::/0
      0x80, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8::1/128
    ];
    const nlri = [
      { prefix: "2001:db8::/32" },
      { prefix: "2001:db8:100:1::/64" },
      { prefix: "::/0" },
      { prefix: "2001:db8::1/128" },
    ];
    expect(decode(bytes, "ipv6-unicast")).toEqual(nlri);
    expect(encode(nlri, "ipv6-unicast")).toEqual(bytes);
    // Any valid spelling encodes to the same bytes.
    expect(encode([{ prefix: "2001:DB8:0::/32" }], "ipv6-unicast")).toEqual(bytes.slice(0, 5));
  });

  it("clears trailing bits, and rejects lengths over 128", () => {
    expect(decode([0x21, 0x20, 0x01, 0x0d, 0xb8, 0xff], "ipv6-unicast")).toEqual([
      { prefix: "2001:db8:8000::/33" },
    ]);
    expect(() => decode([0x81, ...new Array(17).fill(0)], "ipv6-unicast")).toThrow(BgpError);
  });

  it("rejects host bits and IPv4 text", () => {
    expect(() => encode([{ prefix: "2001:db8::1/64" }], "ipv6-unicast")).toThrow(TypeError);
    expect(() => encode([{ prefix: "2001:db8:8000::/32" }], "ipv6-unicast")).toThrow(TypeError);
    expect(() => encode([{ prefix: "198.51.100.0/24" }], "ipv6-unicast")).toThrow(TypeError);
    expect(() => encode([{ prefix: "2001:db8::/129" }], "ipv6-unicast")).toThrow(TypeError);
  });
});

describe("nlriLength", () => {
  it("counts the octets one entry takes", () => {
    expect(nlriLength("198.51.100.0/24", false)).toBe(4);
    expect(nlriLength("0.0.0.0/0", false)).toBe(1);
    expect(nlriLength("198.51.100.128/25", false)).toBe(5);
    expect(nlriLength("198.51.100.0/24", true)).toBe(8);
    expect(nlriLength("2001:db8::/32", false)).toBe(5);
    expect(nlriLength("2001:db8::1/128", true)).toBe(21);
    expect(() => nlriLength("198.51.100.0", false)).toThrow(TypeError);
  });

  it("agrees with what encodeNlri writes", () => {
    for (const [prefix, family] of [
      ["198.51.100.0/22", "ipv4-unicast"],
      ["2001:db8:100::/41", "ipv6-unicast"],
    ] as const) {
      for (const addPath of [false, true]) {
        expect(encode([{ prefix }], family, addPath).length).toBe(nlriLength(prefix, addPath));
      }
    }
  });
});

describe("canonicalPrefix", () => {
  it("validates and canonicalises user input", () => {
    expect(canonicalPrefix("198.51.100.0/24")).toEqual({ family: "ipv4-unicast", prefix: "198.51.100.0/24" });
    expect(canonicalPrefix("0.0.0.0/0")).toEqual({ family: "ipv4-unicast", prefix: "0.0.0.0/0" });
    expect(canonicalPrefix("2001:DB8:0:0::/32")).toEqual({ family: "ipv6-unicast", prefix: "2001:db8::/32" });
    expect(canonicalPrefix("2001:db8:100:0:0:0:0:1/128")).toEqual({
      family: "ipv6-unicast",
      prefix: "2001:db8:100::1/128",
    });
  });

  it("throws TypeError on host bits or anything that is not a prefix", () => {
    for (const bad of [
      "198.51.100.1/24",
      "2001:db8::1/32",
      "198.51.100.0",
      "198.51.100.0/33",
      "010.0.0.0/8",
      "2001:db8::/129",
      "banana",
      "",
    ]) {
      expect(() => canonicalPrefix(bad), bad).toThrow(TypeError);
    }
  });
});

/** RFC 5952 written the plain way, as an independent check of the table-driven formatter. */
function referenceRfc5952(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return `::ffff:${bytes.slice(12).join(".")}`;
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}

describe("the IPv6 text codec on the NLRI hot path", () => {
  /** Deterministic pseudo-random bytes biased towards zero groups, where RFC 5952 has its cases. */
  function* addresses(count: number): Generator<Uint8Array> {
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    for (let n = 0; n < count; n++) {
      const bytes = new Uint8Array(16);
      for (let group = 0; group < 8; group++) {
        if (next() % 3 === 0) continue; // a zero group
        const value = next() % 4 === 0 ? next() % 16 : next() & 0xffff;
        bytes[2 * group] = value >>> 8;
        bytes[2 * group + 1] = value & 0xff;
      }
      yield bytes;
    }
    yield new Uint8Array(16); // ::
    yield Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 1]); // ::ffff:198.51.100.1
  }

  it("formats 20,000 addresses in RFC 5952 form and parses each back to its bytes", () => {
    const parsed = new Uint8Array(16);
    const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
    // Checked with plain comparisons and asserted once: 160,000 expect() calls took 30 s on a loaded machine.
    const wrong: string[] = [];
    for (const bytes of addresses(20000)) {
      const text = formatIpv6(bytes);
      const hex = Buffer.from(bytes).toString("hex");
      // RFC 5952: lower case, no leading zeros, at most one "::", never for a single zero group.
      if (!/^[0-9a-f:.]+$/.test(text) || /(^|:)0[0-9a-f]/.test(text) || text.split("::").length > 2) {
        wrong.push(`${hex}: ${text} is not RFC 5952 form`);
      }
      if (text !== referenceRfc5952(bytes))
        wrong.push(`${hex}: ${text}, reference ${referenceRfc5952(bytes)}`);
      parsed.fill(0xaa);
      if (!parseIpv6Into(text, parsed) || !same(parsed, bytes))
        wrong.push(`${hex}: ${text} does not parse back`);
      // A prefix of the text parses when told where it ends.
      parsed.fill(0xaa);
      if (!parseIpv6Into(`${text}/48`, parsed, 0, text.length) || !same(parsed, bytes)) {
        wrong.push(`${hex}: ${text}/48 does not parse back up to the slash`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("encodes prefixes of 4,000 addresses at every length shape as the general parser reads them", () => {
    // encodeNlri reads the groups of the text in one pass of its own; it must agree with
    // parseIpv6Into byte for byte, and refuse exactly the texts with host bits set.
    const wrong: string[] = [];
    const lengths = [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 47, 48, 63, 64, 65, 96, 120, 127, 128];
    for (const bytes of addresses(4000)) {
      for (const length of lengths) {
        const masked = bytes.slice();
        for (let bit = length; bit < 128; bit++) masked[bit >> 3] &= ~(0x80 >> (bit & 7));
        const size = (length + 7) >> 3;
        const text = `${formatIpv6(masked)}/${length}`;
        const got = encode([{ prefix: text }], "ipv6-unicast");
        const want = [length, ...masked.subarray(0, size)];
        if (got.join() !== want.join()) wrong.push(`${text}: ${got.join()} instead of ${want.join()}`);
        if (masked.some((x, i) => x !== bytes[i])) {
          const unmasked = `${formatIpv6(bytes)}/${length}`;
          try {
            encode([{ prefix: unmasked }], "ipv6-unicast");
            wrong.push(`${unmasked}: host bits accepted`);
          } catch (e) {
            if (!(e instanceof TypeError) || !/host bits set/.test(e.message))
              wrong.push(`${unmasked}: ${e}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("accepts every valid form and rejects everything else", () => {
    const valid: [string, string][] = [
      ["::", "::"],
      ["::1", "::1"],
      ["1::", "1::"],
      ["1::2", "1::2"],
      ["2001:db8::", "2001:db8::"],
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
      ["::ffff:198.51.100.1", "::ffff:198.51.100.1"],
      ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
      ["::1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"],
      ["64:ff9b::198.51.100.1", "64:ff9b::c633:6401"],
    ];
    const bytes = new Uint8Array(16);
    for (const [text, canonical] of valid) {
      expect(parseIpv6Into(text, bytes), text).toBe(true);
      expect(formatIpv6(bytes), text).toBe(canonical);
    }
    const invalid = [
      "",
      ":",
      ":::",
      "1:::2",
      "1::2::3",
      "12345::",
      ":1::",
      "1::2:",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "1::2:3:4:5:6:7:8",
      "g::",
      "1.2.3.4",
      "2001:db8::/32",
      "1:2:3:4:5:6:7:198.51.100.1",
      "::ffff:198.51.100",
    ];
    for (const text of invalid) expect(parseIpv6Into(text, bytes), text).toBe(false);
    // encodeNlri takes and refuses the same texts as prefixes.
    for (const [text, canonical] of valid) {
      expect(parseIpv6Into(canonical, bytes)).toBe(true);
      expect(encode([{ prefix: `${text}/128` }], "ipv6-unicast"), text).toEqual([128, ...bytes]);
    }
    for (const text of invalid) {
      expect(() => encode([{ prefix: `${text}/128` }], "ipv6-unicast"), text).toThrow(TypeError);
    }
  });
});
