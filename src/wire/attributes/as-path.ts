/*
 * AS_PATH (type 2, RFC 4271 §4.3, RFC 5065 confederation segments) and AS4_PATH (type 17,
 * RFC 6793): a sequence of segments.
 *
 *   +--------------+----------------+------------------------------------+
 *   | segment type | segment length | segment length AS numbers          |
 *   |   1 octet    |    1 octet     | 2 octets each (4 if 4-octet AS,    |
 *   |              |  (# of ASes)   |  always 4 in AS4_PATH)             |
 *   +--------------+----------------+------------------------------------+
 *
 *   segment type: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET
 */

import { AS_TRANS, AttributeCode, AttributeFlag } from "../constants.js";
import { BgpError } from "../errors.js";
import type { Reader } from "../reader.js";
import type { AsPathSegment, AsPathSegmentType } from "../types.js";
import { checkUint, type Writer } from "../writer.js";
import { type AttributeCodec, attributeBytes } from "./codec.js";

const SEGMENT_TYPES: readonly (AsPathSegmentType | undefined)[] = [
  undefined,
  "set",
  "sequence",
  "confed-sequence",
  "confed-set",
];
const SEGMENT_CODES: Readonly<Record<AsPathSegmentType, number>> = {
  set: 1,
  sequence: 2,
  "confed-sequence": 3,
  "confed-set": 4,
};

/** Parse segments; `fail(why)` builds the error that fits the attribute being read. */
function decodeSegments(reader: Reader, asSize: 2 | 4, fail: (why: string) => BgpError): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  while (reader.remaining > 0) {
    // RFC 7606 §7.2: malformed if "there is an underrun where after the last successfully parsed
    // segment there is only a single octet remaining".
    if (reader.remaining < 2) throw fail("a single octet after the last segment");
    const typeCode = reader.u8();
    const count = reader.u8();
    const type = SEGMENT_TYPES[typeCode];
    // RFC 7606 §7.2: "An AS_PATH is considered malformed if an unrecognized segment type is encountered".
    if (type === undefined) throw fail(`unrecognized segment type ${typeCode}`);
    // RFC 7606 §7.2: a segment is malformed if "it has a Segment Length field of zero".
    if (count === 0) throw fail("segment of length zero");
    // RFC 7606 §7.2: malformed if the segment length "would cause the Attribute Length to be exceeded".
    if (count * asSize > reader.remaining) throw fail("segment overruns the attribute");
    const asns = new Array<number>(count);
    for (let i = 0; i < count; i++) asns[i] = asSize === 4 ? reader.u32() : reader.u16();
    segments.push({ type, asns });
  }
  return segments;
}

function encodeSegments(writer: Writer, segments: readonly AsPathSegment[], asSize: 2 | 4): void {
  for (const segment of segments) {
    const typeCode = SEGMENT_CODES[segment.type];
    if (typeCode === undefined) throw new TypeError(`unknown AS_PATH segment type ${String(segment.type)}`);
    const asns = segment.asns;
    // A segment holds at most 255 ASes; longer ones are written as consecutive segments of the same
    // type. An empty segment is malformed on the wire (RFC 7606 §7.2), so none is written.
    for (let from = 0; from < asns.length; from += 255) {
      const to = Math.min(asns.length, from + 255);
      writer.u8(typeCode).u8(to - from);
      for (let i = from; i < to; i++) {
        const asn = checkUint(asns[i], 32, "AS number");
        // RFC 6793 §4.2.2: an AS that does not fit in two octets is replaced by AS_TRANS.
        if (asSize === 4) writer.u32(asn);
        else writer.u16(asn > 0xffff ? AS_TRANS : asn);
      }
    }
  }
}

/** Octets `encodeSegments` writes: a 2-octet header per run of at most 255 ASes, then the ASes. */
function segmentsLength(segments: readonly AsPathSegment[], asSize: 2 | 4): number {
  let length = 0;
  for (const segment of segments) {
    const count = segment.asns.length;
    length += 2 * Math.ceil(count / 255) + asSize * count;
  }
  return length;
}

export const asPathCodec: AttributeCodec<"asPath"> = {
  code: AttributeCode.AS_PATH,
  name: "AS_PATH",
  key: "asPath",
  flags: AttributeFlag.TRANSITIVE,
  malformed: "treat-as-withdraw",
  decode(reader, ctx) {
    // RFC 7606 §7.2: "An UPDATE message with a malformed AS_PATH attribute SHALL be handled using
    // the approach of treat-as-withdraw" (3/11 Malformed AS_PATH).
    return decodeSegments(reader, ctx.fourOctetAs ? 4 : 2, (why) =>
      BgpError.malformedAsPath(`AS_PATH: ${why}`),
    );
  },
  encode(writer, value, ctx) {
    encodeSegments(writer, value, ctx.fourOctetAs ? 4 : 2);
  },
  encodingLength: (value, ctx) => segmentsLength(value, ctx.fourOctetAs ? 4 : 2),
};

export const as4PathCodec: AttributeCodec<"as4Path"> = {
  code: AttributeCode.AS4_PATH,
  name: "AS4_PATH",
  key: "as4Path",
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformed: "attribute-discard",
  decode(reader, _ctx, at) {
    // RFC 6793 §6: a malformed AS4_PATH is discarded ("attribute discard") and the AS_PATH used
    // on its own.
    return decodeSegments(reader, 4, (why) =>
      BgpError.optionalAttributeError(
        attributeBytes(reader, at),
        AttributeCode.AS4_PATH,
        "attribute-discard",
        `AS4_PATH: ${why}`,
      ),
    );
  },
  encode(writer, value) {
    encodeSegments(writer, value, 4);
  },
  encodingLength: (value) => segmentsLength(value, 4),
};
