/*
 * AGGREGATOR (type 7, RFC 4271 §5.1.7; 4-octet AS per RFC 6793) and AS4_AGGREGATOR (type 18,
 * RFC 6793): optional transitive, the AS and BGP identifier of the speaker that aggregated.
 *
 *   +--------------------------------+---------------------------+
 *   | AS (2 octets, 4 if 4-octet AS; | IPv4 address (4 octets)   |
 *   |  always 4 in AS4_AGGREGATOR)   |                           |
 *   +--------------------------------+---------------------------+
 */
import { formatIpv4, ipv4ToBytes } from "../address.js";
import { AS_TRANS, AttributeCode, AttributeFlag } from "../constants.js";
import type { Aggregator } from "../types.js";
import { checkUint, type Writer } from "../writer.js";
import { type AttributeCodec, lengthError } from "./codec.js";

function encodeAggregator(writer: Writer, value: Aggregator, asSize: 2 | 4): void {
  const asn = checkUint(value.asn, 32, "aggregator AS");
  // RFC 6793 §4.2.2: an AS that does not fit in two octets is replaced by AS_TRANS.
  if (asSize === 4) writer.u32(asn);
  else writer.u16(asn > 0xffff ? AS_TRANS : asn);
  writer.bytes(ipv4ToBytes(value.address));
}

export const aggregatorCodec: AttributeCodec<"aggregator"> = {
  code: AttributeCode.AGGREGATOR,
  name: "AGGREGATOR",
  key: "aggregator",
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformed: "attribute-discard",
  decode(reader, ctx, at) {
    const asSize = ctx.fourOctetAs ? 4 : 2;
    // RFC 7606 §7.7: malformed if "Its length is not 6" (no 4-octet AS) or "Its length is not 8"
    // (4-octet AS both ways); it "SHALL be handled using the approach of attribute discard".
    if (reader.remaining !== asSize + 4)
      throw lengthError(reader, at, AttributeCode.AGGREGATOR, "attribute-discard");
    const asn = asSize === 4 ? reader.u32() : reader.u16();
    return { asn, address: formatIpv4(reader.view(4)) };
  },
  encode(writer, value, ctx) {
    encodeAggregator(writer, value, ctx.fourOctetAs ? 4 : 2);
  },
  encodingLength: (_value, ctx) => (ctx.fourOctetAs ? 8 : 6),
};

export const as4AggregatorCodec: AttributeCodec<"as4Aggregator"> = {
  code: AttributeCode.AS4_AGGREGATOR,
  name: "AS4_AGGREGATOR",
  key: "as4Aggregator",
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformed: "attribute-discard",
  decode(reader, _ctx, at) {
    // RFC 6793 §6: a malformed AS4_AGGREGATOR (length other than 8) is discarded, and the
    // AGGREGATOR used on its own.
    if (reader.remaining !== 8)
      throw lengthError(reader, at, AttributeCode.AS4_AGGREGATOR, "attribute-discard");
    const asn = reader.u32();
    return { asn, address: formatIpv4(reader.view(4)) };
  },
  encode(writer, value) {
    encodeAggregator(writer, value, 4);
  },
  encodingLength: () => 8,
};
