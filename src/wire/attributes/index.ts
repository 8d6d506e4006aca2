/*
 * Path attributes (RFC 4271 §4.3): a sequence of TLVs, each
 *
 *   +---------------+---------------+-----------------------------+------------------+
 *   | Attr. Flags   | Attr. Type    | Length (1, or 2 octets when | Value            |
 *   |  (1 octet)    |  (1 octet)    |  Extended Length is set)    |                  |
 *   +---------------+---------------+-----------------------------+------------------+
 *
 *   flags: 0x80 Optional, 0x40 Transitive, 0x20 Partial, 0x10 Extended Length
 *
 * Decoding applies RFC 7606: faults that it demotes drop the attribute and are reported as
 * problems; only faults that leave the routes impossible to locate throw (session reset).
 */

import { AttributeCode, AttributeFlag, ErrorCode, UpdateErrorSubcode } from "../constants.js";
import { BgpError } from "../errors.js";
import { copyOf, Reader } from "../reader.js";
import type { CodecContext, PathAttributes, UnknownAttribute, UpdateProblem } from "../types.js";
import type { Writer } from "../writer.js";
import { aggregatorCodec, as4AggregatorCodec } from "./aggregator.js";
import { as4PathCodec, asPathCodec } from "./as-path.js";
import { atomicAggregateCodec } from "./atomic-aggregate.js";
import type { AnyAttributeCodec, AttributeCodec, AttributeKey, AttributeValue } from "./codec.js";
import { communitiesCodec, extendedCommunitiesCodec, largeCommunitiesCodec } from "./communities.js";
import { localPrefCodec, medCodec } from "./metrics.js";
import { mpReachCodec } from "./mp-reach.js";
import { mpUnreachCodec } from "./mp-unreach.js";
import { nextHopCodec } from "./next-hop.js";
import { originCodec } from "./origin.js";
import { otcCodec } from "./otc.js";
import { clusterListCodec, originatorIdCodec } from "./reflection.js";
import { decodeUnknownAttribute, unknownAttributeFlags } from "./unknown.js";

export type { AttributeCodec, AttributeKey } from "./codec.js";

/**
 * Encoding order. RFC 7606 §5.1: "The MP_REACH_NLRI or MP_UNREACH_NLRI attribute (if present) SHALL
 * be encoded as the very first path attribute in an UPDATE message"; the rest follow RFC 4271 §5:
 * "The sender of an UPDATE message SHOULD order path attributes within the UPDATE message in
 * ascending order of attribute type."
 */
export const ATTRIBUTE_CODECS: readonly AnyAttributeCodec[] = [
  mpReachCodec,
  mpUnreachCodec,
  originCodec,
  asPathCodec,
  nextHopCodec,
  medCodec,
  localPrefCodec,
  atomicAggregateCodec,
  aggregatorCodec,
  communitiesCodec,
  originatorIdCodec,
  clusterListCodec,
  extendedCommunitiesCodec,
  as4PathCodec,
  as4AggregatorCodec,
  largeCommunitiesCodec,
  otcCodec,
];

const BY_CODE: readonly (AnyAttributeCodec | undefined)[] = (() => {
  const table = new Array<AnyAttributeCodec | undefined>(256).fill(undefined);
  for (const codec of ATTRIBUTE_CODECS) table[codec.code] = codec;
  return table;
})();

/** The codec of a type code, or undefined for one kept raw. */
export function attributeCodec(code: number): AnyAttributeCodec | undefined {
  return BY_CODE[code];
}

export interface DecodedPathAttributes {
  readonly attributes: PathAttributes;
  /** RFC 7606 problems short of a session reset, in wire order; empty when the attributes were clean. */
  readonly problems: UpdateProblem[];
  /** Type codes that appeared on the wire, as a bitset (see `attributeSeen`), even if dropped as malformed. */
  readonly seen: Int32Array;
}

/** Whether the attribute with this type code appeared on the wire. */
export function attributeSeen(seen: Int32Array, code: number): boolean {
  return ((seen[code >>> 5] >>> (code & 31)) & 1) === 1;
}

function problemOf(error: BgpError, attributeCode: number): UpdateProblem {
  return {
    action: error.errorHandling === "attribute-discard" ? "attribute-discard" : "treat-as-withdraw",
    code: error.code,
    subcode: error.subcode,
    attributeCode: error.attributeCode ?? attributeCode,
    reason: error.message,
  };
}

const OPTIONAL_TRANSITIVE = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;

function isMpCode(code: number): boolean {
  return code === AttributeCode.MP_REACH_NLRI || code === AttributeCode.MP_UNREACH_NLRI;
}

/**
 * A codec reads only what it has checked is there, so running past an attribute's value is a bug
 * here rather than bad input; it still ends as an RFC 7606 problem, not a crash.
 */
const readPastAttribute = () =>
  BgpError.malformedAttributeList("attribute value read past its length", "treat-as-withdraw");

/**
 * Decode the path attributes in bytes[start, end) (the UPDATE's Path Attributes field).
 * Throws BgpError only for session-reset faults.
 */
export function decodePathAttributes(
  bytes: Uint8Array,
  start: number,
  end: number,
  ctx: CodecContext,
): DecodedPathAttributes {
  const out: Record<string, unknown> = {};
  const problems: UpdateProblem[] = [];
  const seen = new Int32Array(8);
  let unknown: UnknownAttribute[] | undefined;
  let partial: number[] | undefined;
  let at = start;
  while (at < end) {
    const flags = bytes[at];
    const headerLength = flags & AttributeFlag.EXTENDED_LENGTH ? 4 : 3;
    // RFC 7606 §4: when "fewer than three octets remain (or fewer than four octets, if the Attribute
    // Flags field has the Extended Length bit set) when beginning to parse the attribute", "the
    // treat-as-withdraw approach MUST be used" and the Total Attribute Length locates the NLRI.
    if (end - at < headerLength) {
      problems.push({
        action: "treat-as-withdraw",
        code: ErrorCode.UPDATE_MESSAGE,
        subcode: UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
        reason: `${end - at} octets left over after the last attribute`,
      });
      break;
    }
    const code = bytes[at + 1];
    const length = headerLength === 4 ? (bytes[at + 2] << 8) | bytes[at + 3] : bytes[at + 2];
    const valueStart = at + headerLength;
    const valueEnd = valueStart + length;
    if (valueEnd > end) {
      const data = copyOf(bytes, at, end);
      // RFC 7606 §5.3 / §7.11: an MP attribute we cannot read hides routes we cannot withdraw.
      if (isMpCode(code)) {
        throw BgpError.optionalAttributeError(
          data,
          code,
          "session-reset",
          `attribute ${code} overruns the path attributes`,
        );
      }
      // RFC 7606 §4: when "the length of the last encountered path attribute would cause the Total
      // Attribute Length to be exceeded", treat-as-withdraw, and rely on Total Attribute Length.
      problems.push(problemOf(BgpError.attributeLengthError(data, code), code));
      break;
    }
    const tlvStart = at;
    at = valueEnd;
    const bit = 1 << (code & 31);
    if ((seen[code >>> 5] & bit) !== 0) {
      // RFC 7606 §3.g: "If the MP_REACH_NLRI attribute or the MP_UNREACH_NLRI attribute appears more
      // than once in the UPDATE message, then a NOTIFICATION message MUST be sent with the Error
      // Subcode 'Malformed Attribute List'. If any other attribute (whether recognized or
      // unrecognized) appears more than once in an UPDATE message, then all the occurrences of the
      // attribute other than the first one SHALL be discarded and the UPDATE message will continue
      // to be processed."
      if (isMpCode(code)) throw BgpError.malformedAttributeList(`attribute ${code} appears more than once`);
      problems.push({
        action: "attribute-discard",
        code: ErrorCode.UPDATE_MESSAGE,
        subcode: UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
        attributeCode: code,
        reason: `attribute ${code} appears more than once; the first is kept`,
      });
      continue;
    }
    seen[code >>> 5] |= bit;
    const codec = BY_CODE[code];
    if (codec === undefined) {
      if ((flags & AttributeFlag.OPTIONAL) === 0) {
        // RFC 4271 §6.3: "If any of the well-known mandatory attributes are not recognized, then the
        // Error Subcode MUST be set to Unrecognized Well-known Attribute." (treat-as-withdraw here)
        const data = copyOf(bytes, tlvStart, valueEnd);
        problems.push(problemOf(BgpError.unrecognizedWellKnownAttribute(data, code), code));
        continue;
      }
      unknown ??= [];
      unknown.push(decodeUnknownAttribute(flags, code, bytes, valueStart, valueEnd));
      continue;
    }
    // RFC 7606 §3.c: "If the value of either the Optional or Transitive bits in the Attribute Flags is
    // in conflict with their specified values, then the attribute MUST be treated as malformed and
    // the 'treat-as-withdraw' approach used, unless the specification for the attribute mandates
    // different handling": the attribute's own malformed handling applies (attribute discard for
    // ATOMIC_AGGREGATE, AGGREGATOR, AS4_PATH, AS4_AGGREGATOR). The MP attributes are still read,
    // since treat-as-withdraw needs the routes they carry.
    if ((flags & (AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE)) !== codec.flags) {
      const handling = codec.malformed === "attribute-discard" ? "attribute-discard" : "treat-as-withdraw";
      const data = copyOf(bytes, tlvStart, valueEnd);
      problems.push(problemOf(BgpError.attributeFlagsError(data, code, handling), code));
      if (!isMpCode(code)) continue;
    }
    try {
      out[codec.key] = codec.decode(
        new Reader(bytes, valueStart, valueEnd, readPastAttribute),
        ctx,
        tlvStart,
      );
      // RFC 4271 §5: "If a path with a recognized, transitive optional attribute is accepted and
      // passed along to other BGP peers and the Partial bit in the Attribute Flags octet is set to 1
      // by some previous AS, it MUST NOT be set back to 0 by the current AS."
      if ((flags & AttributeFlag.PARTIAL) !== 0 && codec.flags === OPTIONAL_TRANSITIVE) {
        partial ??= [];
        partial.push(code);
      }
    } catch (error) {
      if (!(error instanceof BgpError) || error.errorHandling === "session-reset") throw error;
      problems.push(problemOf(error, code));
    }
  }
  if (unknown !== undefined) out.unknown = unknown;
  if (partial !== undefined) out.partial = partial.length > 1 ? partial.sort((a, b) => a - b) : partial;
  return { attributes: out as PathAttributes, problems, seen };
}

/** Write flags, type and a 1-octet length placeholder; returns where the attribute starts. */
function beginAttribute(writer: Writer, flags: number, code: number): number {
  const at = writer.offset;
  writer
    .u8(flags & ~AttributeFlag.EXTENDED_LENGTH)
    .u8(code)
    .u8(0);
  return at;
}

/**
 * Fill in the length of the attribute begun at `at`. RFC 4271 §4.3: the Extended Length bit
 * "defines whether the Attribute Length is one octet (if set to 0) or two octets (if set to 1)";
 * it is used when the value needs it (or `extended` asks for it), moving the value one octet on.
 */
function endAttribute(writer: Writer, at: number, extended: boolean): void {
  const length = writer.offset - at - 3;
  if (length <= 255 && !extended) {
    writer.setU8(at + 2, length);
    return;
  }
  if (length > 0xffff)
    throw new RangeError(`attribute ${writer.getU8(at + 1)} is ${length} octets, over 65535`);
  writer.insertOctet(at + 3);
  writer.setU8(at, writer.getU8(at) | AttributeFlag.EXTENDED_LENGTH);
  writer.setU8(at + 2, length >>> 8);
  writer.setU8(at + 3, length & 0xff);
}

function encodeOne<K extends AttributeKey>(
  writer: Writer,
  codec: AttributeCodec<K>,
  value: AttributeValue<K>,
  ctx: CodecContext,
  flags: number,
): void {
  const at = beginAttribute(writer, flags, codec.code);
  codec.encode(writer, value, ctx);
  endAttribute(writer, at, false);
}

function encodeUnknown(writer: Writer, attribute: UnknownAttribute): void {
  const flags = unknownAttributeFlags(attribute);
  const at = beginAttribute(writer, flags, attribute.code);
  writer.bytes(attribute.data);
  // An Extended Length bit that came with the attribute is kept, so it goes out as it came in.
  endAttribute(writer, at, (flags & AttributeFlag.EXTENDED_LENGTH) !== 0);
}

/** The flags a known attribute goes out with: its own, plus a Partial bit it came in with. */
function flagsOf(codec: AnyAttributeCodec, partial: readonly number[] | undefined): number {
  if (partial === undefined || codec.flags !== OPTIONAL_TRANSITIVE || !partial.includes(codec.code)) {
    return codec.flags;
  }
  return codec.flags | AttributeFlag.PARTIAL;
}

/**
 * Write the path attribute TLVs (not the Total Path Attribute Length in front of them): the MP
 * attributes first, then ascending type code. Unknown attributes keep their order among themselves
 * and are merged in: each goes before the first known attribute with a higher code than its own
 * that is not yet written, so attributes decoded in ascending order are written back as they came.
 */
export function encodePathAttributes(writer: Writer, attributes: PathAttributes, ctx: CodecContext): void {
  const unknown = attributes.unknown ?? NONE;
  const partial = attributes.partial;
  let next = 0;
  for (const codec of ATTRIBUTE_CODECS) {
    const value = attributes[codec.key];
    if (!isMpCode(codec.code)) {
      while (next < unknown.length && unknown[next].code < codec.code) encodeUnknown(writer, unknown[next++]);
    }
    if (value === undefined) continue;
    // `value` is attributes[codec.key], the type that codec encodes; TypeScript cannot see that
    // through the union of codecs.
    encodeOne(
      writer,
      codec as AttributeCodec<AttributeKey>,
      value as AttributeValue<AttributeKey>,
      ctx,
      flagsOf(codec, partial),
    );
  }
  while (next < unknown.length) encodeUnknown(writer, unknown[next++]);
}

const NONE: readonly UnknownAttribute[] = [];

/** An attribute's header (flags, type, 1- or 2-octet length) and value, for a value of `length` octets. */
function tlvLength(length: number, extended: boolean): number {
  return (length > 255 || extended ? 4 : 3) + length;
}

/** How many octets `encodePathAttributes` writes for these attributes, without writing them. */
export function pathAttributesLength(attributes: PathAttributes, ctx: CodecContext): number {
  let length = 0;
  for (const codec of ATTRIBUTE_CODECS) {
    const value = attributes[codec.key];
    if (value === undefined) continue;
    // As in encodePathAttributes: the value is the type this codec takes.
    const valueLength = (codec as AttributeCodec<AttributeKey>).encodingLength(
      value as AttributeValue<AttributeKey>,
      ctx,
    );
    length += tlvLength(valueLength, false);
  }
  const unknown = attributes.unknown;
  if (unknown !== undefined) {
    for (const attribute of unknown) {
      length += tlvLength(attribute.data.length, (attribute.flags & AttributeFlag.EXTENDED_LENGTH) !== 0);
    }
  }
  return length;
}
