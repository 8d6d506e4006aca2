import { expect } from "vitest";
import { decodePathAttributes, encodePathAttributes } from "../../../src/wire/attributes/index.js";
import { resolveContext } from "../../../src/wire/context.js";
import type { CodecContext, PathAttributes } from "../../../src/wire/types.js";
import { Writer } from "../../../src/wire/writer.js";

export const AS2: CodecContext = resolveContext({ fourOctetAs: false });
export const AS4: CodecContext = resolveContext({ fourOctetAs: true });

export function encodeAttributes(attributes: PathAttributes, ctx: CodecContext = AS4): number[] {
  const writer = new Writer(16);
  encodePathAttributes(writer, attributes, ctx);
  return [...writer.finish()];
}

export function decodeAttributes(bytes: readonly number[], ctx: CodecContext = AS4) {
  const data = Uint8Array.from(bytes);
  return decodePathAttributes(data, 0, data.length, ctx);
}

/** Decode gives `attributes` with no problems, and encoding `attributes` gives back `bytes`. */
export function expectBothWays(
  bytes: readonly number[],
  attributes: PathAttributes,
  ctx: CodecContext = AS4,
) {
  const decoded = decodeAttributes(bytes, ctx);
  expect(decoded.problems).toEqual([]);
  expect(decoded.attributes).toEqual(attributes);
  expect(encodeAttributes(attributes, ctx)).toEqual([...bytes]);
}
