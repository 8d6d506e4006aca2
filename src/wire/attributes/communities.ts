/*
 * The community attributes, all optional transitive lists of fixed-size entries:
 *
 * COMMUNITIES (type 8, RFC 1997), 4 octets each, text "65001:100":
 *   +-----------------+-----------------+
 *   | AS (2 octets)   | value (2 octets)|
 *   +-----------------+-----------------+
 *
 * EXTENDED_COMMUNITIES (type 16, RFC 4360), 8 octets each, text = 16 lower-case hex digits:
 *   +--------+---------+--------------------------------+
 *   | type   | subtype | value (6 octets)               |
 *   +--------+---------+--------------------------------+
 *
 * LARGE_COMMUNITY (type 32, RFC 8092), 12 octets each, text "65001:1:2":
 *   +------------------------+------------------------+------------------------+
 *   | global admin (4)       | local data 1 (4)       | local data 2 (4)       |
 *   +------------------------+------------------------+------------------------+
 */
import { AttributeCode, AttributeFlag } from "../constants.js";
import { type AttributeCodec, lengthError, parseDecimal } from "./codec.js";

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export const communitiesCodec: AttributeCodec<"communities"> = {
  code: AttributeCode.COMMUNITIES,
  name: "COMMUNITIES",
  key: "communities",
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.8: "The error handling of [RFC1997] is revised as follows: The Community
    // attribute SHALL be considered malformed if its length is not a non-zero multiple of 4" ...
    // "treat-as-withdraw".
    const length = reader.remaining;
    if (length === 0 || length % 4 !== 0) throw lengthError(reader, at, AttributeCode.COMMUNITIES);
    const out = new Array<string>(length / 4);
    for (let i = 0; i < out.length; i++) out[i] = `${reader.u16()}:${reader.u16()}`;
    return out;
  },
  encode(writer, value) {
    for (const text of value) {
      const colon = text.indexOf(":");
      const high = parseDecimal(text, 0, colon, 0xffff);
      const low = parseDecimal(text, colon + 1, text.length, 0xffff);
      if (colon < 0 || high < 0 || low < 0) throw new TypeError(`not a community "AS:value": ${text}`);
      writer.u16(high).u16(low);
    }
  },
  encodingLength: (value) => 4 * value.length,
};

export const extendedCommunitiesCodec: AttributeCodec<"extendedCommunities"> = {
  code: AttributeCode.EXTENDED_COMMUNITIES,
  name: "EXTENDED_COMMUNITIES",
  key: "extendedCommunities",
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.14: "The error handling of [RFC4360] is revised as follows: The Extended
    // Communities attribute SHALL be considered malformed if its length is not a non-zero multiple
    // of 8" ... "treat-as-withdraw".
    const length = reader.remaining;
    if (length === 0 || length % 8 !== 0) throw lengthError(reader, at, AttributeCode.EXTENDED_COMMUNITIES);
    const bytes = reader.view(length);
    const out = new Array<string>(length / 8);
    for (let i = 0; i < out.length; i++) {
      let text = "";
      for (let j = 0; j < 8; j++) text += HEX_BYTE[bytes[i * 8 + j]];
      out[i] = text;
    }
    return out;
  },
  encode(writer, value) {
    for (const text of value) {
      if (text.length !== 16) throw new TypeError(`extended community must be 16 hex digits: ${text}`);
      for (let j = 0; j < 16; j += 2) {
        const high = hexNibble(text.charCodeAt(j));
        const low = hexNibble(text.charCodeAt(j + 1));
        if (high < 0 || low < 0) throw new TypeError(`extended community must be 16 hex digits: ${text}`);
        writer.u8((high << 4) | low);
      }
    }
  },
  encodingLength: (value) => 8 * value.length,
};

export const largeCommunitiesCodec: AttributeCodec<"largeCommunities"> = {
  code: AttributeCode.LARGE_COMMUNITY,
  name: "LARGE_COMMUNITY",
  key: "largeCommunities",
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 8092 §5: malformed "if the length of the BGP Large Communities Attribute value, expressed
    // in octets, is not a non-zero multiple of 12" ... "treat-as-withdraw".
    const length = reader.remaining;
    if (length === 0 || length % 12 !== 0) throw lengthError(reader, at, AttributeCode.LARGE_COMMUNITY);
    const out = new Array<string>(length / 12);
    for (let i = 0; i < out.length; i++) out[i] = `${reader.u32()}:${reader.u32()}:${reader.u32()}`;
    return out;
  },
  encode(writer, value) {
    for (const text of value) {
      const first = text.indexOf(":");
      const second = first < 0 ? -1 : text.indexOf(":", first + 1);
      const global = parseDecimal(text, 0, first, 0xffffffff);
      const local1 = parseDecimal(text, first + 1, second, 0xffffffff);
      const local2 = parseDecimal(text, second + 1, text.length, 0xffffffff);
      if (first < 0 || second < 0 || global < 0 || local1 < 0 || local2 < 0) {
        throw new TypeError(`not a large community "global:local1:local2": ${text}`);
      }
      writer.u32(global).u32(local1).u32(local2);
    }
  },
  encodingLength: (value) => 12 * value.length,
};
