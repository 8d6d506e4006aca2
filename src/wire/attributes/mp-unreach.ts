/*
 * MP_UNREACH_NLRI (type 15), RFC 4760 §4: optional non-transitive, withdrawals of any AFI/SAFI.
 *
 *   +---------------------------------------------------------+
 *   | Address Family Identifier (2 octets)                    |
 *   +---------------------------------------------------------+
 *   | Subsequent Address Family Identifier (1 octet)          |
 *   +---------------------------------------------------------+
 *   | Withdrawn Routes (variable)                             |
 *   +---------------------------------------------------------+
 */
import { AttributeCode, AttributeFlag } from "../constants.js";
import { afiSafiToFamily, familyToAfiSafi } from "../family.js";
import { encodeNlri, nlriLength } from "../prefix.js";
import { copyOf } from "../reader.js";
import type { MpUnreach } from "../types.js";
import type { AttributeCodec } from "./codec.js";
import { decodeMpNlriInto, mpError } from "./mp-reach.js";

export const mpUnreachCodec: AttributeCodec<"mpUnreach"> = {
  code: AttributeCode.MP_UNREACH_NLRI,
  name: "MP_UNREACH_NLRI",
  key: "mpUnreach",
  flags: AttributeFlag.OPTIONAL,
  malformed: "session-reset",
  decode(reader, ctx, at): MpUnreach {
    const code = AttributeCode.MP_UNREACH_NLRI;
    if (reader.remaining < 3)
      throw mpError(reader, at, code, "MP_UNREACH_NLRI shorter than its AFI and SAFI");
    const afi = reader.u16();
    const safi = reader.u8();
    const family = afiSafiToFamily(afi, safi);
    if (family === null)
      return { family: null, afi, safi, withdrawnBytes: copyOf(reader.view(reader.remaining)) };
    return decodeMpNlriInto(
      { family, afi, safi } as MpUnreach,
      "withdrawnRoutes",
      reader,
      at,
      family,
      ctx,
      code,
    );
  },
  encode(writer, value, ctx) {
    if (value.family === null) {
      writer.u16(value.afi).u8(value.safi).bytes(value.withdrawnBytes);
      return;
    }
    const { family } = value;
    const { afi, safi } = familyToAfiSafi(family);
    writer.u16(afi).u8(safi);
    const addPath = ctx.addPath.includes(family);
    for (const nlri of value.withdrawnRoutes) encodeNlri(writer, nlri, family, addPath);
  },
  encodingLength(value, ctx) {
    // AFI (2), SAFI (1), withdrawn routes.
    if (value.family === null) return 3 + value.withdrawnBytes.length;
    const addPath = ctx.addPath.includes(value.family);
    let length = 3;
    for (const nlri of value.withdrawnRoutes) length += nlriLength(nlri.prefix, addPath);
    return length;
  },
};
