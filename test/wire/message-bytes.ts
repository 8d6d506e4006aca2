import { BgpError } from "../../src/wire/errors.js";
import { decodeMessage } from "../../src/wire/message.js";
import type { CodecContext } from "../../src/wire/types.js";
/** Test helper: hex fields ("00 02", "ffff") -> bytes, so each field keeps its own comment. */
export function hex(...fields: string[]): Uint8Array {
  const digits = fields.join("").replace(/\s+/g, "");
  if (digits.length % 2 !== 0 || /[^0-9a-f]/i.test(digits)) throw new Error(`bad hex: ${digits}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** A whole message: marker, Length (computed), Type, body fields. */
export function message(type: number, ...body: string[]): Uint8Array {
  const b = hex(...body);
  const out = new Uint8Array(19 + b.length);
  out.fill(0xff, 0, 16);
  out[16] = out.length >>> 8;
  out[17] = out.length & 0xff;
  out[18] = type;
  out.set(b, 19);
  return out;
}

/** The BgpError that decoding `bytes` throws (anything else thrown, or no error, fails the test). */
export function decodeError(bytes: Uint8Array, ctx?: Partial<CodecContext>): BgpError {
  return errorOf(() => decodeMessage(bytes, ctx));
}

/** The BgpError `run` throws; anything else thrown, or nothing, fails the test. */
export function errorOf(run: () => unknown): BgpError {
  try {
    run();
  } catch (e) {
    if (e instanceof BgpError) return e;
    throw e;
  }
  throw new Error("decoded without error");
}
