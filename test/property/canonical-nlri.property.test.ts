import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BgpSpeaker } from "../../src/speaker/speaker.js";
import { canonicalPrefix, canonicalPrefixInto, encodePrefix } from "../../src/wire/prefix.js";
import { Writer } from "../../src/wire/writer.js";
import { prefixArb } from "./arbitraries.js";

// announce() parses a prefix once: canonicalPrefixInto writes the wire NLRI entry from the same
// parse that checks the text, and the Adj-RIB-Out stores those octets instead of encoding the
// canonical text again. Both must give the octets encodePrefix gives, for every spelling.

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

function encoded(prefix: string, family: "ipv4-unicast" | "ipv6-unicast"): number[] {
  const writer = new Writer(17);
  encodePrefix(writer, prefix, family);
  return [...writer.finish()];
}

function written(text: string): {
  prefix: string;
  family: "ipv4-unicast" | "ipv6-unicast";
  octets: number[];
} {
  const out = new Uint8Array(17).fill(0xee);
  const { prefix, family } = canonicalPrefixInto(text, out);
  const octets = [...out.subarray(0, 1 + ((out[0] + 7) >> 3))];
  return { prefix, family, octets };
}

/** Other spellings of the same IPv6 prefix: upper case, and the last 32 bits as a dotted quad. */
function respell(prefix: string, how: number): string {
  if (how === 1) return prefix.toUpperCase();
  if (how === 2) {
    const [address, length] = prefix.split("/");
    const canonical = canonicalPrefix(prefix).prefix;
    const bytes = encoded(canonical, "ipv6-unicast").slice(1);
    while (bytes.length < 16) bytes.push(0);
    const groups: string[] = [];
    for (let i = 0; i < 12; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
    return `${groups.join(":")}:${bytes.slice(12).join(".")}/${length ?? address}`;
  }
  return prefix;
}

describe("canonicalPrefixInto writes the NLRI entry encodePrefix would", () => {
  it("IPv4, every length", () => {
    fc.assert(
      fc.property(prefixArb("ipv4-unicast"), (text) => {
        const got = written(text);
        expect(got.family).toBe("ipv4-unicast");
        expect(got.prefix).toBe(canonicalPrefix(text).prefix);
        expect(got.octets).toEqual(encoded(got.prefix, "ipv4-unicast"));
      }),
      { numRuns: RUNS },
    );
  });

  it("IPv6, canonical and other spellings (upper case, embedded dotted quad)", () => {
    fc.assert(
      fc.property(prefixArb("ipv6-unicast"), fc.integer({ min: 0, max: 2 }), (text, how) => {
        const got = written(respell(text, how));
        expect(got.family).toBe("ipv6-unicast");
        expect(got.prefix).toBe(canonicalPrefix(text).prefix);
        expect(got.octets).toEqual(encoded(got.prefix, "ipv6-unicast"));
      }),
      { numRuns: RUNS },
    );
  });

  it("a bad prefix throws before anything is written", () => {
    const out = new Uint8Array(17).fill(0xee);
    expect(() => canonicalPrefixInto("10.0.0.1/24", out)).toThrow(/host bits set/);
    expect(() => canonicalPrefixInto("2001:db8::1/32", out)).toThrow(/host bits set/);
    expect(out.every((b) => b === 0xee)).toBe(true);
  });

  it("the Adj-RIB-Out holds the octets of what announce() was given", () => {
    const speaker = new BgpSpeaker({ asn: 65000, routerId: "10.0.0.1" });
    const table = (speaker as unknown as { ribOut: { get(p: string): number | undefined; nlri: Uint8Array } })
      .ribOut;
    fc.assert(
      fc.property(fc.oneof(prefixArb("ipv4-unicast"), prefixArb("ipv6-unicast")), (text) => {
        const { prefix, family } = canonicalPrefix(text);
        speaker.announce(text, family === "ipv6-unicast" ? { nextHop: "2001:db8::1" } : {});
        const id = table.get(prefix);
        expect(id).toBeDefined();
        const want = encoded(prefix, family);
        const at = (id as number) * 17;
        expect([...table.nlri.subarray(at, at + want.length)]).toEqual(want);
        speaker.withdraw(text);
      }),
      { numRuns: 500 },
    );
  });
});
