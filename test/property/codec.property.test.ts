/**
 * Codec properties: decode(encode(m)) equals m for every message kind and context; arbitrary and
 * mutated bytes only ever raise BgpError; the framer's output does not depend on how the stream is cut.
 * Case counts come from FUZZ_RUNS (npm run fuzz).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxMessageLength } from "../../src/wire/context.js";
import { BgpError } from "../../src/wire/errors.js";
import { MessageFramer } from "../../src/wire/framer.js";
import { decodeMessage, encodeMessage, encodingLength } from "../../src/wire/message.js";
import type { BgpMessage, CodecContext } from "../../src/wire/types.js";
import {
  contextAndMessageArb,
  contextArb,
  messageArb,
  mutate,
  mutatedMessageArb,
  mutationArb,
  RUNS,
  withHeader,
} from "./arbitraries.js";

// Generous, and scaled with the case count so `npm run fuzz` (200000 runs) is not cut short.
const TIMEOUT_MS = Math.max(120_000, RUNS * 10);

/** Decode, and fail on anything thrown that is not a BgpError (a decoder bug). */
function decodeOnlyThrowsBgpError(bytes: Uint8Array, ctx: CodecContext): void {
  try {
    decodeMessage(bytes, ctx);
  } catch (error) {
    if (!(error instanceof BgpError)) {
      throw new Error(`decoder threw ${String(error)} on ${Buffer.from(bytes).toString("hex")}`, {
        cause: error,
      });
    }
  }
}

describe("codec properties", () => {
  it(
    "decode(encode(m)) deep-equals m for every message kind and context",
    () => {
      fc.assert(
        fc.property(contextAndMessageArb, ({ ctx, message }) => {
          const bytes = encodeMessage(message, ctx);
          expect(bytes.length).toBeLessThanOrEqual(maxMessageLength(ctx));
          expect(decodeMessage(bytes, ctx)).toEqual(message);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "encodingLength(m, ctx) equals encodeMessage(m, ctx).length for every message kind and context",
    () => {
      fc.assert(
        fc.property(contextAndMessageArb, ({ ctx, message }) => {
          expect(encodingLength(message, ctx)).toBe(encodeMessage(message, ctx).length);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "encodingLength agrees with encodeMessage on whatever decodes from mutated bytes",
    () => {
      fc.assert(
        fc.property(
          contextAndMessageArb,
          fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
          ({ ctx, message }, mutations) => {
            const mutated = mutate(encodeMessage(message, ctx), mutations);
            let decoded: BgpMessage;
            try {
              decoded = decodeMessage(mutated, ctx);
            } catch {
              return;
            }
            // Decoded values always encode again (nothing decoded is out of its field's range).
            expect(encodingLength(decoded, ctx)).toBe(encodeMessage(decoded, ctx).length);
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "random bodies behind a valid header only ever throw BgpError",
    () => {
      fc.assert(
        fc.property(
          contextArb,
          fc.integer({ min: 0, max: 7 }),
          fc.uint8Array({ maxLength: 200 }),
          (ctx, type, body) => decodeOnlyThrowsBgpError(withHeader(type, body), ctx),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "entirely random bytes only ever throw BgpError",
    () => {
      fc.assert(
        fc.property(contextArb, fc.uint8Array({ maxLength: 64 }), (ctx, bytes) =>
          decodeOnlyThrowsBgpError(bytes, ctx),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "mutated valid messages only ever throw BgpError",
    () => {
      fc.assert(
        fc.property(mutatedMessageArb, ({ bytes, ctx }) => decodeOnlyThrowsBgpError(bytes, ctx)),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "the framer yields the same messages however the stream is chunked",
    () => {
      const streamArb = contextArb.chain((ctx) =>
        fc
          .array(messageArb(ctx), { minLength: 1, maxLength: 8 })
          .map((messages) => ({ ctx, encoded: messages.map((m) => encodeMessage(m, ctx)) })),
      );
      fc.assert(
        fc.property(streamArb, fc.array(fc.nat(), { maxLength: 20 }), ({ ctx, encoded }, cutSeeds) => {
          const stream = Buffer.concat(encoded);
          const cuts = [...new Set(cutSeeds.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const framer = new MessageFramer({ maxMessageLength: maxMessageLength(ctx) });
          const out: Uint8Array[] = [];
          let from = 0;
          for (const to of [...cuts, stream.length]) {
            // Copies, so that a framer keeping views of a chunk we later reuse would be caught.
            out.push(...framer.push(Uint8Array.from(stream.subarray(from, to))).map((m) => m.slice()));
            from = to;
          }
          expect(framer.buffered).toBe(0);
          expect(out.map((m) => Buffer.from(m).toString("hex"))).toEqual(
            encoded.map((m) => Buffer.from(m).toString("hex")),
          );
          expect(out.map((m) => decodeMessage(m, ctx))).toEqual(encoded.map((m) => decodeMessage(m, ctx)));
        }),
        { numRuns: Math.max(100, Math.floor(RUNS / 4)) },
      );
    },
    TIMEOUT_MS,
  );

  it("the framer splits a stream at every single position", () => {
    const messages = fc.sample(messageArb({ fourOctetAs: true, addPath: [], extendedMessage: false }), {
      numRuns: 6,
      seed: 42,
    });
    const encoded = messages.map((m) => encodeMessage(m));
    const stream = Buffer.concat(encoded);
    for (let cut = 0; cut <= stream.length; cut++) {
      const framer = new MessageFramer();
      const out = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut))];
      expect(out.map((m) => Buffer.from(m).toString("hex"))).toEqual(
        encoded.map((m) => Buffer.from(m).toString("hex")),
      );
    }
  });
});
