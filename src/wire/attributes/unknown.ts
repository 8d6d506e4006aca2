/*
 * Attributes this codec does not know (RFC 4271 §5 and §9): an unrecognized optional transitive
 * attribute is passed on with the Partial bit set; everything is kept raw with its flags.
 *
 *   +---------------+---------------+-----------------------------+------------------+
 *   | Attr. Flags   | Attr. Type    | Length (1, or 2 octets when | Value            |
 *   |  (1 octet)    |  (1 octet)    |  Extended Length is set)    |                  |
 *   +---------------+---------------+-----------------------------+------------------+
 */
import { AttributeFlag } from "../constants.js";
import { copyOf } from "../reader.js";
import type { UnknownAttribute } from "../types.js";

/** Keep an unrecognized optional attribute: flags as received, the value copied out of the message. */
export function decodeUnknownAttribute(
  flags: number,
  code: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): UnknownAttribute {
  return { flags, code, data: copyOf(bytes, start, end) };
}

/**
 * The flags to send an unknown attribute with. RFC 4271 §5: "If an optional transitive attribute
 * is unrecognized, the Partial bit in the attribute flags octet is set to 1, and the attribute is
 * retained for propagation to other BGP speakers."
 */
export function unknownAttributeFlags(attribute: UnknownAttribute): number {
  const flags = attribute.flags & 0xff;
  const optionalTransitive = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;
  return (flags & optionalTransitive) === optionalTransitive ? flags | AttributeFlag.PARTIAL : flags;
}
