import { describe, expect, it } from "vitest";
import { decodeCapabilities, encodeCapability } from "../../src/wire/capabilities/index.js";
import type { BgpError } from "../../src/wire/errors.js";
import type { Capability } from "../../src/wire/types.js";
import { Writer } from "../../src/wire/writer.js";
import { errorOf, hex, toHex } from "./message-bytes.js";

/** Capability TLVs (code, length, value) -> capabilities. */
function decode(bytes: Uint8Array): Capability[] {
  return decodeCapabilities(bytes, 0, bytes.length);
}

function encode(capability: Capability): string {
  const w = new Writer(8);
  encodeCapability(w, capability);
  return toHex(w.finish());
}

function decodeError(bytes: Uint8Array): BgpError {
  return errorOf(() => decode(bytes));
}

/** Bytes and the capability they hold, checked in both directions. */
const CASES: [string, Uint8Array, Capability][] = [
  [
    "multiprotocol IPv6 unicast",
    hex(
      "01 04", // code 1, length 4
      "0002", // AFI 2 (IPv6)
      "00", // reserved
      "01", // SAFI 1 (unicast)
    ),
    { name: "multiprotocol", afi: 2, safi: 1 },
  ],
  ["route refresh", hex("02 00" /* code 2, length 0 */), { name: "route-refresh" }],
  [
    "extended next hop: IPv4 unicast and IPv4 VPN over IPv6",
    hex(
      "05 0c", // code 5, length 12
      "0001 0001 0002", // NLRI AFI 1, NLRI SAFI 1 (2 octets), next hop AFI 2
      "0001 0080 0002", // NLRI AFI 1, NLRI SAFI 128, next hop AFI 2
    ),
    {
      name: "extended-next-hop",
      entries: [
        { afi: 1, safi: 1, nextHopAfi: 2 },
        { afi: 1, safi: 128, nextHopAfi: 2 },
      ],
    },
  ],
  ["extended message", hex("06 00" /* code 6, length 0 */), { name: "extended-message" }],
  [
    "BGP role: customer",
    hex(
      "09 01", // code 9, length 1
      "03", // role 3 (customer)
    ),
    { name: "role", role: 3 },
  ],
  [
    "graceful restart: R and N bits, 120 s, IPv4 forwarding kept, IPv6 not",
    hex(
      "40 0a", // code 64, length 10
      "c0 78", // flags R=1 N=1, restart time 0x078 = 120
      "0001 01 80", // AFI 1, SAFI 1, F bit set
      "0002 01 00", // AFI 2, SAFI 1, F bit clear
    ),
    {
      name: "graceful-restart",
      restarting: true,
      notification: true,
      restartTimeSec: 120,
      families: [
        { afi: 1, safi: 1, forwardingPreserved: true },
        { afi: 2, safi: 1, forwardingPreserved: false },
      ],
    },
  ],
  [
    "graceful restart: helper only, largest restart time, no families",
    hex(
      "40 02", // code 64, length 2
      "0f ff", // flags 0, restart time 4095
    ),
    { name: "graceful-restart", restarting: false, notification: false, restartTimeSec: 4095, families: [] },
  ],
  [
    "4-octet AS 4200000001",
    hex(
      "41 04", // code 65, length 4
      "fa56ea01", // AS 4200000001
    ),
    { name: "four-octet-as", asn: 4200000001 },
  ],
  [
    "ADD-PATH receive v4, send v6, both v4 multicast",
    hex(
      "45 0c", // code 69, length 12
      "0001 01 01", // AFI 1, SAFI 1, receive
      "0002 01 02", // AFI 2, SAFI 1, send
      "0001 02 03", // AFI 1, SAFI 2, both
    ),
    {
      name: "add-path",
      families: [
        { afi: 1, safi: 1, sendReceive: "receive" },
        { afi: 2, safi: 1, sendReceive: "send" },
        { afi: 1, safi: 2, sendReceive: "both" },
      ],
    },
  ],
  ["enhanced route refresh", hex("46 00" /* code 70, length 0 */), { name: "enhanced-route-refresh" }],
  [
    "long-lived graceful restart",
    hex(
      "47 0e", // code 71, length 14
      "0001 01 80 000e10", // AFI 1, SAFI 1, F bit, stale time 3600
      "0002 01 00 ffffff", // AFI 2, SAFI 1, no F, stale time 16777215
    ),
    {
      name: "long-lived-graceful-restart",
      families: [
        { afi: 1, safi: 1, forwardingPreserved: true, staleTimeSec: 3600 },
        { afi: 2, safi: 1, forwardingPreserved: false, staleTimeSec: 0xffffff },
      ],
    },
  ],
  [
    "FQDN",
    hex(
      "49 0b", // code 73, length 11
      "04 72747231", // hostname length 4, "rtr1"
      "05 6c6f63616c", // domain length 5, "local"
    ),
    { name: "fqdn", hostname: "rtr1", domainName: "local" },
  ],
  [
    "FQDN with no domain",
    hex(
      "49 04", // code 73, length 4
      "02 7231", // hostname length 2, "r1"
      "00", // domain length 0
    ),
    { name: "fqdn", hostname: "r1", domainName: "" },
  ],
  [
    "software version (UTF-8)",
    hex(
      "4b 08", // code 75, length 8
      "07", // version length 7
      "46525220 39 c3a9", // "FRR 9é" (é is two octets)
    ),
    { name: "software-version", version: "FRR 9é" },
  ],
  [
    "paths-limit",
    hex(
      "4c 0a", // code 76, length 10
      "0001 01 0008", // AFI 1, SAFI 1, limit 8
      "0002 01 0100", // AFI 2, SAFI 1, limit 256
    ),
    {
      name: "paths-limit",
      families: [
        { afi: 1, safi: 1, limit: 8 },
        { afi: 2, safi: 1, limit: 256 },
      ],
    },
  ],
  [
    "old Cisco route refresh (128) stays raw",
    hex("80 00" /* code 128, length 0 */),
    { name: "unknown", code: 128, data: new Uint8Array(0) },
  ],
  [
    "unknown code with a value",
    hex(
      "ee 03", // code 238 (private use), length 3
      "010203", // value
    ),
    { name: "unknown", code: 238, data: Uint8Array.of(1, 2, 3) },
  ],
];

describe("capabilities: bytes <-> model", () => {
  it.each(CASES)("%s decodes", (_, bytes, capability) => {
    expect(decode(bytes)).toEqual([capability]);
  });

  it.each(CASES)("%s encodes byte-identically", (_, bytes, capability) => {
    expect(encode(capability)).toBe(toHex(bytes));
  });

  it("decodes several TLVs in one parameter value, in wire order", () => {
    const bytes = hex(...CASES.map(([, b]) => toHex(b)));
    expect(decode(bytes)).toEqual(CASES.map(([, , c]) => c));
  });
});

describe("capabilities: malformed", () => {
  // Capabilities the session depends on fail the OPEN with 2/0 (OPEN Message Error / Unspecific).
  it.each<[string, string]>([
    ["multiprotocol of length 3", "01 03 000101"],
    ["route refresh of length 1", "02 01 00"],
    ["extended next hop of length 4", "05 04 00010001"],
    ["extended message of length 1", "06 01 00"],
    ["role of length 2", "09 02 0001"],
    ["role of length 0", "09 00"],
    ["graceful restart of length 1", "40 01 00"],
    ["graceful restart of length 5", "40 05 0078 000101"],
    ["4-octet AS of length 2", "41 02 fde8"],
    ["ADD-PATH of length 3", "45 03 000101"],
    ["enhanced route refresh of length 1", "46 01 00"],
    ["LLGR of length 6", "47 06 0001 01 80 000e"],
    ["a length that overruns the parameter", "41 04 0000"],
    ["a code with no length octet", "41"],
  ])("%s -> 2/0", (_, bytes) => {
    const error = decodeError(hex(bytes));
    expect([error.code, error.subcode, error.data.length]).toEqual([2, 0, 0]);
  });

  // Informational ones, and ADD-PATH with an unknown send/receive value, are kept raw.
  it.each<[string, string]>([
    ["ADD-PATH send/receive 4 (RFC 7911 §4: ignore)", "45 04 0001 01 04"],
    ["ADD-PATH send/receive 0", "45 04 0001 01 00"],
    ["FQDN hostname overruns", "49 03 05 6162"],
    ["FQDN without a domain length", "49 02 01 61"],
    ["FQDN with trailing octets", "49 04 01 61 00 00"],
    ["software version that is not UTF-8", "4b 03 02 c328"],
    ["software version with trailing octets", "4b 03 01 61 62"],
    ["empty software version value", "4b 00"],
    ["paths-limit of length 4", "4c 04 0001 01 00"],
  ])("%s -> kept raw", (_, text) => {
    const bytes = hex(text);
    expect(decode(bytes)).toEqual([{ name: "unknown", code: bytes[0], data: bytes.slice(2) }]);
  });
});

describe("capabilities: encode refuses what does not fit", () => {
  it.each<[string, Capability]>([
    [
      "restart time over 12 bits",
      {
        name: "graceful-restart",
        restarting: false,
        notification: false,
        restartTimeSec: 4096,
        families: [],
      },
    ],
    ["AS over 32 bits", { name: "four-octet-as", asn: 2 ** 32 }],
    ["negative AFI", { name: "multiprotocol", afi: -1, safi: 1 }],
    [
      "stale time over 24 bits",
      {
        name: "long-lived-graceful-restart",
        families: [{ afi: 1, safi: 1, forwardingPreserved: false, staleTimeSec: 2 ** 24 }],
      },
    ],
    ["hostname of 256 octets", { name: "fqdn", hostname: "a".repeat(256), domainName: "" }],
    ["value over 255 octets", { name: "fqdn", hostname: "a".repeat(200), domainName: "b".repeat(60) }],
    ["unknown value over 255 octets", { name: "unknown", code: 200, data: new Uint8Array(256) }],
  ])("%s -> RangeError", (_, capability) => {
    expect(() => encode(capability)).toThrow(RangeError);
  });
});
