/*
 * MP_REACH_NLRI (type 14), RFC 4760 §3: optional non-transitive, routes of any AFI/SAFI.
 *
 *   +---------------------------------------------------------+
 *   | Address Family Identifier (2 octets)                    |
 *   +---------------------------------------------------------+
 *   | Subsequent Address Family Identifier (1 octet)          |
 *   +---------------------------------------------------------+
 *   | Length of Next Hop Network Address (1 octet)            |
 *   +---------------------------------------------------------+
 *   | Network Address of Next Hop (variable)                  |
 *   +---------------------------------------------------------+
 *   | Reserved (1 octet)                                      |
 *   +---------------------------------------------------------+
 *   | Network Layer Reachability Information (variable)       |
 *   +---------------------------------------------------------+
 *
 * IPv6 next hop: 16 octets global, or 32 = global + link-local (RFC 2545 §3). IPv4 unicast may
 * carry an IPv6 next hop of 16 or 32 octets (RFC 8950 §3). A 4-octet IPv4 next hop is accepted for
 * IPv6 unicast too, because ExaBGP sends one when told to. Other families are kept raw.
 */

import { formatIpv4, formatIpv6, parseIpv4Into, parseIpv6Into } from "../address.js";
import { AttributeCode, AttributeFlag } from "../constants.js";
import { deferNlri, defersNlri } from "../deferred-nlri.js";
import { BgpError } from "../errors.js";
import { afiSafiToFamily, familyToAfiSafi } from "../family.js";
import { decodeNlri, encodeNlri, nlriLength } from "../prefix.js";
import { copyOf, type Reader } from "../reader.js";
import type { AddressFamily, CodecContext, MpReach, MpReachUnicast } from "../types.js";
import type { Writer } from "../writer.js";
import { type AttributeCodec, attributeBytes } from "./codec.js";

/** RFC 4760 §7: a bad MP attribute is an Optional Attribute Error, and RFC 7606 §7.11 a session reset. */
export function mpError(reader: Reader, at: number, code: number, why: string): BgpError {
  return BgpError.optionalAttributeError(attributeBytes(reader, at), code, "session-reset", why);
}

/**
 * Decode the NLRI of an MP attribute into `target[key]` (deferred on the receive path, see
 * deferred-nlri.ts), turning a bad prefix into the MP attribute's own error. Returns `target`.
 */
export function decodeMpNlriInto<T extends object>(
  target: T,
  key: "nlri" | "withdrawnRoutes",
  reader: Reader,
  at: number,
  family: AddressFamily,
  ctx: CodecContext,
  code: number,
): T {
  try {
    const { bytes, offset, end } = reader;
    const addPath = ctx.addPath.includes(family);
    if (defersNlri(ctx)) deferNlri(target, key, bytes, offset, end, family, addPath);
    else (target as Record<string, unknown>)[key] = decodeNlri(bytes, offset, end, family, addPath);
    reader.offset = end;
    return target;
  } catch (error) {
    if (!(error instanceof BgpError)) throw error;
    // RFC 7606 §5.3: if the NLRI of an MP attribute cannot be parsed, "session reset" (or
    // "AFI/SAFI disable") is the only choice, since the routes to withdraw are unknown.
    const name = code === AttributeCode.MP_REACH_NLRI ? "MP_REACH_NLRI" : "MP_UNREACH_NLRI";
    throw mpError(reader, at, code, `${name}: ${error.message}`);
  }
}

export const mpReachCodec: AttributeCodec<"mpReach"> = {
  code: AttributeCode.MP_REACH_NLRI,
  name: "MP_REACH_NLRI",
  key: "mpReach",
  flags: AttributeFlag.OPTIONAL,
  malformed: "session-reset",
  decode(reader, ctx, at): MpReach {
    const code = AttributeCode.MP_REACH_NLRI;
    if (reader.remaining < 5) throw mpError(reader, at, code, "MP_REACH_NLRI shorter than its fixed fields");
    const afi = reader.u16();
    const safi = reader.u8();
    const nextHopLength = reader.u8();
    // RFC 7606 §7.11: the next hop length must leave room for itself and the Reserved octet, else
    // the NLRI cannot be located and "session reset" or "AFI/SAFI disable" MUST be used.
    if (nextHopLength + 1 > reader.remaining) {
      throw mpError(
        reader,
        at,
        code,
        `MP_REACH_NLRI next hop length ${nextHopLength} overruns the attribute`,
      );
    }
    const family = afiSafiToFamily(afi, safi);
    if (family === null) {
      const nextHopBytes = copyOf(reader.view(nextHopLength));
      reader.u8(); // Reserved
      return { family: null, afi, safi, nextHopBytes, nlriBytes: copyOf(reader.view(reader.remaining)) };
    }
    // RFC 7606 §7.11: "If the Length of Next Hop Network Address field of the MP_REACH attribute
    // is inconsistent with that which was expected, the attribute is considered malformed."
    if (nextHopLength !== 4 && nextHopLength !== 16 && nextHopLength !== 32)
      throw mpError(reader, at, code, `next hop length ${nextHopLength} does not fit ${family}`);
    const hop = reader.view(nextHopLength);
    reader.u8(); // Reserved: "MUST be set to 0, and SHOULD be ignored upon receipt" (RFC 4760 §3)
    // nlri last, as it always was: JSON of a decoded message keeps its key order.
    const value =
      nextHopLength === 4
        ? { family, afi, safi, nextHop: formatIpv4(hop) }
        : nextHopLength === 16
          ? { family, afi, safi, nextHop: formatIpv6(hop) }
          : { family, afi, safi, nextHop: formatIpv6(hop), linkLocalNextHop: formatIpv6(hop, 16) };
    return decodeMpNlriInto(value as MpReachUnicast, "nlri", reader, at, family, ctx, code);
  },
  encode(writer, value, ctx) {
    if (value.family === null) {
      writer.u16(value.afi).u8(value.safi).u8(value.nextHopBytes.length).bytes(value.nextHopBytes);
      writer.u8(0).bytes(value.nlriBytes);
      return;
    }
    const { family } = value;
    const { afi, safi } = familyToAfiSafi(family);
    writer.u16(afi).u8(safi);
    writeNextHop(writer, value);
    writer.u8(0); // Reserved
    const addPath = ctx.addPath.includes(family);
    for (const nlri of value.nlri) encodeNlri(writer, nlri, family, addPath);
  },
  encodingLength(value, ctx) {
    // AFI (2), SAFI (1), next hop length (1), next hop, Reserved (1), NLRI.
    if (value.family === null) return 5 + value.nextHopBytes.length + value.nlriBytes.length;
    const hop = !value.nextHop.includes(":") ? 4 : value.linkLocalNextHop === undefined ? 16 : 32;
    const addPath = ctx.addPath.includes(value.family);
    let length = 5 + hop;
    for (const nlri of value.nlri) length += nlriLength(nlri.prefix, addPath);
    return length;
  },
};

function writeNextHop(writer: Writer, value: MpReachUnicast): void {
  const hop = new Uint8Array(32);
  if (!value.nextHop.includes(":")) {
    if (value.linkLocalNextHop !== undefined) {
      throw new TypeError(`a link-local next hop goes with an IPv6 next hop, not ${value.nextHop}`);
    }
    if (!parseIpv4Into(value.nextHop, hop)) throw new TypeError(`not an IPv4 next hop: ${value.nextHop}`);
    writer.u8(4).bytes(hop.subarray(0, 4));
    return;
  }
  if (!parseIpv6Into(value.nextHop, hop)) throw new TypeError(`not an IPv6 next hop: ${value.nextHop}`);
  if (value.linkLocalNextHop === undefined) {
    writer.u8(16).bytes(hop.subarray(0, 16));
    return;
  }
  if (!parseIpv6Into(value.linkLocalNextHop, hop, 16)) {
    throw new TypeError(`not an IPv6 link-local next hop: ${value.linkLocalNextHop}`);
  }
  writer.u8(32).bytes(hop);
}
