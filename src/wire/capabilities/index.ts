/**
 * The capability registry (RFC 5492 §4). Each capability in the Capabilities Optional Parameter:
 *   +------------------------------+
 *   | Capability Code (1 octet)    |
 *   +------------------------------+
 *   | Capability Length (1 octet)  |
 *   +------------------------------+
 *   | Capability Value (variable)  |
 *   ~                              ~
 *   +------------------------------+
 *
 * Malformed capabilities: we chose to fail the OPEN with OPEN Message Error / 0 (Unspecific) for
 * the capabilities that change how the session encodes or behaves (multiprotocol, route refresh,
 * extended next hop, extended message, role, graceful restart, 4-octet AS, ADD-PATH, enhanced
 * route refresh, LLGR): silently ignoring, say, a 4-octet AS capability of the wrong length would
 * leave the two ends encoding AS numbers differently. The informational ones (FQDN, software
 * version, paths-limit) and ADD-PATH with an unknown send/receive value (RFC 7911 §4) are kept raw
 * as "unknown", as RFC 5492 §3 allows for a capability the speaker does not understand.
 * @module
 */
import { BgpError } from "../errors.js";
import { Reader } from "../reader.js";
import type { Capability, CapabilityName } from "../types.js";
import type { Writer } from "../writer.js";
import { addPathCapability, pathsLimitCapability } from "./add-path.js";
import type { CapabilityCodec, CapabilityOf } from "./codec.js";
import { extendedNextHopCapability } from "./extended-next-hop.js";
import { gracefulRestartCapability, longLivedGracefulRestartCapability } from "./graceful-restart.js";
import { fqdnCapability, softwareVersionCapability } from "./informational.js";
import {
  enhancedRouteRefreshCapability,
  extendedMessageCapability,
  fourOctetAsCapability,
  multiprotocolCapability,
  roleCapability,
  routeRefreshCapability,
} from "./simple.js";
import { decodeUnknownCapability, encodeUnknownCapability } from "./unknown.js";

export type { CapabilityCodec, CapabilityOf } from "./codec.js";

type KnownName = Exclude<CapabilityName, "unknown">;

const CODECS: { readonly [N in KnownName]: CapabilityCodec<N> } = {
  multiprotocol: multiprotocolCapability,
  "route-refresh": routeRefreshCapability,
  "extended-next-hop": extendedNextHopCapability,
  "extended-message": extendedMessageCapability,
  role: roleCapability,
  "graceful-restart": gracefulRestartCapability,
  "four-octet-as": fourOctetAsCapability,
  "add-path": addPathCapability,
  "enhanced-route-refresh": enhancedRouteRefreshCapability,
  "long-lived-graceful-restart": longLivedGracefulRestartCapability,
  fqdn: fqdnCapability,
  "software-version": softwareVersionCapability,
  "paths-limit": pathsLimitCapability,
};

const BY_CODE = new Map<number, CapabilityCodec>(
  (Object.values(CODECS) as CapabilityCodec[]).map((codec) => [codec.code, codec]),
);

/** The codec for a capability code, if we know it. */
export function capabilityCodec(code: number): CapabilityCodec | undefined {
  return BY_CODE.get(code);
}

/** The capability code a decoded capability is sent with. */
export function capabilityCode(capability: Capability): number {
  return capability.name === "unknown" ? capability.code : CODECS[capability.name].code;
}

const truncated = () => BgpError.malformedOpen("capability overruns its optional parameter");

/** Decode one capability value (the reader spans exactly the Capability Value). */
export function decodeCapability(code: number, reader: Reader): Capability {
  const codec = BY_CODE.get(code);
  if (codec !== undefined) {
    const start = reader.offset;
    const value = codec.decode(reader);
    if (value !== null) return value;
    reader.offset = start;
  }
  return decodeUnknownCapability(code, reader);
}

/** Every capability in one Capabilities Optional Parameter value, appended to `out`. */
export function decodeCapabilities(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Capability[] = [],
): Capability[] {
  const reader = new Reader(bytes, start, end, truncated);
  while (reader.remaining > 0) {
    const code = reader.u8();
    const length = reader.u8();
    // The capability's own reader reports an overrun of its value as a malformed capability.
    const value = reader.sub(length, () => BgpError.malformedOpen(`capability ${code} is truncated`));
    out.push(decodeCapability(code, value));
  }
  return out;
}

/** How many octets `encodeCapability` writes: code, length and value. */
export function capabilityLength(capability: Capability): number {
  if (capability.name === "unknown") return 2 + capability.data.length;
  // As in encodeCapability: the map guarantees the codec matches the variant.
  return (
    2 +
    (CODECS[capability.name] as CapabilityCodec<typeof capability.name>).encodingLength(
      capability as CapabilityOf<typeof capability.name>,
    )
  );
}

/** Write one capability as code, length, value. */
export function encodeCapability(writer: Writer, capability: Capability): void {
  writer.u8(capabilityCode(capability));
  const at = writer.reserve8();
  if (capability.name === "unknown") {
    encodeUnknownCapability(writer, capability);
  } else {
    // The map guarantees the codec matches the variant; TypeScript cannot correlate the two.
    (CODECS[capability.name] as CapabilityCodec<typeof capability.name>).encode(
      writer,
      capability as CapabilityOf<typeof capability.name>,
    );
  }
  const length = writer.offset - at - 1;
  if (length > 255) {
    throw new RangeError(`capability ${capability.name} value is ${length} octets, more than 255`);
  }
  writer.fill8(at);
}
