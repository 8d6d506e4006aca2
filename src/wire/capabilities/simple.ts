/**
 * The capabilities whose value is empty or a fixed few octets.
 *
 * Multiprotocol (RFC 4760 §8), code 1, length 4:
 *   +-------+-------+-------+-------+
 *   |  AFI (2)      | Res.  | SAFI  |
 *   +-------+-------+-------+-------+
 * Route refresh (RFC 2918), code 2; extended message (RFC 8654), code 6;
 * enhanced route refresh (RFC 7313), code 70: length 0.
 * BGP role (RFC 9234), code 9, length 1: the role value.
 * 4-octet AS (RFC 6793), code 65, length 4: the speaker's AS number.
 * @module
 */
import { CapabilityCode } from "../constants.js";
import { checkUint } from "../writer.js";
import type { CapabilityCodec, CapabilityOf } from "./codec.js";
import { requireExactLength } from "./codec.js";

export const multiprotocolCapability: CapabilityCodec<"multiprotocol"> = {
  code: CapabilityCode.MULTIPROTOCOL,
  name: "multiprotocol",
  decode(reader) {
    requireExactLength(reader, CapabilityCode.MULTIPROTOCOL, 4);
    const afi = reader.u16();
    // RFC 4760 §8: "Reserved ... SHOULD be set to 0 by the sender and ignored by the receiver."
    reader.u8();
    return { name: "multiprotocol", afi, safi: reader.u8() };
  },
  encode(writer, value) {
    writer
      .u16(checkUint(value.afi, 16, "AFI"))
      .u8(0)
      .u8(checkUint(value.safi, 8, "SAFI"));
  },
  encodingLength: () => 4,
};

function emptyCapability<N extends "route-refresh" | "extended-message" | "enhanced-route-refresh">(
  code: number,
  name: N,
): CapabilityCodec<N> {
  return {
    code,
    name,
    decode(reader) {
      requireExactLength(reader, code, 0);
      return { name } as CapabilityOf<N>;
    },
    encode() {},
    encodingLength: () => 0,
  };
}

export const routeRefreshCapability = emptyCapability(CapabilityCode.ROUTE_REFRESH, "route-refresh");
export const extendedMessageCapability = emptyCapability(CapabilityCode.EXTENDED_MESSAGE, "extended-message");
export const enhancedRouteRefreshCapability = emptyCapability(
  CapabilityCode.ENHANCED_ROUTE_REFRESH,
  "enhanced-route-refresh",
);

export const roleCapability: CapabilityCodec<"role"> = {
  code: CapabilityCode.ROLE,
  name: "role",
  decode(reader) {
    requireExactLength(reader, CapabilityCode.ROLE, 1);
    // Unknown role values are kept: whether they fit the peering is the session's call (RFC 9234 §4.2).
    return { name: "role", role: reader.u8() };
  },
  encode(writer, value) {
    writer.u8(checkUint(value.role, 8, "role"));
  },
  encodingLength: () => 1,
};

export const fourOctetAsCapability: CapabilityCodec<"four-octet-as"> = {
  code: CapabilityCode.FOUR_OCTET_AS,
  name: "four-octet-as",
  decode(reader) {
    requireExactLength(reader, CapabilityCode.FOUR_OCTET_AS, 4);
    return { name: "four-octet-as", asn: reader.u32() };
  },
  encode(writer, value) {
    writer.u32(checkUint(value.asn, 32, "AS number"));
  },
  encodingLength: () => 4,
};
