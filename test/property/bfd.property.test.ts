/**
 * BFD codec properties: decode(encode(p)) equals p for every valid control packet, with and
 * without an authentication section; arbitrary and mutated bytes only ever raise BfdError; a
 * signed packet verifies with its key and fails after any single-bit change.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verify } from "../../src/bfd/auth.js";
import { decodeControl, encodeControl } from "../../src/bfd/codec.js";
import { BFD_STATES } from "../../src/bfd/constants.js";
import { BfdError } from "../../src/bfd/error.js";
import type { BfdAuthKey, BfdAuthSection, BfdControlPacket } from "../../src/bfd/types.js";
import { RUNS } from "./arbitraries.js";

const TIMEOUT_MS = Math.max(60_000, RUNS * 10);
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const nonzeroU32 = fc.integer({ min: 1, max: 0xffffffff });

const authArb: fc.Arbitrary<BfdAuthSection> = fc.oneof(
  fc.record({
    type: fc.constant(1 as const),
    keyId: fc.integer({ min: 0, max: 255 }),
    password: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc
    .record({
      type: fc.constantFrom(2 as const, 3 as const, 4 as const, 5 as const),
      keyId: fc.integer({ min: 0, max: 255 }),
      sequence: u32,
      seed: fc.uint8Array({ minLength: 20, maxLength: 20 }),
    })
    .map(({ seed, ...a }) => ({ ...a, digest: seed.slice(0, a.type <= 3 ? 16 : 20) })),
);

/** Valid packets only: what decode accepts (nonzero My Discriminator, Your 0 only in Down/AdminDown). */
const packetArb: fc.Arbitrary<BfdControlPacket> = fc
  .record({
    diag: fc.integer({ min: 0, max: 31 }),
    state: fc.constantFrom(...BFD_STATES),
    poll: fc.boolean(),
    final: fc.boolean(),
    controlPlaneIndependent: fc.boolean(),
    demand: fc.boolean(),
    detectMult: fc.integer({ min: 1, max: 255 }),
    myDiscriminator: nonzeroU32,
    yourDiscriminator: u32,
    desiredMinTxUs: u32,
    requiredMinRxUs: u32,
    requiredMinEchoRxUs: u32,
    auth: fc.option(authArb, { nil: undefined }),
  })
  .map(({ auth, ...p }) => {
    const fixed =
      p.yourDiscriminator === 0 && (p.state === "Up" || p.state === "Init")
        ? { ...p, yourDiscriminator: 1 }
        : p;
    return auth === undefined ? fixed : { ...fixed, auth };
  });

function decodeOnlyThrowsBfdError(bytes: Uint8Array): void {
  try {
    decodeControl(bytes);
  } catch (error) {
    if (!(error instanceof BfdError)) {
      throw new Error(`decoder threw ${String(error)} on ${Buffer.from(bytes).toString("hex")}`, {
        cause: error,
      });
    }
  }
}

describe("BFD codec properties", () => {
  it(
    "decode(encode(p)) equals p",
    () => {
      fc.assert(
        fc.property(packetArb, (p) => {
          expect(decodeControl(encodeControl(p))).toEqual(p);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "arbitrary bytes only ever throw BfdError",
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => decodeOnlyThrowsBfdError(bytes)),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "mutated valid packets only ever throw BfdError",
    () => {
      fc.assert(
        fc.property(
          packetArb,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: -8, max: 8 }),
          (p, edits, resize) => {
            const encoded = encodeControl(p);
            const bytes = new Uint8Array(Math.max(0, encoded.length + resize));
            bytes.set(encoded.subarray(0, bytes.length));
            for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
            decodeOnlyThrowsBfdError(bytes);
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "a signed packet verifies with its key, and no longer after any one bit changes",
    () => {
      const keyed = fc.record({
        type: fc.constantFrom(2 as const, 3 as const, 4 as const, 5 as const),
        keyId: fc.integer({ min: 0, max: 255 }),
        key: fc.uint8Array({ minLength: 1, maxLength: 16 }),
      });
      fc.assert(
        fc.property(packetArb, keyed, u32, fc.nat(), (p, key: BfdAuthKey, sequence, bit) => {
          const packet: BfdControlPacket = {
            ...p,
            auth: {
              type: key.type,
              keyId: key.keyId,
              sequence,
              digest: new Uint8Array(key.type <= 3 ? 16 : 20),
            },
          };
          const bytes = encodeControl(packet, key);
          expect(verify(bytes, key)).toBe(true);
          const flipped = Uint8Array.from(bytes);
          const at = bit % (bytes.length * 8);
          flipped[at >>> 3] ^= 1 << (at & 7);
          expect(verify(flipped, key)).toBe(false);
        }),
        { numRuns: Math.min(RUNS, 2000) },
      );
    },
    TIMEOUT_MS,
  );
});
