/**
 * Codec fidelity (issue 12): what differential testing against real MRT data found the codec
 * changing on the way through. Each case decodes whole messages laid out as the routers send them,
 * re-encodes them, and expects the same octets back.
 */
import { describe, expect, it } from "vitest";
import { MessageType } from "../../src/wire/constants.js";
import { decodeMessage, encodeMessage, encodingLength } from "../../src/wire/message.js";
import type {
  NotificationMessage,
  OpenMessage,
  RouteRefreshMessage,
  UpdateMessage,
} from "../../src/wire/types.js";
import { message, toHex } from "./message-bytes.js";

/** decode, encode, and the same octets; encodingLength agrees. Returns what was decoded. */
function roundTrip(bytes: Uint8Array, ctx: { fourOctetAs: boolean }) {
  const decoded = decodeMessage(bytes, ctx);
  const encoded = encodeMessage(decoded, ctx);
  expect(toHex(encoded)).toBe(toHex(bytes));
  expect(encodingLength(decoded, ctx)).toBe(bytes.length);
  return decoded;
}

describe("the Partial bit on known optional transitive attributes (RFC 4271 §5)", () => {
  it("AS4_PATH with flags 0xE0 from a 2-octet session goes out with 0xE0", () => {
    const bytes = message(
      MessageType.UPDATE,
      "0000", // Withdrawn Routes Length
      "002d", // Total Path Attribute Length: 45
      "40 01 01 00", // ORIGIN IGP
      "40 02 0a 02 04 5ba0 5ba0 fde8 0d1c", // AS_PATH: sequence of 4: 23456 23456 65000 3356
      "40 03 04 c6336401", // NEXT_HOP 198.51.100.1
      "e0 11 12 02 04 0003f7a1 00031b8d 0000fde8 00000d1c", // AS4_PATH, O+T+Partial: 260001 203661 65000 3356
      "18 cb0071", // NLRI 203.0.113.0/24
    );
    const update = roundTrip(bytes, { fourOctetAs: false }) as UpdateMessage;
    expect(update.problems).toBeUndefined();
    expect(update.attributes.as4Path).toEqual([{ type: "sequence", asns: [260001, 203661, 65000, 3356] }]);
    expect(update.attributes.partial).toEqual([17]);
  });

  it("LARGE_COMMUNITY with flags 0xE0, as BIRD passes it on, goes out with 0xE0", () => {
    const bytes = message(
      MessageType.UPDATE,
      "0000", // Withdrawn Routes Length
      "003a", // Total Path Attribute Length: 58
      "40 01 01 00", // ORIGIN IGP
      "40 02 0a 02 02 0000fde8 0003f7a1", // AS_PATH: sequence 65000 260001 (4-octet ASes)
      "40 03 04 c6336401", // NEXT_HOP 198.51.100.1
      "c0 08 04 fde8 0064", // COMMUNITIES 65000:100, no Partial bit: stays 0xC0
      "e0 20 18 0000fde8 00000001 00000002 0003f7a1 00000000 0000002a", // LARGE_COMMUNITY, Partial
      "18 cb0071", // NLRI 203.0.113.0/24
    );
    const update = roundTrip(bytes, { fourOctetAs: true }) as UpdateMessage;
    expect(update.attributes.largeCommunities).toEqual(["65000:1:2", "260001:0:42"]);
    expect(update.attributes.partial).toEqual([32]);
  });

  it("a Partial bit on a well-known attribute is not kept: RFC 4271 §4.3 says it MUST be 0 there", () => {
    const bytes = message(
      MessageType.UPDATE,
      "0000", // Withdrawn Routes Length
      "0004", // Total Path Attribute Length
      "60 01 01 00", // ORIGIN IGP, flags T+Partial
    );
    const update = decodeMessage(bytes, { fourOctetAs: true }) as UpdateMessage;
    expect(update.attributes).toEqual({ origin: "igp" });
    expect(toHex(encodeMessage(update, { fourOctetAs: true }))).toBe(
      toHex(message(MessageType.UPDATE, "0000", "0004", "40 01 01 00")),
    );
  });

  it("a Partial bit only goes out on an attribute that is there and optional transitive", () => {
    const update: UpdateMessage = {
      type: "update",
      withdrawnRoutes: [],
      attributes: { origin: "igp", communities: ["65000:1"], partial: [1, 8, 32] },
      nlri: [],
    };
    expect(toHex(encodeMessage(update, { fourOctetAs: true }))).toBe(
      toHex(message(MessageType.UPDATE, "0000", "000b", "40 01 01 00", "e0 08 04 fde8 0001")),
    );
  });
});

describe("unknown attributes keep their order", () => {
  it("types 0x63 then 0x64 go out as 0x63 then 0x64", () => {
    const bytes = message(
      MessageType.UPDATE,
      "0000", // Withdrawn Routes Length
      "0016", // Total Path Attribute Length: 22
      "40 01 01 00", // ORIGIN IGP
      "40 02 00", // AS_PATH empty
      "40 03 04 c6336401", // NEXT_HOP 198.51.100.1
      "c0 63 01 aa", // unknown type 0x63, optional transitive (goes out with Partial, see below)
      "80 64 01 bb", // unknown type 0x64, optional non-transitive
      "18 cb0071", // NLRI 203.0.113.0/24
    );
    const update = decodeMessage(bytes, { fourOctetAs: true }) as UpdateMessage;
    expect(update.attributes.unknown?.map((u) => u.code)).toEqual([0x63, 0x64]);
    // RFC 4271 §5: an unrecognised optional transitive attribute is passed on with Partial set.
    const expected = Uint8Array.from(bytes);
    expected[19 + 4 + 4 + 3 + 7] = 0xe0; // after the header, two lengths, ORIGIN, AS_PATH, NEXT_HOP
    expect(toHex(encodeMessage(update, { fourOctetAs: true }))).toBe(toHex(expected));
  });

  it("types 0x64 then 0x63 go out as 0x64 then 0x63, not sorted", () => {
    const bytes = message(
      MessageType.UPDATE,
      "0000", // Withdrawn Routes Length
      "0016", // Total Path Attribute Length: 22
      "40 01 01 00", // ORIGIN IGP
      "40 02 00", // AS_PATH empty
      "40 03 04 c6336401", // NEXT_HOP 198.51.100.1
      "e0 64 01 bb", // unknown type 0x64, optional transitive, Partial
      "e0 63 01 aa", // unknown type 0x63, optional transitive, Partial
      "18 cb0071", // NLRI 203.0.113.0/24
    );
    const update = roundTrip(bytes, { fourOctetAs: true }) as UpdateMessage;
    expect(update.attributes.unknown?.map((u) => u.code)).toEqual([0x64, 0x63]);
  });
});

describe("decoded data is a copy, not a view of the input", () => {
  it("a NOTIFICATION decoded from a Buffer that is then overwritten keeps its data", () => {
    const chunk = Buffer.from(
      message(
        MessageType.NOTIFICATION,
        "06 02", // Cease / Administrative Shutdown
        "05 6d61696e74", // RFC 9003: length 5, "maint"
      ),
    );
    const decoded = decodeMessage(chunk) as NotificationMessage;
    chunk.fill(0); // the socket layer reuses its buffer
    expect(toHex(decoded.data)).toBe("056d61696e74");
    expect(decoded.shutdownMessage).toBe("maint");
    expect(Buffer.isBuffer(decoded.data)).toBe(false);
    expect(decoded.data.buffer.byteLength).toBe(6); // owns just its octets, not the chunk
  });

  it("an OPEN's unknown optional parameter, a ROUTE-REFRESH's ORF and its error data are copies", () => {
    const open = Buffer.from(
      message(
        MessageType.OPEN,
        "04 fde8 005a c6336401", // version 4, AS 65000, hold 90, BGP ID 198.51.100.1
        "04", // Opt Parm Len
        "07 02 abcd", // parameter type 7 (not capabilities), length 2
      ),
    );
    const decodedOpen = decodeMessage(open) as OpenMessage;
    open.fill(0);
    expect(decodedOpen.unknownParameters).toEqual([{ parameterType: 7, data: Uint8Array.of(0xab, 0xcd) }]);

    const refresh = Buffer.from(message(MessageType.ROUTE_REFRESH, "0001 00 01", "01 02 03"));
    const decodedRefresh = decodeMessage(refresh) as RouteRefreshMessage;
    refresh.fill(0);
    expect(decodedRefresh.orf).toEqual(Uint8Array.of(1, 2, 3));

    const badRefresh = Buffer.from(message(MessageType.ROUTE_REFRESH, "0001 01 01", "ff"));
    let data: Uint8Array | undefined;
    try {
      decodeMessage(badRefresh);
    } catch (error) {
      data = (error as { data: Uint8Array }).data;
    }
    badRefresh.fill(0);
    // RFC 7313 §5: the Data field is the complete ROUTE-REFRESH message.
    expect(toHex(data ?? new Uint8Array(0))).toBe(
      `${"ff".repeat(16)}0018 05 0001 01 01 ff`.replaceAll(" ", ""),
    );
  });
});

describe("encodingLength measures without encoding", () => {
  it("an OPEN with multi-octet UTF-8 in FQDN and software version, and a lone surrogate", () => {
    const open: OpenMessage = {
      type: "open",
      version: 4,
      myAsn: 65000,
      holdTime: 90,
      bgpIdentifier: "198.51.100.1",
      capabilities: [
        { name: "fqdn", hostname: "rté-😀", domainName: "\ud800x" },
        { name: "software-version", version: "bgp-speaker ∞" },
        {
          name: "graceful-restart",
          restarting: false,
          notification: true,
          restartTimeSec: 120,
          families: [],
        },
      ],
    };
    // hostname r t é - 😀: 1 + 1 + 2 + 1 + 4 octets; domain: 3 (U+FFFD for the lone surrogate) + 1;
    // version: 12 + 3 for ∞.
    expect(encodingLength(open)).toBe(encodeMessage(open).length);
    expect(encodingLength(open)).toBe(19 + 10 + 2 + (2 + 1 + 9 + 1 + 4) + (2 + 1 + 15) + (2 + 2));
  });

  it("an OPEN whose parameters need the RFC 9072 extended length", () => {
    const open: OpenMessage = {
      type: "open",
      version: 4,
      myAsn: 65000,
      holdTime: 90,
      bgpIdentifier: "198.51.100.1",
      capabilities: [{ name: "software-version", version: "v".repeat(200) }],
      unknownParameters: [{ parameterType: 7, data: new Uint8Array(100) }],
    };
    expect(encodingLength(open)).toBe(encodeMessage(open).length);
  });
});
