import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import type { Capability, OpenMessage } from "../../src/wire/types.js";
import { decodeError, hex, message, toHex } from "./message-bytes.js";

const OPEN = 1;

// FRR 8.4 default OPEN, written from the RFC layouts: FRR puts each capability in its own
// optional parameter.
const FRR_OPEN = message(
  OPEN,
  "04", // version 4
  "fde9", // My AS 65001
  "00b4", // hold time 180
  "0a000001", // BGP identifier 10.0.0.1
  "6c", // optional parameters length 108
  "02 06 01 04 0001 00 01", // param 2 len 6: MP IPv4 unicast
  "02 06 01 04 0002 00 01", // param 2 len 6: MP IPv6 unicast
  "02 02 80 00", // param 2 len 2: old Cisco route refresh (128)
  "02 02 02 00", // param 2 len 2: route refresh
  "02 02 46 00", // param 2 len 2: enhanced route refresh
  "02 06 41 04 0000fde9", // param 2 len 6: 4-octet AS 65001
  "02 02 06 00", // param 2 len 2: extended message
  "02 0a 45 08 0001 01 01 0002 01 01", // param 2 len 10: ADD-PATH receive IPv4, IPv6
  "02 0c 4c 0a 0001 01 0000 0002 01 0000", // param 2 len 12: paths-limit 0 (none) IPv4, IPv6
  "02 08 49 06 04 66727231 00", // param 2 len 8: FQDN "frr1", no domain
  "02 0c 40 0a 4078 0001 01 00 0002 01 00", // param 2 len 12: GR N bit, 120 s, IPv4, IPv6
  "02 10 47 0e 0001 01 00 000000 0002 01 00 000000", // param 2 len 16: LLGR stale 0, IPv4, IPv6
);

const FRR_CAPABILITIES: Capability[] = [
  { name: "multiprotocol", afi: 1, safi: 1 },
  { name: "multiprotocol", afi: 2, safi: 1 },
  { name: "unknown", code: 128, data: new Uint8Array(0) },
  { name: "route-refresh" },
  { name: "enhanced-route-refresh" },
  { name: "four-octet-as", asn: 65001 },
  { name: "extended-message" },
  {
    name: "add-path",
    families: [
      { afi: 1, safi: 1, sendReceive: "receive" },
      { afi: 2, safi: 1, sendReceive: "receive" },
    ],
  },
  {
    name: "paths-limit",
    families: [
      { afi: 1, safi: 1, limit: 0 },
      { afi: 2, safi: 1, limit: 0 },
    ],
  },
  { name: "fqdn", hostname: "frr1", domainName: "" },
  {
    name: "graceful-restart",
    restarting: false,
    notification: true,
    restartTimeSec: 120,
    families: [
      { afi: 1, safi: 1, forwardingPreserved: false },
      { afi: 2, safi: 1, forwardingPreserved: false },
    ],
  },
  {
    name: "long-lived-graceful-restart",
    families: [
      { afi: 1, safi: 1, forwardingPreserved: false, staleTimeSec: 0 },
      { afi: 2, safi: 1, forwardingPreserved: false, staleTimeSec: 0 },
    ],
  },
];

// BIRD 2 OPEN, from the RFC layouts: all capabilities in one optional parameter.
const BIRD_OPEN = message(
  OPEN,
  "04", // version 4
  "fdea", // My AS 65002
  "00f0", // hold time 240
  "c6336401", // BGP identifier 198.51.100.1
  "23", // optional parameters length 35
  "02 21", // param 2 (capabilities), length 33
  "01 04 0001 00 01", // MP IPv4 unicast
  "01 04 0002 00 01", // MP IPv6 unicast
  "02 00", // route refresh
  "46 00", // enhanced route refresh
  "40 02 0078", // GR aware: no flags, 120 s, no families
  "41 04 0000fdea", // 4-octet AS 65002
  "06 00", // extended message
  "47 00", // LLGR aware, no families
  "09 01 03", // role: customer
);

const BIRD: OpenMessage = {
  type: "open",
  version: 4,
  myAsn: 65002,
  holdTime: 240,
  bgpIdentifier: "198.51.100.1",
  capabilities: [
    { name: "multiprotocol", afi: 1, safi: 1 },
    { name: "multiprotocol", afi: 2, safi: 1 },
    { name: "route-refresh" },
    { name: "enhanced-route-refresh" },
    { name: "graceful-restart", restarting: false, notification: false, restartTimeSec: 120, families: [] },
    { name: "four-octet-as", asn: 65002 },
    { name: "extended-message" },
    { name: "long-lived-graceful-restart", families: [] },
    { name: "role", role: 3 },
  ],
};

describe("OPEN: real speakers' bytes", () => {
  it("decodes FRR's OPEN (one capability per parameter)", () => {
    expect(decodeMessage(FRR_OPEN)).toEqual({
      type: "open",
      version: 4,
      myAsn: 65001,
      holdTime: 180,
      bgpIdentifier: "10.0.0.1",
      capabilities: FRR_CAPABILITIES,
    });
  });

  it("re-encodes FRR's capabilities in one parameter, which decodes the same", () => {
    const encoded = encodeMessage(decodeMessage(FRR_OPEN));
    // 12 parameter headers of 2 octets collapse into one: 24 - 2 = 22 octets shorter.
    expect(encoded.length).toBe(FRR_OPEN.length - 22);
    expect(toHex(encoded.subarray(29, 31))).toBe("0254"); // param 2, length 84
    expect(decodeMessage(encoded)).toEqual(decodeMessage(FRR_OPEN));
  });

  it("decodes BIRD's OPEN (all capabilities in one parameter) and encodes it byte-identically", () => {
    expect(decodeMessage(BIRD_OPEN)).toEqual(BIRD);
    expect(toHex(encodeMessage(BIRD))).toBe(toHex(BIRD_OPEN));
  });

  it("decodes GoBGP's extended next hop, ADD-PATH and LLGR (osrg/gobgp bgp_test.go)", () => {
    const bytes = hex(
      "ffffffffffffffffffffffffffffffff 0036 01", // header, length 54, OPEN
      "04 fa7b 00f0 7f000002", // version 4, AS 64123, hold 240, identifier 127.0.0.2
      "19", // optional parameters length 25
      "02 17", // param 2, length 23
      "05 06 0001 0001 0002", // extended next hop: IPv4 unicast over IPv6
      "45 04 0001 01 02", // ADD-PATH IPv4 unicast send
      "47 07 0001 01 00 000e10", // LLGR IPv4 unicast, stale time 3600
    );
    const open = decodeMessage(bytes) as OpenMessage;
    expect(open.capabilities).toEqual([
      { name: "extended-next-hop", entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
      { name: "add-path", families: [{ afi: 1, safi: 1, sendReceive: "send" }] },
      {
        name: "long-lived-graceful-restart",
        families: [{ afi: 1, safi: 1, forwardingPreserved: false, staleTimeSec: 3600 }],
      },
    ]);
    expect(toHex(encodeMessage(open))).toBe(toHex(bytes));
  });
});

describe("OPEN: optional parameters", () => {
  it("keeps a non-capability parameter raw and encodes it after the capabilities", () => {
    const bytes = message(
      OPEN,
      "04 fde8 005a c6336402", // version 4, AS 65000, hold 90, identifier 198.51.100.2
      "0e", // optional parameters length 14
      "02 06 41 04 0000fde8", // param 2 len 6: 4-octet AS 65000
      "01 04 deadbeef", // param 1 (deprecated authentication) len 4, kept raw
    );
    const open = decodeMessage(bytes) as OpenMessage;
    expect(open.capabilities).toEqual([{ name: "four-octet-as", asn: 65000 }]);
    expect(open.unknownParameters).toEqual([{ parameterType: 1, data: hex("deadbeef") }]);
    expect(toHex(encodeMessage(open))).toBe(toHex(bytes));
  });

  it("decodes an OPEN with no optional parameters and omits unknownParameters", () => {
    const bytes = message(OPEN, "04 0001 00b4 01010101 00"); // holo open1: AS 1, hold 180, 1.1.1.1, none
    expect(decodeMessage(bytes)).toEqual({
      type: "open",
      version: 4,
      myAsn: 1,
      holdTime: 180,
      bgpIdentifier: "1.1.1.1",
      capabilities: [],
    });
    expect(toHex(encodeMessage(decodeMessage(bytes)))).toBe(toHex(bytes));
  });

  it("decodes the RFC 9072 extended format", () => {
    const bytes = message(
      OPEN,
      "04 fde8 00b4 c6336403", // version 4, AS 65000, hold 180, identifier 198.51.100.3
      "ff", // Non-Ext OP Len: non-zero
      "ff", // Non-Ext OP Type 255: extended format follows
      "0010", // Extended Opt. Parm. Length 16
      "02 0008 01 04 0001 00 01 02 00", // param 2, 2-octet length 8: MP IPv4 unicast, route refresh
      "01 0002 abcd", // param 1, 2-octet length 2, kept raw
    );
    const open = decodeMessage(bytes) as OpenMessage;
    expect(open.capabilities).toEqual([
      { name: "multiprotocol", afi: 1, safi: 1 },
      { name: "route-refresh" },
    ]);
    expect(open.unknownParameters).toEqual([{ parameterType: 1, data: hex("abcd") }]);
  });

  it("encodes capabilities over 255 octets in the RFC 9072 extended format", () => {
    const capabilities: Capability[] = Array.from({ length: 50 }, (_, i) => ({
      name: "multiprotocol",
      afi: 1,
      safi: i + 1,
    }));
    const open: OpenMessage = {
      type: "open",
      version: 4,
      myAsn: 65000,
      holdTime: 180,
      bgpIdentifier: "198.51.100.4",
      capabilities,
    };
    const bytes = encodeMessage(open);
    expect(toHex(bytes.subarray(28, 35))).toBe(
      [
        "ff", // Non-Ext OP Len 255
        "ff", // Non-Ext OP Type 255
        "012f", // Extended Opt. Parm. Length 303 = 3 + 50 x 6
        "02", // param 2
        "012c", // 2-octet length 300
      ].join(""),
    );
    expect(toHex(bytes.subarray(35, 41))).toBe("010400010001"); // first capability: MP 1/1
    expect(bytes.length).toBe(29 + 3 + 3 + 300); // fixed part, 255 + extended length, parameter header, value
    expect(decodeMessage(bytes)).toEqual(open);
  });

  it("uses the plain format up to exactly 255 octets", () => {
    // One parameter of 253 octets of capabilities = 255 with its header.
    const capabilities: Capability[] = [{ name: "unknown", code: 200, data: new Uint8Array(251) }];
    const open: OpenMessage = {
      type: "open",
      version: 4,
      myAsn: 65000,
      holdTime: 180,
      bgpIdentifier: "198.51.100.5",
      capabilities,
    };
    const bytes = encodeMessage(open);
    expect(toHex(bytes.subarray(28, 31))).toBe("ff02fd"); // length 255, param 2, length 253
    expect(decodeMessage(bytes)).toEqual(open);
  });
});

describe("OPEN: errors (code, subcode, data)", () => {
  it("version 3 -> 2/1 with the largest supported version, 4", () => {
    const e = decodeError(message(OPEN, "03 fde8 005a c0a80101 00")); // version 3
    expect([e.code, e.subcode, toHex(e.data)]).toEqual([2, 1, "0004"]);
  });

  it("version 5 -> 2/1 with 4", () => {
    const e = decodeError(message(OPEN, "05 fde8 005a c0a80101 00")); // version 5
    expect([e.code, e.subcode, toHex(e.data)]).toEqual([2, 1, "0004"]);
  });

  it.each<[string, string[]]>([
    ["optional parameters length overruns the message", ["04 fde8 00b4 c6336401", "08", "02 02 02 00"]],
    ["octets left after the optional parameters", ["04 fde8 00b4 c6336401", "04", "02 02 02 00", "00"]],
    ["a parameter length that overruns", ["04 fde8 00b4 c6336401", "04", "02 05 02 00"]],
    ["a parameter with no length octet", ["04 fde8 00b4 c6336401", "01", "02"]],
    ["a capability that overruns its parameter", ["04 fde8 00b4 c6336401", "04", "02 02 41 04"]],
    ["a capability of the wrong length", ["04 fde8 00b4 c6336401", "06", "02 04 41 02 fde8"]],
    ["an extended length cut short", ["04 fde8 00b4 c6336401", "ff", "ff 00"]],
    ["an extended length that overruns", ["04 fde8 00b4 c6336401", "ff", "ff 0010", "02 0002 0200"]],
    [
      "an extended parameter length that overruns",
      ["04 fde8 00b4 c6336401", "ff", "ff 0005", "02 0009 0200"],
    ],
  ])("%s -> 2/0", (_, fields) => {
    const e = decodeError(message(OPEN, ...fields));
    expect([e.code, e.subcode, e.data.length]).toEqual([2, 0, 0]);
  });

  it("leaves hold time and peer AS to the state machine: hold time 1 decodes", () => {
    const open = decodeMessage(message(OPEN, "04 fde8 0001 c0a80101 00")) as OpenMessage;
    expect(open.holdTime).toBe(1);
  });
});

describe("OPEN: encode refuses what does not fit", () => {
  const base: OpenMessage = {
    type: "open",
    version: 4,
    myAsn: 65000,
    holdTime: 180,
    bgpIdentifier: "198.51.100.6",
    capabilities: [],
  };
  it.each<[string, Partial<OpenMessage>]>([
    ["a 4-octet My AS", { myAsn: 65536 }],
    ["a hold time over 65535", { holdTime: 65536 }],
  ])("%s -> RangeError", (_, change) => {
    expect(() => encodeMessage({ ...base, ...change })).toThrow(RangeError);
  });

  it("an identifier that is not a dotted quad -> TypeError", () => {
    expect(() => encodeMessage({ ...base, bgpIdentifier: "2001:db8::1" })).toThrow(TypeError);
  });
});
