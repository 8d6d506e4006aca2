/**
 * Extended next hop (RFC 8950 §3), code 5, length 6n:
 *   +-----------------------------------------------------+
 *   | NLRI AFI - 1 (2 octets)                             |
 *   | NLRI SAFI - 1 (2 octets)                            |
 *   | Nexthop AFI - 1 (2 octets)                          |
 *   | ... repeated                                        |
 *   +-----------------------------------------------------+
 * @module
 */
import { CapabilityCode } from "../constants.js";
import { checkUint } from "../writer.js";
import type { CapabilityCodec } from "./codec.js";
import { requireLength } from "./codec.js";

export const extendedNextHopCapability: CapabilityCodec<"extended-next-hop"> = {
  code: CapabilityCode.EXTENDED_NEXT_HOP,
  name: "extended-next-hop",
  decode(reader) {
    const count = requireLength(reader, CapabilityCode.EXTENDED_NEXT_HOP, 6);
    const entries = [];
    for (let i = 0; i < count; i++) {
      const afi = reader.u16();
      const safi = reader.u16();
      entries.push({ afi, safi, nextHopAfi: reader.u16() });
    }
    return { name: "extended-next-hop", entries };
  },
  encode(writer, value) {
    for (const e of value.entries) {
      writer.u16(checkUint(e.afi, 16, "AFI")).u16(checkUint(e.safi, 16, "SAFI"));
      writer.u16(checkUint(e.nextHopAfi, 16, "next hop AFI"));
    }
  },
  encodingLength: (value) => 6 * value.entries.length,
};
