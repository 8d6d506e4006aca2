/*
 * Route reflection attributes, RFC 4456 §8, optional non-transitive:
 *
 * ORIGINATOR_ID (type 9): the BGP identifier of the route's originator in the local AS.
 *   +---------------------------+
 *   | identifier (4 octets)     |
 *   +---------------------------+
 *
 * CLUSTER_LIST (type 10): the cluster ids the route has passed through.
 *   +---------------------------+---------------------------+----
 *   | cluster id (4 octets)     | cluster id (4 octets)     | ...
 *   +---------------------------+---------------------------+----
 */
import { formatIpv4, ipv4ToBytes } from "../address.js";
import { AttributeCode, AttributeFlag } from "../constants.js";
import { type AttributeCodec, lengthError } from "./codec.js";

export const originatorIdCodec: AttributeCodec<"originatorId"> = {
  code: AttributeCode.ORIGINATOR_ID,
  name: "ORIGINATOR_ID",
  key: "originatorId",
  flags: AttributeFlag.OPTIONAL,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.9: malformed "if its length is not 4" ... "treat-as-withdraw".
    if (reader.remaining !== 4) throw lengthError(reader, at, AttributeCode.ORIGINATOR_ID);
    return formatIpv4(reader.view(4));
  },
  encode(writer, value) {
    writer.bytes(ipv4ToBytes(value));
  },
  encodingLength: () => 4,
};

export const clusterListCodec: AttributeCodec<"clusterList"> = {
  code: AttributeCode.CLUSTER_LIST,
  name: "CLUSTER_LIST",
  key: "clusterList",
  flags: AttributeFlag.OPTIONAL,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.10: malformed "if its length is not a non-zero multiple of 4" ... "treat-as-withdraw".
    const length = reader.remaining;
    if (length === 0 || length % 4 !== 0) throw lengthError(reader, at, AttributeCode.CLUSTER_LIST);
    const bytes = reader.view(length);
    const out = new Array<string>(length / 4);
    for (let i = 0; i < out.length; i++) out[i] = formatIpv4(bytes, i * 4);
    return out;
  },
  encode(writer, value) {
    for (const id of value) writer.bytes(ipv4ToBytes(id));
  },
  encodingLength: (value) => 4 * value.length,
};
