/**
 * The receive path's decoder (NLRI left as bytes until read, src/wire/deferred-nlri.ts) against
 * `decodeMessage`: the same message, JSON for JSON, on valid and mutated bytes, and the same
 * BgpError (code, subcode, data, handling, text) when the bytes are refused.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deferredField, deferringContext } from "../../src/wire/deferred-nlri.js";
import { BgpError } from "../../src/wire/errors.js";
import { decodeMessage, decodeReceivedMessage, encodeMessage } from "../../src/wire/message.js";
import type { BgpMessage, CodecContext, UpdateMessage } from "../../src/wire/types.js";
import { contextAndMessageArb, mutatedMessageArb, RUNS, withHeader } from "./arbitraries.js";

const TIMEOUT_MS = Math.max(120_000, RUNS * 10);

type Outcome = { ok: BgpMessage } | { error: BgpError };

function outcome(decode: () => BgpMessage): Outcome {
  try {
    return { ok: decode() };
  } catch (error) {
    if (!(error instanceof BgpError)) throw error;
    return { error };
  }
}

/** Both decoders on the same bytes: equal messages (as JSON too), or equal errors. */
function expectSameOutcome(bytes: Uint8Array, ctx: CodecContext): void {
  const plain = outcome(() => decodeMessage(bytes, ctx));
  const deferred = outcome(() => decodeReceivedMessage(bytes, deferringContext(ctx)));
  if ("error" in plain) {
    expect("error" in deferred, "the deferring decoder accepted bytes decodeMessage refuses").toBe(true);
    const e = (deferred as { error: BgpError }).error;
    expect([e.code, e.subcode, e.errorHandling, e.message]).toEqual([
      plain.error.code,
      plain.error.subcode,
      plain.error.errorHandling,
      plain.error.message,
    ]);
    expect(e.data).toEqual(plain.error.data);
    return;
  }
  expect("ok" in deferred, `the deferring decoder refused bytes decodeMessage accepts`).toBe(true);
  const message = (deferred as { ok: BgpMessage }).ok;
  // JSON first: it reads every deferred field, in key order, before toEqual compares the values.
  expect(JSON.stringify(message)).toBe(JSON.stringify(plain.ok));
  expect(message).toEqual(plain.ok);
}

describe("deferred NLRI decoding", () => {
  it(
    "gives what decodeMessage gives, for every message kind and context",
    () => {
      fc.assert(
        fc.property(contextAndMessageArb, ({ ctx, message }) =>
          expectSameOutcome(encodeMessage(message, ctx), ctx),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "gives what decodeMessage gives, or throws the same BgpError, on mutated bytes and other contexts",
    () => {
      fc.assert(
        fc.property(mutatedMessageArb, ({ bytes, ctx }) => expectSameOutcome(bytes, ctx)),
        { numRuns: RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it("keeps each NLRI field as the checked octets, decoded only when read", () => {
    // One UPDATE: withdrawn 10.1.0.0/16; ORIGIN IGP, empty AS_PATH, NEXT_HOP 198.51.100.1; NLRI
    // 10.2.3.0/24 and 10.9.240.0/20, whose last octet carries host bits on the wire.
    const body = Uint8Array.from([
      0x00,
      0x03, // Withdrawn Routes Length
      16,
      10,
      1, // 10.1.0.0/16
      0x00,
      0x0e, // Total Path Attribute Length
      0x40,
      0x01,
      0x01,
      0x00, // ORIGIN IGP
      0x40,
      0x02,
      0x00, // AS_PATH, empty
      0x40,
      0x03,
      0x04,
      198,
      51,
      100,
      1, // NEXT_HOP
      24,
      10,
      2,
      3, // 10.2.3.0/24
      20,
      10,
      9,
      0xff, // 10.9.240.0/20: "the value of trailing bits is irrelevant" (RFC 4271 §4.3)
    ]);
    const bytes = withHeader(2, body);
    const update = decodeReceivedMessage(bytes, deferringContext(decodeContext())) as UpdateMessage;
    const field = deferredField(update, "nlri");
    // A copy of the field (not a view of the received bytes, which may be a whole socket chunk).
    expect(field).toMatchObject({ family: "ipv4-unicast", addPath: false, start: 0, end: 8 });
    expect(field?.bytes).toEqual(bytes.subarray(19 + 2 + 3 + 2 + 14));
    expect(field?.bytes.buffer).not.toBe(bytes.buffer);
    expect(Object.getOwnPropertyDescriptor(update, "nlri")?.get).toBeTypeOf("function");
    expect(update.nlri).toEqual([{ prefix: "10.2.3.0/24" }, { prefix: "10.9.240.0/20" }]);
    // Read once, it is a plain property holding the array.
    expect(Object.getOwnPropertyDescriptor(update, "nlri")?.value).toBe(update.nlri);
    expect(update.withdrawnRoutes).toEqual([{ prefix: "10.1.0.0/16" }]);
    expect(Object.keys(update)).toEqual(["type", "withdrawnRoutes", "attributes", "nlri"]);
  });
});

function decodeContext(): CodecContext {
  return { fourOctetAs: false, addPath: [], extendedMessage: false };
}
