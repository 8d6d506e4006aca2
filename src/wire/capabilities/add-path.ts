/**
 * ADD-PATH (RFC 7911 §4), code 69, length 4n:
 *   +------------------------------------------------+
 *   | AFI (2 octets) | SAFI (1 octet) | Send/Receive (1 octet: 1 receive, 2 send, 3 both) |
 *   +------------------------------------------------+  repeated per family
 *
 * Paths-limit (draft-abraitis-idr-addpath-paths-limit), code 76, length 5n:
 *   | AFI (2 octets) | SAFI (1 octet) | Paths Limit (2 octets) |
 * @module
 */
import { CapabilityCode } from "../constants.js";
import { checkUint } from "../writer.js";
import type { CapabilityCodec } from "./codec.js";
import { requireLength } from "./codec.js";

const SEND_RECEIVE = ["receive", "send", "both"] as const;
type SendReceive = (typeof SEND_RECEIVE)[number];

export const addPathCapability: CapabilityCodec<"add-path"> = {
  code: CapabilityCode.ADD_PATH,
  name: "add-path",
  decode(reader) {
    const count = requireLength(reader, CapabilityCode.ADD_PATH, 4);
    const families: { afi: number; safi: number; sendReceive: SendReceive }[] = [];
    for (let i = 0; i < count; i++) {
      const afi = reader.u16();
      const safi = reader.u8();
      const sendReceive = SEND_RECEIVE[reader.u8() - 1];
      // RFC 7911 §4: "If any other value is received, then the capability SHOULD be treated as
      // not understood and ignored." (null: the registry keeps it raw as "unknown").
      if (sendReceive === undefined) return null;
      families.push({ afi, safi, sendReceive });
    }
    return { name: "add-path", families };
  },
  encode(writer, value) {
    for (const f of value.families) {
      const code = SEND_RECEIVE.indexOf(f.sendReceive) + 1;
      if (code === 0) throw new RangeError(`bad ADD-PATH send/receive ${String(f.sendReceive)}`);
      writer
        .u16(checkUint(f.afi, 16, "AFI"))
        .u8(checkUint(f.safi, 8, "SAFI"))
        .u8(code);
    }
  },
  encodingLength: (value) => 4 * value.families.length,
};

export const pathsLimitCapability: CapabilityCodec<"paths-limit"> = {
  code: CapabilityCode.PATHS_LIMIT,
  name: "paths-limit",
  decode(reader) {
    // Advisory only, so a malformed one is ignored (kept raw) rather than fatal.
    if (reader.remaining % 5 !== 0) return null;
    const families = [];
    while (reader.remaining > 0) {
      const afi = reader.u16();
      const safi = reader.u8();
      families.push({ afi, safi, limit: reader.u16() });
    }
    return { name: "paths-limit", families };
  },
  encode(writer, value) {
    for (const f of value.families) {
      writer.u16(checkUint(f.afi, 16, "AFI")).u8(checkUint(f.safi, 8, "SAFI"));
      writer.u16(checkUint(f.limit, 16, "paths limit"));
    }
  },
  encodingLength: (value) => 5 * value.families.length,
};
