import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import type { BgpMessage, UpdateMessage } from "../../src/wire/types.js";
import { decodeError, hex, message, toHex } from "./message-bytes.js";

const MARKER = "ffffffffffffffffffffffffffffffff";

describe("KEEPALIVE", () => {
  it("is the header alone, both ways", () => {
    const bytes = hex(
      MARKER, // marker
      "0013", // length 19
      "04", // type 4, KEEPALIVE
    );
    expect(decodeMessage(bytes)).toEqual({ type: "keepalive" });
    expect(toHex(encodeMessage({ type: "keepalive" }))).toBe(toHex(bytes));
  });
});

describe("header errors: one test per NOTIFICATION a decode can produce", () => {
  it("1/1 Connection Not Synchronized: a marker octet is not 0xff", () => {
    const bytes = hex("ffffffffffffff fe ffffffffffffffff", "0013", "04"); // octet 7 is 0xfe
    const e = decodeError(bytes);
    expect([e.code, e.subcode, e.data.length]).toEqual([1, 1, 0]);
  });

  it.each<[string, Uint8Array, string]>([
    ["Length 18 (< 19)", hex(MARKER, "0012", "04"), "0012"],
    ["Length 0", hex(MARKER, "0000", "04"), "0000"],
    ["Length 4097 (> 4096) without extended messages", hex(MARKER, "1001", "04", "00".repeat(100)), "1001"],
    ["Length 30 but 19 octets given", hex(MARKER, "001e", "04"), "001e"],
    ["Length 19 but 20 octets given", hex(MARKER, "0013", "04", "00"), "0013"],
    ["KEEPALIVE of length 20", hex(MARKER, "0014", "04", "00"), "0014"],
    ["OPEN of length 28 (< 29)", message(1, "04 fde8 00b4 c0a80101"), "001c"],
    ["UPDATE of length 22 (< 23)", message(2, "0000 00"), "0016"],
    ["NOTIFICATION of length 20 (< 21)", message(3, "06"), "0014"],
    ["ROUTE-REFRESH of length 19 (< 23)", message(5), "0013"],
    ["only 18 octets: the Length field is reported", hex(MARKER, "0013"), "0013"],
    ["only 10 octets: the count is reported", hex("ff".repeat(10)), "000a"],
  ])("1/2 Bad Message Length: %s", (_, bytes, data) => {
    const e = decodeError(bytes);
    expect([e.code, e.subcode, toHex(e.data)]).toEqual([1, 2, data]);
  });

  it.each<[number, string]>([
    [0, "00"],
    [6, "06"],
    [7, "07"],
    [255, "ff"],
  ])("1/3 Bad Message Type: type %i, with the type as data", (type, data) => {
    const e = decodeError(message(type, "00000000"));
    expect([e.code, e.subcode, toHex(e.data)]).toEqual([1, 3, data]);
  });

  it("1/2 Bad Message Length beats 1/3 only when the Length is out of range", () => {
    expect(toHex(decodeError(hex(MARKER, "0012", "09")).data)).toBe("0012"); // 1/2: length 18
    expect(decodeError(hex(MARKER, "0013", "09")).subcode).toBe(3); // 1/3: length fine, type 9
  });

  it("extended messages: up to 65535 octets with ctx.extendedMessage", () => {
    const big = message(3, "06 02", "00".repeat(5000)); // NOTIFICATION of 5021 octets
    expect(toHex(decodeError(big).data)).toBe("139d"); // 1/2 without the context
    const n = decodeMessage(big, { extendedMessage: true });
    expect(n.type).toBe("notification");
  });

  it("an error is always a BgpError, even for an empty buffer", () => {
    const e = decodeError(new Uint8Array(0));
    expect([e.code, e.subcode, toHex(e.data)]).toEqual([1, 2, "0000"]);
  });
});

describe("encodeMessage: maximum length", () => {
  const big: BgpMessage = { type: "notification", code: 6, subcode: 2, data: new Uint8Array(4096 - 21 + 1) };

  it("throws RangeError beyond 4096 octets", () => {
    expect(() => encodeMessage(big)).toThrow(RangeError);
  });

  it("allows it with extended messages, and writes the 2-octet Length", () => {
    const bytes = encodeMessage(big, { extendedMessage: true });
    expect(bytes.length).toBe(4097);
    expect(toHex(bytes.subarray(16, 19))).toBe("100103"); // length 4097, type 3
  });

  it("encodes exactly 4096 octets without extended messages", () => {
    const bytes = encodeMessage({ ...big, data: new Uint8Array(4096 - 21) });
    expect(toHex(bytes.subarray(16, 18))).toBe("1000");
  });
});

describe("UPDATE dispatch", () => {
  it("decodes and encodes an End-of-RIB UPDATE through the UPDATE codec", () => {
    const bytes = message(
      2,
      "0000", // withdrawn routes length 0
      "0000", // total path attribute length 0
    );
    const update = decodeMessage(bytes) as UpdateMessage;
    expect(update).toEqual({ type: "update", withdrawnRoutes: [], attributes: {}, nlri: [] });
    expect(toHex(encodeMessage(update))).toBe(toHex(bytes));
  });

  it("passes the context on: ADD-PATH path identifiers in withdrawn routes", () => {
    const bytes = message(
      2,
      "0008", // withdrawn routes length 8
      "00000007 18 c63364", // path id 7, 198.51.100.0/24
      "0000", // no attributes
    );
    const update = decodeMessage(bytes, { addPath: ["ipv4-unicast"] }) as UpdateMessage;
    expect(update.withdrawnRoutes).toEqual([{ prefix: "198.51.100.0/24", pathId: 7 }]);
    expect(toHex(encodeMessage(update, { addPath: ["ipv4-unicast"] }))).toBe(toHex(bytes));
  });
});
