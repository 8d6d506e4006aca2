import { BgpError } from "../errors.js";
import type { Reader } from "../reader.js";
import type { Capability, CapabilityName } from "../types.js";
import type { Writer } from "../writer.js";

/** The `Capability` variant with the given name. */
export type CapabilityOf<N extends CapabilityName> = Extract<Capability, { name: N }>;

/**
 * One capability's codec (dns-packet style). `decode` reads exactly the Capability Value octets
 * (the reader ends where the value ends) and returns `null` when it cannot decode an
 * informational capability, which is then kept raw as "unknown" (RFC 5492 §3 lets a speaker
 * ignore what it does not understand). Structural faults in capabilities that change how the
 * session encodes or behaves throw OPEN Message Error / 0 instead.
 */
export interface CapabilityCodec<N extends CapabilityName = CapabilityName> {
  readonly code: number;
  readonly name: N;
  decode(reader: Reader): CapabilityOf<N> | null;
  encode(writer: Writer, value: CapabilityOf<N>): void;
  /** How many octets `encode` writes for this value (the Capability Value only). */
  encodingLength(value: CapabilityOf<N>): number;
}

/** OPEN Message Error / Unspecific: the capability's value has the wrong shape for its code. */
export function malformedCapability(code: number, why: string): BgpError {
  return BgpError.malformedOpen(`capability ${code}: ${why}`);
}

/** Throw unless the value is a whole multiple of `size` octets (and at least `min` octets). */
export function requireLength(reader: Reader, code: number, size: number, min = 0): number {
  const length = reader.remaining;
  if (length < min || (size > 0 && (length - min) % size !== 0)) {
    throw malformedCapability(code, `length ${length} is not ${min > 0 ? `${min} + ` : ""}n x ${size}`);
  }
  return size > 0 ? (length - min) / size : 0;
}

/** Throw unless the value is exactly `length` octets. */
export function requireExactLength(reader: Reader, code: number, length: number): void {
  if (reader.remaining !== length) {
    throw malformedCapability(code, `length ${reader.remaining}, expected ${length}`);
  }
}
