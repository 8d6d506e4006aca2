import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import { describeNotification } from "../../src/wire/notification.js";
import type { NotificationMessage } from "../../src/wire/types.js";
import { hex, message, toHex } from "./message-bytes.js";

const NOTIFICATION = 3;

function notification(...body: string[]): NotificationMessage {
  return decodeMessage(message(NOTIFICATION, ...body)) as NotificationMessage;
}

describe("NOTIFICATION: bytes <-> model", () => {
  it("decodes and encodes code, subcode and data", () => {
    const bytes = message(
      NOTIFICATION,
      "03", // code 3, UPDATE Message Error
      "04", // subcode 4, Attribute Flags Error
      "80010100", // data: the attribute (flags 0x80, type 1, length 1, value 0)
    );
    const decoded = decodeMessage(bytes);
    expect(decoded).toEqual({ type: "notification", code: 3, subcode: 4, data: hex("80010100") });
    expect(toHex(encodeMessage(decoded))).toBe(toHex(bytes));
  });

  it("keeps a one-octet data field (FSM error: unexpected message type)", () => {
    const bytes = message(NOTIFICATION, "05", "01", "04"); // code 5, subcode 1, data: type 4
    const decoded = decodeMessage(bytes) as NotificationMessage;
    expect(decoded.data).toEqual(Uint8Array.of(4));
    expect(toHex(encodeMessage(decoded))).toBe(toHex(bytes));
  });

  it("decodes a NOTIFICATION without data", () => {
    expect(notification("04", "00")).toEqual({
      type: "notification",
      code: 4,
      subcode: 0,
      data: new Uint8Array(0),
    });
  });
});

describe("NOTIFICATION: RFC 9003 shutdown communication", () => {
  it("decodes Administrative Shutdown with a message", () => {
    const n = notification(
      "06", // Cease
      "02", // Administrative Shutdown
      "15", // length 21
      "4d61696e74656e616e6365207363686564756c6564", // "Maintenance scheduled"
    );
    expect(n.shutdownMessage).toBe("Maintenance scheduled");
    expect(toHex(n.data)).toBe("154d61696e74656e616e6365207363686564756c6564");
  });

  it("decodes Administrative Reset with a UTF-8 message", () => {
    const n = notification(
      "06", // Cease
      "04", // Administrative Reset
      "07", // length 7
      "72 c3a9 626f6f74", // "r", "é" (two octets), "boot"
    );
    expect(n.shutdownMessage).toBe("réboot");
  });

  it("decodes a 255-octet message (RFC 9003 raised the limit from 128)", () => {
    const n = notification("06", "02", "ff", "41".repeat(255));
    expect(n.shutdownMessage).toBe("A".repeat(255));
  });

  it("an empty shutdown communication is an empty string", () => {
    expect(notification("06", "02", "00").shutdownMessage).toBe("");
  });

  it.each<[string, string]>([
    ["a length that overruns the data", "0a 414243"],
    ["bad UTF-8", "03 808182"],
    ["no data at all", ""],
  ])("%s: still a valid NOTIFICATION, no shutdownMessage", (_, data) => {
    const n = notification("06", "02", data);
    expect(n).toEqual({ type: "notification", code: 6, subcode: 2, data: hex(data) });
    expect("shutdownMessage" in n).toBe(false);
  });

  it("trailing octets after the stated length: message from the stated length, data kept whole", () => {
    const n = notification("06", "02", "08", "53687574646f776e", "010203"); // length 8 "Shutdown", then 01 02 03
    expect(n.shutdownMessage).toBe("Shutdown");
    expect(toHex(n.data)).toBe("0853687574646f776e010203");
  });

  it("other codes do not decode a shutdown communication", () => {
    expect("shutdownMessage" in notification("06", "03", "02", "6869")).toBe(false); // Cease / Peer De-configured
    expect("shutdownMessage" in notification("02", "02", "02", "6869")).toBe(false); // OPEN / Bad Peer AS
  });

  it("encodes shutdownMessage when data is empty", () => {
    const bytes = encodeMessage({
      type: "notification",
      code: 6,
      subcode: 2,
      data: new Uint8Array(0),
      shutdownMessage: "bye",
    });
    expect(toHex(bytes.subarray(19))).toBe("0602" + "03" + "627965"); // Cease, Admin Shutdown, length 3, "bye"
  });

  it("data wins over shutdownMessage on encode", () => {
    const bytes = encodeMessage({
      type: "notification",
      code: 6,
      subcode: 2,
      data: hex("026869"),
      shutdownMessage: "ignored",
    });
    expect(toHex(bytes.subarray(19))).toBe("0602026869");
  });

  it("truncates to 255 octets on a character boundary", () => {
    // 127 two-octet characters = 254 octets; one more would make 256, so it is dropped whole.
    const text = "é".repeat(200);
    const bytes = encodeMessage({
      type: "notification",
      code: 6,
      subcode: 4,
      data: new Uint8Array(0),
      shutdownMessage: text,
    });
    expect(bytes[21]).toBe(254);
    expect(bytes.length).toBe(19 + 2 + 1 + 254);
    expect((decodeMessage(bytes) as NotificationMessage).shutdownMessage).toBe("é".repeat(127));
  });

  it("round-trips a decoded shutdown NOTIFICATION byte-identically", () => {
    const bytes = message(NOTIFICATION, "06", "02", "05", "68656c6c6f"); // "hello"
    expect(toHex(encodeMessage(decodeMessage(bytes)))).toBe(toHex(bytes));
  });
});

describe("describeNotification", () => {
  it.each<[number, number, string]>([
    [1, 1, "Message Header Error / Connection Not Synchronized"],
    [1, 2, "Message Header Error / Bad Message Length"],
    [1, 3, "Message Header Error / Bad Message Type"],
    [2, 0, "OPEN Message Error / Unspecific"],
    [2, 1, "OPEN Message Error / Unsupported Version Number"],
    [2, 2, "OPEN Message Error / Bad Peer AS"],
    [2, 3, "OPEN Message Error / Bad BGP Identifier"],
    [2, 4, "OPEN Message Error / Unsupported Optional Parameter"],
    [2, 6, "OPEN Message Error / Unacceptable Hold Time"],
    [2, 7, "OPEN Message Error / Unsupported Capability"],
    [2, 11, "OPEN Message Error / Role Mismatch"],
    [3, 1, "UPDATE Message Error / Malformed Attribute List"],
    [3, 2, "UPDATE Message Error / Unrecognized Well-known Attribute"],
    [3, 3, "UPDATE Message Error / Missing Well-known Attribute"],
    [3, 4, "UPDATE Message Error / Attribute Flags Error"],
    [3, 5, "UPDATE Message Error / Attribute Length Error"],
    [3, 6, "UPDATE Message Error / Invalid ORIGIN Attribute"],
    [3, 8, "UPDATE Message Error / Invalid NEXT_HOP Attribute"],
    [3, 9, "UPDATE Message Error / Optional Attribute Error"],
    [3, 10, "UPDATE Message Error / Invalid Network Field"],
    [3, 11, "UPDATE Message Error / Malformed AS_PATH"],
    [4, 0, "Hold Timer Expired"],
    [5, 0, "Finite State Machine Error / Unspecified Error"],
    [5, 1, "Finite State Machine Error / Receive Unexpected Message in OpenSent State"],
    [5, 2, "Finite State Machine Error / Receive Unexpected Message in OpenConfirm State"],
    [5, 3, "Finite State Machine Error / Receive Unexpected Message in Established State"],
    [6, 1, "Cease / Maximum Number of Prefixes Reached"],
    [6, 2, "Cease / Administrative Shutdown"],
    [6, 3, "Cease / Peer De-configured"],
    [6, 4, "Cease / Administrative Reset"],
    [6, 5, "Cease / Connection Rejected"],
    [6, 6, "Cease / Other Configuration Change"],
    [6, 7, "Cease / Connection Collision Resolution"],
    [6, 8, "Cease / Out of Resources"],
    [6, 9, "Cease / Hard Reset"],
    [7, 1, "ROUTE-REFRESH Message Error / Invalid Message Length"],
    [6, 99, "Cease / Unknown subcode 99"],
    [9, 1, "Unknown error code 9 / subcode 1"],
  ])("%i/%i -> %s", (code, subcode, text) => {
    expect(describeNotification(code, subcode)).toBe(text);
  });
});
