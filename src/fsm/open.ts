import { ipv4ToNumber } from "../wire/address.js";
import { AS_TRANS, BGP_VERSION, CapabilityCode } from "../wire/constants.js";
import { BgpError } from "../wire/errors.js";
import { familyToAfiSafi } from "../wire/family.js";
import type { AddressFamily, Capability, OpenMessage } from "../wire/types.js";
import type { FsmConfig } from "./types.js";

/** RFC 4271 §4.2: hold time 0, or at least three seconds. */
export const MIN_HOLD_TIME_SEC = 3;

/** The OPEN we send, from our configuration. */
export function buildOpen(config: FsmConfig): OpenMessage {
  const capabilities: Capability[] = [];
  for (const family of config.families) {
    capabilities.push({ name: "multiprotocol", ...familyToAfiSafi(family) });
  }
  capabilities.push({ name: "route-refresh" }, { name: "enhanced-route-refresh" });
  // RFC 6793 §3: "A BGP speaker that supports four-octet AS numbers ... MUST advertise this capability".
  capabilities.push({ name: "four-octet-as", asn: config.localAsn });
  if (config.extendedMessage) capabilities.push({ name: "extended-message" });
  if (config.extendedNextHop === true && config.families.includes("ipv4-unicast")) {
    capabilities.push({ name: "extended-next-hop", entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] });
  }
  if (config.gracefulRestart !== false) {
    // Receiving speaker only: R=0 and no families (we keep no forwarding state across restarts).
    capabilities.push({
      name: "graceful-restart",
      restarting: false,
      notification: false,
      restartTimeSec: config.gracefulRestart.restartTimeSec,
      families: [],
    });
  }
  const addPath = config.addPath.filter((entry) => entry.send || entry.receive);
  if (addPath.length > 0) {
    capabilities.push({
      name: "add-path",
      families: addPath.map((entry) => ({
        ...familyToAfiSafi(entry.family),
        sendReceive: entry.send && entry.receive ? "both" : entry.send ? "send" : "receive",
      })),
    });
  }
  return {
    type: "open",
    version: BGP_VERSION,
    // RFC 6793 §4.1: "the 'My Autonomous System' field ... is set to AS_TRANS" when the AS does not fit 2 octets.
    myAsn: config.localAsn > 0xffff ? AS_TRANS : config.localAsn,
    holdTime: config.holdTime,
    bgpIdentifier: config.routerId,
    capabilities,
  };
}

/** The peer's AS as RFC 6793 defines it: the capability's when present, else My Autonomous System. */
export function peerAsnOf(open: OpenMessage): number {
  const cap = open.capabilities.find((c) => c.name === "four-octet-as");
  return cap === undefined ? open.myAsn : cap.asn;
}

/** Families the OPEN announces; RFC 4760 §8: without any Multiprotocol capability, IPv4 unicast is implied. */
export function announcedFamilies(open: OpenMessage): AddressFamily[] {
  const mp = open.capabilities.filter((c) => c.name === "multiprotocol");
  if (mp.length === 0) return ["ipv4-unicast"];
  const out: AddressFamily[] = [];
  for (const family of ["ipv4-unicast", "ipv6-unicast"] as const) {
    const { afi, safi } = familyToAfiSafi(family);
    if (mp.some((c) => c.afi === afi && c.safi === safi)) out.push(family);
  }
  return out;
}

/** A Multiprotocol capability as TLV bytes, for the data of 2/7 (RFC 5492 §5). */
function multiprotocolTlv(family: AddressFamily): Uint8Array {
  const { afi, safi } = familyToAfiSafi(family);
  return Uint8Array.of(CapabilityCode.MULTIPROTOCOL, 4, afi >>> 8, afi & 0xff, 0, safi);
}

/**
 * Checks a received OPEN against our configuration; throws the BgpError whose NOTIFICATION
 * the FSM sends (RFC 4271 §6.2). The codec has already checked the version and the layout.
 *
 * On 4-octet AS (RFC 6793): we do not require the capability from the peer even when our own AS
 * needs 4 octets, because §4.1 lets a NEW speaker peer with an OLD one through AS_TRANS and
 * AS4_PATH; what we do require is that the AS the peer ends up with is the configured one, and
 * that a peer which sends the capability puts AS_TRANS (or the same 2-octet AS) in My Autonomous System.
 */
export function validateOpen(open: OpenMessage, config: FsmConfig): void {
  if (open.version !== BGP_VERSION) {
    // "If the version number in the Version field of the received OPEN message is not supported,
    // then the Error Subcode MUST be set to Unsupported Version Number."
    throw BgpError.unsupportedVersionNumber(open.version);
  }
  const peerAsn = peerAsnOf(open);
  const cap = open.capabilities.find((c) => c.name === "four-octet-as");
  if (cap !== undefined && cap.asn > 0xffff && open.myAsn !== AS_TRANS) {
    throw BgpError.badPeerAs(open.myAsn, AS_TRANS);
  }
  if (cap !== undefined && cap.asn <= 0xffff && open.myAsn !== cap.asn) {
    throw BgpError.badPeerAs(open.myAsn, cap.asn);
  }
  // RFC 7607 §2: "If a BGP speaker receives zero as the peer AS in an OPEN message, it MUST abort
  // the connection and send a NOTIFICATION with Error Code 'OPEN Message Error' and subcode 'Bad Peer AS'".
  // RFC 4271 §6.2: "If the Autonomous System field of the OPEN message is unacceptable, then the
  // Error Subcode MUST be set to Bad Peer AS."
  if (peerAsn === 0 || peerAsn !== config.peerAsn) throw BgpError.badPeerAs(peerAsn, config.peerAsn);

  // RFC 4271 §6.2: "Upon receipt of an OPEN message, a BGP speaker MUST ... reject Hold Time
  // values of one or two seconds."
  if (open.holdTime > 0 && open.holdTime < MIN_HOLD_TIME_SEC)
    throw BgpError.unacceptableHoldTime(open.holdTime);

  // RFC 6286 §2.2: "If the BGP Identifier field of the OPEN message is zero, or if it is the same
  // as the BGP Identifier of the local BGP speaker and the message is from an internal peer, then
  // the Error Subcode is set to 'Bad BGP Identifier'."
  const peerId = ipv4ToNumber(open.bgpIdentifier);
  if (peerId === 0) throw BgpError.badBgpIdentifier(open.bgpIdentifier);
  if (config.peerAsn === config.localAsn && peerId === ipv4ToNumber(config.routerId)) {
    throw BgpError.badBgpIdentifier(open.bgpIdentifier);
  }

  // RFC 5492 §5: a speaker that requires a capability the peer does not announce "MAY send a
  // NOTIFICATION ... Unsupported Capability ... the Data field ... the set of capabilities".
  const announced = announcedFamilies(open);
  const missing = config.requiredFamilies.filter(
    (f) => config.families.includes(f) && !announced.includes(f),
  );
  if (missing.length > 0) {
    const tlvs = missing.map(multiprotocolTlv);
    const data = new Uint8Array(tlvs.reduce((n, t) => n + t.length, 0));
    let offset = 0;
    for (const t of tlvs) {
      data.set(t, offset);
      offset += t.length;
    }
    throw BgpError.unsupportedCapability(data, `peer does not announce required ${missing.join(", ")}`);
  }
}
