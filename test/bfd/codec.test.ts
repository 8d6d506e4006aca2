import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verify } from "../../src/bfd/auth.js";
import { decodeControl, encodeControl } from "../../src/bfd/codec.js";
import { BfdError } from "../../src/bfd/error.js";
import type { BfdAuthKey, BfdControlPacket } from "../../src/bfd/types.js";

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));

const up: BfdControlPacket = {
  diag: 0,
  state: "Up",
  poll: false,
  final: false,
  controlPlaneIndependent: false,
  demand: false,
  detectMult: 3,
  myDiscriminator: 0x11223344,
  yourDiscriminator: 0x55667788,
  desiredMinTxUs: 300_000,
  requiredMinRxUs: 300_000,
  requiredMinEchoRxUs: 0,
};

// Version 1, Diag 0 | State Up (3), no flags | Detect Mult 3 | Length 24
const UP_BYTES = hex(`
  20 c0 03 18
  11 22 33 44
  55 66 77 88
  00 04 93 e0
  00 04 93 e0
  00 00 00 00`);

describe("BFD control packet codec", () => {
  it("encodes and decodes a plain Up packet byte by byte", () => {
    expect(encodeControl(up)).toEqual(UP_BYTES);
    expect(decodeControl(UP_BYTES)).toEqual(up);
  });

  it("puts diag, state and every flag bit where RFC 5880 §4.1 says", () => {
    const p: BfdControlPacket = {
      ...up,
      diag: 7, // Administratively Down
      state: "AdminDown",
      poll: true,
      final: false,
      controlPlaneIndependent: true,
      demand: true,
      yourDiscriminator: 0,
    };
    const bytes = encodeControl(p);
    expect(bytes[0]).toBe(0b001_00111); // Vers 1, Diag 7
    expect(bytes[1]).toBe(0b00_1_0_1_0_1_0); // Sta 0, P, C, D
    expect(decodeControl(bytes)).toEqual(p);
    const f = encodeControl({ ...up, state: "Init", final: true });
    expect(f[1]).toBe(0b10_0_1_0_0_0_0); // Sta 2 (Init), F
  });

  it("encodes a Keyed SHA1 section (§4.4) and signs it over the whole packet", () => {
    const key: BfdAuthKey = { type: 4, keyId: 7, key: new TextEncoder().encode("secret") };
    const p: BfdControlPacket = {
      ...up,
      auth: { type: 4, keyId: 7, sequence: 0x01020304, digest: new Uint8Array(20) },
    };
    const bytes = encodeControl(p, key);
    expect(bytes.length).toBe(52);
    expect(bytes[1]).toBe(0xc4); // Up, A bit
    expect(bytes[3]).toBe(52); // Length
    // Auth Type 4 | Auth Len 28 | Key ID 7 | Reserved 0
    expect([...bytes.subarray(24, 28)]).toEqual([4, 28, 7, 0]);
    expect([...bytes.subarray(28, 32)]).toEqual([1, 2, 3, 4]); // Sequence Number
    // The digest is SHA1 of the packet with the key, zero-padded to 20 octets, in its place.
    const withKey = Uint8Array.from(bytes);
    withKey.fill(0, 32);
    withKey.set(key.key, 32);
    const expected = createHash("sha1").update(withKey).digest();
    expect(Buffer.from(bytes.subarray(32))).toEqual(expected);
    const decoded = decodeControl(bytes);
    expect(decoded.auth).toEqual({ type: 4, keyId: 7, sequence: 0x01020304, digest: bytes.slice(32) });
    expect(verify(bytes, key)).toBe(true);
    expect(verify(bytes, { ...key, key: new TextEncoder().encode("secreT") })).toBe(false);
    const flipped = Uint8Array.from(bytes);
    flipped[13] ^= 1; // a changed interval breaks the digest
    expect(verify(flipped, key)).toBe(false);
  });

  it("encodes a Meticulous Keyed SHA1 section with Auth Type 5", () => {
    const key: BfdAuthKey = { type: 5, keyId: 1, key: new Uint8Array(20).fill(0xaa) };
    const bytes = encodeControl(
      { ...up, auth: { type: 5, keyId: 1, sequence: 0xffffffff, digest: new Uint8Array(20) } },
      key,
    );
    expect([...bytes.subarray(24, 32)]).toEqual([5, 28, 1, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(verify(bytes, key)).toBe(true);
  });

  it("encodes a Keyed MD5 section (§4.3): Auth Len 24, 16-octet digest", () => {
    const key: BfdAuthKey = { type: 2, keyId: 255, key: new TextEncoder().encode("md5key") };
    const bytes = encodeControl(
      { ...up, auth: { type: 2, keyId: 255, sequence: 9, digest: new Uint8Array(16) } },
      key,
    );
    expect(bytes.length).toBe(48);
    expect(bytes[3]).toBe(48);
    expect([...bytes.subarray(24, 32)]).toEqual([2, 24, 255, 0, 0, 0, 0, 9]);
    const withKey = Uint8Array.from(bytes);
    withKey.fill(0, 32);
    withKey.set(key.key, 32);
    expect(Buffer.from(bytes.subarray(32))).toEqual(createHash("md5").update(withKey).digest());
    expect(verify(bytes, key)).toBe(true);
    expect(decodeControl(bytes).auth).toMatchObject({ type: 2, keyId: 255, sequence: 9 });
  });

  it("decodes a Simple Password section (§4.2)", () => {
    // A bit, Length 24 + 3 + 4; Auth Type 1 | Auth Len 7 | Key ID 2 | "pass"
    const bytes = hex(`20 c4 03 1f 11223344 55667788 000493e0 000493e0 00000000 01 07 02 70617373`);
    expect(decodeControl(bytes).auth).toEqual({
      type: 1,
      keyId: 2,
      password: new TextEncoder().encode("pass"),
    });
    expect(encodeControl(decodeControl(bytes))).toEqual(bytes);
  });

  it("ignores octets after the Length field's end (UDP padding)", () => {
    const padded = new Uint8Array(30);
    padded.set(UP_BYTES);
    expect(decodeControl(padded)).toEqual(up);
  });

  describe("refuses what RFC 5880 §6.8.6 says to discard, with BfdError", () => {
    const mutate = (f: (b: Uint8Array) => void): Uint8Array => {
      const b = Uint8Array.from(UP_BYTES);
      f(b);
      return b;
    };
    const edit = (...pairs: [number, number][]): Uint8Array =>
      mutate((b) => {
        for (const [at, value] of pairs) b[at] = value;
      });
    const cases: [string, Uint8Array, RegExp][] = [
      ["fewer than 24 octets", UP_BYTES.subarray(0, 23), /shorter than the 24-octet header/],
      ["version 0", mutate((b) => (b[0] = 0x00)), /version 0/],
      ["version 2", mutate((b) => (b[0] = 0x40)), /version 2/],
      ["Length under 24", mutate((b) => (b[3] = 23)), /Length 23 is too short/],
      ["Length under 26 with the A bit", edit([1, 0xc4], [3, 25]), /Length 25 is too short/],
      ["Length beyond the datagram", mutate((b) => (b[3] = 25)), /exceeds the 24 octets/],
      ["Detect Mult zero", mutate((b) => (b[2] = 0)), /Detect Mult is zero/],
      ["the Multipoint bit", mutate((b) => (b[1] |= 0x01)), /Multipoint/],
      ["My Discriminator zero", mutate((b) => b.fill(0, 4, 8)), /My Discriminator is zero/],
      [
        "Your Discriminator zero in Up",
        mutate((b) => b.fill(0, 8, 12)),
        /Your Discriminator is zero in state Up/,
      ],
      ["Your Discriminator zero in Init", edit([8, 0], [9, 0], [10, 0], [11, 0], [1, 0x80]), /state Init/],
    ];
    for (const [name, bytes, message] of cases) {
      it(name, () => {
        expect(() => decodeControl(bytes)).toThrowError(BfdError);
        expect(() => decodeControl(bytes)).toThrowError(message);
      });
    }

    it("accepts Your Discriminator zero in Down and AdminDown", () => {
      for (const sta of [0x00, 0x40]) {
        const b = edit([8, 0], [9, 0], [10, 0], [11, 0], [1, sta]);
        expect(decodeControl(b).yourDiscriminator).toBe(0);
      }
    });

    const authed = (type: number, authLen: number, total: number): Uint8Array => {
      const b = new Uint8Array(total);
      b.set(UP_BYTES);
      b[1] |= 0x04;
      b[3] = total;
      b[24] = type;
      b[25] = authLen;
      return b;
    };
    it("an Auth Len that does not fill Length", () => {
      expect(() => decodeControl(authed(4, 28, 50))).toThrowError(/Auth Len 28 does not fill/);
    });
    it("a SHA1 section of the MD5 length", () => {
      expect(() => decodeControl(authed(4, 24, 48))).toThrowError(/type 4 has Auth Len 24, expected 28/);
    });
    it("an MD5 section of the SHA1 length", () => {
      expect(() => decodeControl(authed(2, 28, 52))).toThrowError(/type 2 has Auth Len 28, expected 24/);
    });
    it("an unknown auth type", () => {
      expect(() => decodeControl(authed(6, 28, 52))).toThrowError(/auth type 6 is unknown/);
    });
    it("a simple password of 17 octets", () => {
      expect(() => decodeControl(authed(1, 20, 44))).toThrowError(/simple password Auth Len 20/);
    });
  });
});
