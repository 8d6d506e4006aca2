/*
 * End-of-RIB marker, RFC 4724 §2: "An UPDATE message with no reachable Network Layer Reachability
 * Information (NLRI) and empty withdrawn NLRI is specified as the End-of-RIB marker that can be used
 * by a BGP speaker to indicate to its peer the completion of the initial routing update after the
 * session is established. For the IPv4 unicast address family, the End-of-RIB marker is an UPDATE
 * message with the minimum length [BGP-4]. For any other address family, it is an UPDATE message
 * that contains only the MP_UNREACH_NLRI attribute [BGP-MP] with no withdrawn routes for that <AFI,
 * SAFI>."
 */
import { hasEntries } from "./deferred-nlri.js";
import { familyToAfiSafi } from "./family.js";
import type { AddressFamily, UpdateMessage } from "./types.js";

/**
 * The End-of-RIB marker of a family.
 * @category Wire codec
 */
export function endOfRib(family: AddressFamily): UpdateMessage {
  if (family === "ipv4-unicast") return { type: "update", withdrawnRoutes: [], attributes: {}, nlri: [] };
  const { afi, safi } = familyToAfiSafi(family);
  return {
    type: "update",
    withdrawnRoutes: [],
    attributes: { mpUnreach: { family, afi, safi, withdrawnRoutes: [] } },
    nlri: [],
  };
}

/**
 * Which family's End-of-RIB marker this UPDATE is, or null when it is not one (of ours).
 * @category Wire codec
 */
export function endOfRibFamily(message: UpdateMessage): AddressFamily | null {
  // Counted without decoding: on the receive path the NLRI are still bytes (deferred-nlri.ts).
  if (
    hasEntries(message, "withdrawnRoutes") ||
    hasEntries(message, "nlri") ||
    message.problems !== undefined
  ) {
    return null;
  }
  const keys = Object.keys(message.attributes);
  if (keys.length === 0) return "ipv4-unicast";
  if (keys.length !== 1 || keys[0] !== "mpUnreach") return null;
  const unreach = message.attributes.mpUnreach;
  if (unreach === undefined || unreach.family === null || hasEntries(unreach, "withdrawnRoutes")) return null;
  return unreach.family;
}
