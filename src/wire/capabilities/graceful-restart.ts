/**
 * Graceful restart (RFC 4724 §3, N bit from RFC 8538 §2), code 64, length 2 + 4n:
 *   +--------------------------------------------------+
 *   | Restart Flags (4 bits: R, N, 0, 0)               |
 *   | Restart Time in seconds (12 bits)                |
 *   +--------------------------------------------------+
 *   | AFI (16 bits) | SAFI (8 bits) | Flags (8 bits: F)| repeated per family
 *   +--------------------------------------------------+
 *
 * Long-lived graceful restart (RFC 9494 §3), code 71, length 7n:
 *   | AFI (16 bits) | SAFI (8 bits) | Flags (8 bits: F) | Long-lived Stale Time (24 bits) |
 * @module
 */
import { CapabilityCode } from "../constants.js";
import { checkUint } from "../writer.js";
import type { CapabilityCodec } from "./codec.js";
import { requireLength } from "./codec.js";

const RESTART_STATE = 0x8000;
const GRACEFUL_NOTIFICATION = 0x4000;
const RESTART_TIME_MASK = 0x0fff;
const FORWARDING_STATE = 0x80;

export const gracefulRestartCapability: CapabilityCodec<"graceful-restart"> = {
  code: CapabilityCode.GRACEFUL_RESTART,
  name: "graceful-restart",
  decode(reader) {
    const count = requireLength(reader, CapabilityCode.GRACEFUL_RESTART, 4, 2);
    const head = reader.u16();
    const families = [];
    for (let i = 0; i < count; i++) {
      const afi = reader.u16();
      const safi = reader.u8();
      families.push({ afi, safi, forwardingPreserved: (reader.u8() & FORWARDING_STATE) !== 0 });
    }
    return {
      name: "graceful-restart",
      restarting: (head & RESTART_STATE) !== 0,
      notification: (head & GRACEFUL_NOTIFICATION) !== 0,
      restartTimeSec: head & RESTART_TIME_MASK,
      families,
    };
  },
  encode(writer, value) {
    let head = checkUint(value.restartTimeSec, 12, "restart time");
    if (value.restarting) head |= RESTART_STATE;
    if (value.notification) head |= GRACEFUL_NOTIFICATION;
    writer.u16(head);
    for (const f of value.families) {
      writer.u16(checkUint(f.afi, 16, "AFI")).u8(checkUint(f.safi, 8, "SAFI"));
      writer.u8(f.forwardingPreserved ? FORWARDING_STATE : 0);
    }
  },
  encodingLength: (value) => 2 + 4 * value.families.length,
};

export const longLivedGracefulRestartCapability: CapabilityCodec<"long-lived-graceful-restart"> = {
  code: CapabilityCode.LONG_LIVED_GRACEFUL_RESTART,
  name: "long-lived-graceful-restart",
  decode(reader) {
    const count = requireLength(reader, CapabilityCode.LONG_LIVED_GRACEFUL_RESTART, 7);
    const families = [];
    for (let i = 0; i < count; i++) {
      const afi = reader.u16();
      const safi = reader.u8();
      const forwardingPreserved = (reader.u8() & FORWARDING_STATE) !== 0;
      const staleTimeSec = (reader.u8() << 16) | reader.u16();
      families.push({ afi, safi, forwardingPreserved, staleTimeSec });
    }
    return { name: "long-lived-graceful-restart", families };
  },
  encode(writer, value) {
    for (const f of value.families) {
      writer.u16(checkUint(f.afi, 16, "AFI")).u8(checkUint(f.safi, 8, "SAFI"));
      writer.u8(f.forwardingPreserved ? FORWARDING_STATE : 0);
      const stale = checkUint(f.staleTimeSec, 24, "long-lived stale time");
      writer.u8(stale >>> 16).u16(stale & 0xffff);
    }
  },
  encodingLength: (value) => 7 * value.families.length,
};
