/*
 * NEXT_HOP (type 3), RFC 4271 §4.3 and §5.1.3: well-known, the IPv4 address of the router to use
 * for the routes in the UPDATE's own NLRI field.
 *
 *   +---------------------------+
 *   | IPv4 address (4 octets)   |
 *   +---------------------------+
 */
import { formatIpv4, ipv4ToBytes } from "../address.js";
import { AttributeCode, AttributeFlag } from "../constants.js";
import { type AttributeCodec, lengthError } from "./codec.js";

export const nextHopCodec: AttributeCodec<"nextHop"> = {
  code: AttributeCode.NEXT_HOP,
  name: "NEXT_HOP",
  key: "nextHop",
  flags: AttributeFlag.TRANSITIVE,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.3: "The attribute is considered malformed if its length is not 4" ...
    // "SHALL be handled using the approach of treat-as-withdraw".
    if (reader.remaining !== 4) throw lengthError(reader, at, AttributeCode.NEXT_HOP);
    return formatIpv4(reader.view(4));
  },
  encode(writer, value) {
    writer.bytes(ipv4ToBytes(value));
  },
  encodingLength: () => 4,
};
