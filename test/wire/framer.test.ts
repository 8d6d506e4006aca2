import { describe, expect, it } from "vitest";
import type { BgpError } from "../../src/wire/errors.js";
import { MessageFramer } from "../../src/wire/framer.js";
import { decodeMessage } from "../../src/wire/message.js";
import { errorOf, hex, message, toHex } from "./message-bytes.js";

const MARKER = "ffffffffffffffffffffffffffffffff";

/** A stream of different messages, back to back. */
const MESSAGES = [
  message(1, "04 fde8 00b4 c6336401 08 02 06 01 04 0001 00 01"), // OPEN with MP IPv4 unicast
  message(4), // KEEPALIVE
  message(5, "0001 00 01"), // ROUTE-REFRESH IPv4 unicast
  message(3, "06 02 03 627965"), // NOTIFICATION Cease / Administrative Shutdown "bye"
  message(2, "0000 0000"), // UPDATE: End-of-RIB
  message(4), // KEEPALIVE
];
const STREAM = hex(...MESSAGES.map(toHex));

function framingError(framer: MessageFramer, ...chunks: Uint8Array[]): BgpError {
  return errorOf(() => {
    for (const chunk of chunks) framer.push(chunk);
  });
}

describe("MessageFramer", () => {
  it("yields every message of one chunk, in order", () => {
    const framer = new MessageFramer();
    expect(framer.push(STREAM).map(toHex)).toEqual(MESSAGES.map(toHex));
    expect(framer.buffered).toBe(0);
  });

  it("gives the same messages whichever position the stream is split at", () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const framer = new MessageFramer();
      const out = [...framer.push(STREAM.subarray(0, cut)), ...framer.push(STREAM.subarray(cut))];
      expect(out.map(toHex), `cut at ${cut}`).toEqual(MESSAGES.map(toHex));
      expect(framer.buffered).toBe(0);
    }
  });

  it("gives the same messages split at every pair of positions", () => {
    for (let a = 0; a <= STREAM.length; a += 3) {
      for (let b = a; b <= STREAM.length; b += 5) {
        const framer = new MessageFramer();
        const out = [
          ...framer.push(STREAM.subarray(0, a)),
          ...framer.push(STREAM.subarray(a, b)),
          ...framer.push(STREAM.subarray(b)),
        ];
        expect(out.map(toHex), `cuts at ${a}, ${b}`).toEqual(MESSAGES.map(toHex));
      }
    }
  });

  it("one octet at a time, reporting what it holds back", () => {
    const framer = new MessageFramer();
    const out: Uint8Array[] = [];
    for (let i = 0; i < STREAM.length; i++) {
      out.push(...framer.push(STREAM.subarray(i, i + 1)));
    }
    expect(out.map(toHex)).toEqual(MESSAGES.map(toHex));
    expect(framer.buffered).toBe(0);

    framer.push(MESSAGES[0].subarray(0, 10));
    expect(framer.buffered).toBe(10);
  });

  it("framed messages decode", () => {
    const framer = new MessageFramer();
    const types = framer.push(STREAM).map((m) => decodeMessage(m).type);
    expect(types).toEqual(["open", "keepalive", "route-refresh", "notification", "update", "keepalive"]);
  });

  it("messages completed from pieces do not change when the next chunks arrive", () => {
    const framer = new MessageFramer();
    const first = framer.push(MESSAGES[0].subarray(0, 20));
    expect(first).toEqual([]);
    const [open] = framer.push(MESSAGES[0].subarray(20));
    framer.push(MESSAGES[2].subarray(0, 21)); // the next message starts filling the buffer
    expect(toHex(open)).toBe(toHex(MESSAGES[0]));
  });

  it("a bad marker -> 1/1, even split inside the header", () => {
    const bad = hex("ff".repeat(15), "00", "0013", "04");
    const e1 = framingError(new MessageFramer(), bad);
    expect([e1.code, e1.subcode]).toEqual([1, 1]);
    const e2 = framingError(new MessageFramer(), MESSAGES[1], bad.subarray(0, 7), bad.subarray(7));
    expect([e2.code, e2.subcode]).toEqual([1, 1]);
  });

  it.each<[string, string, string]>([
    ["Length 18", "0012", "0012"],
    ["Length 4097", "1001", "1001"],
    ["Length 65535", "ffff", "ffff"],
  ])("%s -> 1/2 with the Length as data", (_, length, data) => {
    const e = framingError(new MessageFramer(), hex(MARKER, length, "04"));
    expect([e.code, e.subcode, toHex(e.data)]).toEqual([1, 2, data]);
  });

  it("a bad Length is reported as soon as the header is in, not after buffering", () => {
    const framer = new MessageFramer();
    const header = hex(MARKER, "2000", "02"); // 8192 octets announced
    const e = framingError(framer, header.subarray(0, 18), header.subarray(18));
    expect(toHex(e.data)).toBe("2000");
  });

  it("switches to 65535 octets for extended messages", () => {
    const big = message(3, "06 02", "00".repeat(10_000)); // 10,021 octets
    const framer = new MessageFramer();
    expect(framer.maxMessageLength).toBe(4096);
    expect(toHex(framingError(framer, big).data)).toBe(toHex(big.subarray(16, 18)));

    const extended = new MessageFramer();
    extended.push(MESSAGES[1]);
    extended.maxMessageLength = 65535;
    const out = [...extended.push(big.subarray(0, 5000)), ...extended.push(big.subarray(5000))];
    expect(out.map(toHex)).toEqual([toHex(big)]);

    const fromStart = new MessageFramer({ maxMessageLength: 65535 });
    expect(fromStart.push(big).length).toBe(1);
  });

  it("refuses a maximum outside 19..65535", () => {
    expect(() => new MessageFramer({ maxMessageLength: 65536 })).toThrow(RangeError);
    expect(() => {
      new MessageFramer().maxMessageLength = 18;
    }).toThrow(RangeError);
  });

  it("assembles a 65535-octet message from 100-octet chunks", () => {
    const big = message(3, "06 02", "ab".repeat(65535 - 21));
    const framer = new MessageFramer({ maxMessageLength: 65535 });
    const out: Uint8Array[] = [];
    for (let i = 0; i < big.length; i += 100) out.push(...framer.push(big.subarray(i, i + 100)));
    expect(out.length).toBe(1);
    expect(toHex(out[0])).toBe(toHex(big));
  });
});
