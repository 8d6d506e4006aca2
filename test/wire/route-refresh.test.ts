import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import type { RouteRefreshMessage } from "../../src/wire/types.js";
import { decodeError, hex, message, toHex } from "./message-bytes.js";

const ROUTE_REFRESH = 5;

describe("ROUTE-REFRESH: bytes <-> model", () => {
  it.each<[string, string[], RouteRefreshMessage]>([
    [
      "a normal request for IPv6 unicast",
      [
        "0002", // AFI 2
        "00", // subtype 0: normal request
        "01", // SAFI 1
      ],
      { type: "route-refresh", afi: 2, safi: 1, subtype: 0 },
    ],
    [
      "Begin-of-Route-Refresh for IPv4 unicast",
      ["0001", "01" /* subtype 1: BoRR */, "01"],
      { type: "route-refresh", afi: 1, safi: 1, subtype: 1 },
    ],
    [
      "End-of-Route-Refresh for IPv4 unicast",
      ["0001", "02" /* subtype 2: EoRR */, "01"],
      { type: "route-refresh", afi: 1, safi: 1, subtype: 2 },
    ],
    [
      "a reserved subtype, decoded as it is",
      ["0001", "ff" /* subtype 255: reserved, the receiver ignores it */, "01"],
      { type: "route-refresh", afi: 1, safi: 1, subtype: 255 },
    ],
    [
      "a request with ORF entries (scapy bgp.uts)",
      [
        "0001 00 01", // AFI 1, subtype 0, SAFI 1
        "01", // When-to-refresh: immediate
        "80 0013", // ORF type 128 (address prefix), length 19
        "20 00000005 18 18 15 010100", // entry: add, deny (match bit), seq 5, min 24, max 24, 1.1.0.0/21
        "00 0000000a 00 20 00", // entry: add/permit, seq 10, min 0, max 32, 0.0.0.0/0
      ],
      {
        type: "route-refresh",
        afi: 1,
        safi: 1,
        subtype: 0,
        orf: hex("018000132000000005181815010100000000000a002000"), // from When-to-refresh on, raw
      },
    ],
  ])("%s", (_, body, decoded) => {
    const bytes = message(ROUTE_REFRESH, ...body);
    expect(decodeMessage(bytes)).toEqual(decoded);
    expect(toHex(encodeMessage(decoded))).toBe(toHex(bytes));
  });
});

describe("ROUTE-REFRESH: errors", () => {
  it("shorter than 23 octets -> 1/2 with the length", () => {
    const e = decodeError(message(ROUTE_REFRESH, "0001 00")); // 22 octets
    expect([e.code, e.subcode, toHex(e.data)]).toEqual([1, 2, "0016"]);
  });

  it.each<[string, string]>([
    ["BoRR", "01"],
    ["EoRR", "02"],
  ])("%s longer than 23 octets -> 7/1 with the whole message (RFC 7313 §5)", (_, subtype) => {
    const bytes = message(ROUTE_REFRESH, "0001", subtype, "01", "00"); // one extra octet
    const e = decodeError(bytes);
    expect([e.code, e.subcode, toHex(e.data)]).toEqual([7, 1, toHex(bytes)]);
  });
});
