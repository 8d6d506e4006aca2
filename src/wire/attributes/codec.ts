import { BgpError } from "../errors.js";
import { copyOf, type Reader } from "../reader.js";
import type { CodecContext, PathAttributes } from "../types.js";
import type { Writer } from "../writer.js";

/** The PathAttributes keys that a typed codec fills (everything but the raw `unknown` list). */
export type AttributeKey = Exclude<keyof PathAttributes, "unknown" | "partial">;

/** The value one attribute decodes to. */
export type AttributeValue<K extends AttributeKey> = NonNullable<PathAttributes[K]>;

/**
 * One path attribute: its type code, where it goes in `PathAttributes`, the Optional and Transitive
 * bits it must carry, and how its value (the bytes after the attribute header) is read and written.
 * `decode` gets a reader bounded to the value and `at`, where the whole attribute (flags, type,
 * length, value) starts in `reader.bytes`: RFC 4271 §6.3 puts that in the NOTIFICATION data, and it
 * is only copied out when there is an error. It throws a BgpError whose `errorHandling` is the
 * RFC 7606 action for that fault.
 */
export interface AttributeCodec<K extends AttributeKey> {
  readonly code: number;
  readonly name: string;
  readonly key: K;
  /** Expected Optional (0x80) and Transitive (0x40) bits; the other flag bits are not compared. */
  readonly flags: number;
  /**
   * The RFC 7606 action when the attribute is malformed, used for a conflict in its flags too:
   * RFC 7606 §3.c says treat-as-withdraw "unless the specification for the attribute mandates
   * different handling", and §7 mandates attribute discard for some attributes.
   */
  readonly malformed: "treat-as-withdraw" | "attribute-discard" | "session-reset";
  decode(reader: Reader, ctx: CodecContext, at: number): AttributeValue<K>;
  encode(writer: Writer, value: AttributeValue<K>, ctx: CodecContext): void;
  /** How many octets `encode` writes for this value (the value only, not the attribute header). */
  encodingLength(value: AttributeValue<K>, ctx: CodecContext): number;
}

export type AnyAttributeCodec = { [K in AttributeKey]: AttributeCodec<K> }[AttributeKey];

/** A copy of the whole attribute (flags, type, length, value) whose value `reader` covers. */
export function attributeBytes(reader: Reader, at: number): Uint8Array {
  return copyOf(reader.bytes, at, reader.end);
}

/** Attribute Length Error (3/5) carrying the attribute, with the RFC 7606 action the caller names. */
export function lengthError(
  reader: Reader,
  at: number,
  code: number,
  handling: "treat-as-withdraw" | "attribute-discard" | "session-reset" = "treat-as-withdraw",
): BgpError {
  return BgpError.attributeLengthError(attributeBytes(reader, at), code, handling);
}

/** Parse a run of decimal digits in text[from, to) as an unsigned integer no larger than max, or -1. */
export function parseDecimal(text: string, from: number, to: number, max: number): number {
  if (to <= from || to - from > 10) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  // No leading zeros, so every number has one spelling.
  if (to - from > 1 && text.charCodeAt(from) === 48) return -1;
  return value <= max ? value : -1;
}
