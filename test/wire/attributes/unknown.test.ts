import { describe, expect, it } from "vitest";
import { decodeAttributes, encodeAttributes } from "./helpers.js";

describe("unknown attributes", () => {
  it("keeps an unknown optional transitive attribute and passes it on with Partial set", () => {
    // biome-ignore format: one line per wire field
    const decoded = decodeAttributes([
      0xc0, 0x63, 0x03, // flags OT, type 99, length 3
      0x01, 0x02, 0x03, // value
    ]);
    expect(decoded.problems).toEqual([]);
    expect(decoded.attributes).toEqual({
      unknown: [{ flags: 0xc0, code: 99, data: Uint8Array.of(1, 2, 3) }],
    });
    // biome-ignore format: one line per wire field
    expect(encodeAttributes(decoded.attributes)).toEqual([
      0xe0, 0x63, 0x03, // flags OT + Partial, type 99, length 3
      0x01, 0x02, 0x03, // value
    ]);
  });

  it("keeps an unknown optional non-transitive attribute's flags as they are", () => {
    const decoded = decodeAttributes([0x80, 0x64, 0x01, 0xff]); // flags O, type 100, length 1, value
    expect(decoded.attributes).toEqual({ unknown: [{ flags: 0x80, code: 100, data: Uint8Array.of(0xff) }] });
    expect(encodeAttributes(decoded.attributes)).toEqual([0x80, 0x64, 0x01, 0xff]);
  });

  it("keeps an Extended Length flag it came with, and the unknowns' own order", () => {
    const bytes = encodeAttributes({
      med: 1,
      origin: "egp",
      unknown: [
        { flags: 0xf0, code: 40, data: Uint8Array.of(9) },
        { flags: 0x80, code: 3 + 0x60, data: new Uint8Array(0) },
        { flags: 0xc0, code: 2 + 0x00, data: Uint8Array.of(7) },
      ],
    });
    // biome-ignore format: one line per wire field
    expect(bytes).toEqual([
      0x40, 0x01, 0x01, 0x01, // ORIGIN EGP
      0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x01, // MED 1
      0xf0, 0x28, 0x00, 0x01, 0x09, // type 40, flags OTP+E kept, 2-octet length 1
      0x80, 0x63, 0x00, // type 99, empty
      0xe0, 0x02, 0x01, 0x07, // unknown type 2 (as the caller asked), after 40 and 99 as given, Partial added
    ]);
  });
});
