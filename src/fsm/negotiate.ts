import { ipv4ToNumber } from "../wire/address.js";
import { afiSafiToFamily } from "../wire/family.js";
import type { AddressFamily, Capability, CodecContext, OpenMessage } from "../wire/types.js";
import { announcedFamilies, peerAsnOf } from "./open.js";
import { keepaliveTimeOf } from "./timers.js";
import type { FsmConfig, NegotiatedCapabilities } from "./types.js";

function has(caps: readonly Capability[], name: Capability["name"]): boolean {
  return caps.some((c) => c.name === name);
}

/** RFC 4271 §4.2: "the smaller of its configured Hold Time and the Hold Time received in the OPEN". */
export function negotiateHoldTime(ours: number, theirs: number): number {
  return Math.min(ours, theirs);
}

/** What our OPEN and the peer's agree on. `local` is the OPEN we sent, `peer` the one received (already validated). */
export function negotiate(local: OpenMessage, peer: OpenMessage, config: FsmConfig): NegotiatedCapabilities {
  const holdTime = negotiateHoldTime(local.holdTime, peer.holdTime);
  const theirs = peer.capabilities;
  const ours = local.capabilities;
  const peerFamilies = announcedFamilies(peer);
  const families = announcedFamilies(local).filter((f) => peerFamilies.includes(f));
  const fourOctetAs = has(ours, "four-octet-as") && has(theirs, "four-octet-as");
  const extendedMessage = has(ours, "extended-message") && has(theirs, "extended-message");

  // RFC 7911 §4: we may send path ids for a family when we announced send and the peer receive,
  // and receive them when we announced receive and the peer send.
  const peerAddPath = theirs.find((c) => c.name === "add-path");
  const addPath: { family: AddressFamily; send: boolean; receive: boolean }[] = [];
  for (const entry of config.addPath) {
    if (!families.includes(entry.family)) continue;
    const theirEntry = peerAddPath?.families.find((f) => afiSafiToFamily(f.afi, f.safi) === entry.family);
    if (theirEntry === undefined) continue;
    const send = entry.send && theirEntry.sendReceive !== "send";
    const receive = entry.receive && theirEntry.sendReceive !== "receive";
    if (send || receive) addPath.push({ family: entry.family, send, receive });
  }

  // RFC 8950 §3: IPv6 next hops for a family only when both sides announced it for that family.
  const enhOf = (caps: readonly Capability[]) =>
    caps.flatMap((c) =>
      c.name === "extended-next-hop"
        ? c.entries.filter((e) => e.nextHopAfi === 2).map((e) => afiSafiToFamily(e.afi, e.safi))
        : [],
    );
  const theirEnh = enhOf(theirs);
  const extendedNextHop = enhOf(ours).filter(
    (f): f is AddressFamily => f !== null && families.includes(f) && theirEnh.includes(f),
  );

  const gr = theirs.find((c) => c.name === "graceful-restart");
  const gracefulRestart =
    gr === undefined
      ? null
      : {
          restartTimeSec: gr.restartTimeSec,
          restarting: gr.restarting,
          families: gr.families.flatMap((f) => {
            const family = afiSafiToFamily(f.afi, f.safi);
            return family === null ? [] : [{ family, forwardingPreserved: f.forwardingPreserved }];
          }),
        };

  const sendContext: CodecContext = {
    fourOctetAs,
    addPath: addPath.filter((a) => a.send).map((a) => a.family),
    extendedMessage,
  };
  const receiveContext: CodecContext = {
    fourOctetAs,
    addPath: addPath.filter((a) => a.receive).map((a) => a.family),
    // RFC 8654 §3: a speaker that advertises the capability "MUST be capable of receiving a message
    // with a length up to and including 65535 octets", whatever the peer announced.
    extendedMessage: has(ours, "extended-message"),
  };

  return {
    peerAsn: peerAsnOf(peer),
    peerBgpIdentifier: peer.bgpIdentifier,
    holdTime,
    keepaliveTime: keepaliveTimeOf(holdTime),
    families,
    fourOctetAs,
    routeRefresh: has(ours, "route-refresh") && has(theirs, "route-refresh"),
    enhancedRouteRefresh: has(ours, "enhanced-route-refresh") && has(theirs, "enhanced-route-refresh"),
    extendedMessage,
    extendedNextHop,
    gracefulRestart,
    addPath,
    sendContext,
    receiveContext,
  };
}

/**
 * RFC 4271 §6.8 connection collision: "the local system closes the BGP connection that already
 * exists ... and accepts the BGP connection initiated by the remote system" when the local BGP
 * Identifier is the lower one; otherwise it closes the new one. Put plainly: the connection kept is
 * the one initiated by the speaker with the higher BGP Identifier (compared as unsigned integers).
 * Returns which of two connections for the same peer to close with Cease/7.
 * @category State machine
 */
export function resolveCollision(input: {
  readonly localBgpIdentifier: string;
  readonly remoteBgpIdentifier: string;
  /** Whether we initiated the connection that already exists (the other one being the new one). */
  readonly existingInitiatedLocally: boolean;
}): "close-existing" | "close-new" {
  const localHigher = ipv4ToNumber(input.localBgpIdentifier) > ipv4ToNumber(input.remoteBgpIdentifier);
  // Keep the connection initiated by the higher identifier.
  const keepExisting = localHigher === input.existingInitiatedLocally;
  return keepExisting ? "close-new" : "close-existing";
}
