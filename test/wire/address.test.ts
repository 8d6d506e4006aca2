import { describe, expect, it } from "vitest";
import {
  canonicalAddress,
  formatIpv6,
  ipv4ToBytes,
  ipv6ToBytes,
  isIpv4,
  isIpv6,
} from "../../src/wire/address.js";

describe("address text <-> bytes", () => {
  it("formats IPv6 in RFC 5952 form", () => {
    const cases: [string, string][] = [
      ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // first of two equal runs
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group stays
      ["0:0:0:0:0:0:0:0", "::"],
      ["0:0:0:0:0:0:0:1", "::1"],
      ["fe80:0:0:0:0:0:0:0", "fe80::"],
      ["::ffff:198.51.100.1", "::ffff:198.51.100.1"],
      ["2001:DB8::A", "2001:db8::a"],
    ];
    for (const [input, canonical] of cases) expect(formatIpv6(ipv6ToBytes(input))).toBe(canonical);
  });

  it("rejects what is not an address", () => {
    for (const bad of ["1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.", "", "a.b.c.d"]) {
      expect(isIpv4(bad)).toBe(false);
    }
    for (const bad of [
      ":::",
      "1::2::3",
      "2001:db8",
      "12345::",
      "2001:db8::g",
      ":1::",
      "1:2:3:4:5:6:7:8:9",
      "1::2:",
    ]) {
      expect(isIpv6(bad)).toBe(false);
    }
    expect(() => ipv4ToBytes("1.2.3")).toThrow(TypeError);
  });

  it("canonicalises either family", () => {
    expect(canonicalAddress("198.51.100.7")).toBe("198.51.100.7");
    expect(canonicalAddress("2001:DB8:100:0:0:0:0:2")).toBe("2001:db8:100::2");
    expect([...ipv4ToBytes("198.51.100.254")]).toEqual([198, 51, 100, 254]);
  });
});
