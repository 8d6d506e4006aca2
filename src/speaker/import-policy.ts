/**
 * What we refuse of what a peer sends: routes whose AS_PATH loops through our AS (RFC 4271
 * §9.1.2) and more routes than the peer is allowed (RFC 4486 §4). Pure functions.
 * @module
 */
import { BgpError } from "../wire/errors.js";
import { familyToAfiSafi } from "../wire/family.js";
import type { UpdateMessage } from "../wire/types.js";

export interface AsLoopSettings {
  /** Our AS. */
  readonly localAsn: number;
  /** The peer's AS. */
  readonly asn: number;
  /** Times our own AS may appear in a received AS_PATH before the route is refused as a loop. */
  readonly allowAsIn: number;
}

/**
 * RFC 4271 §9.1.2: whether the UPDATE's AS_PATH (or AS4_PATH) holds our own AS more often than
 * `allowAsIn` allows, so its routes are a loop.
 */
export function hasAsLoop(update: UpdateMessage, settings: AsLoopSettings): boolean {
  const own = settings.localAsn;
  // Routes from an iBGP peer start inside our AS, where our number is never prepended by the
  // network itself; the check is for paths that left the AS and came back.
  if (settings.asn === own) return false;
  const { asPath, as4Path } = update.attributes;
  let count = 0;
  for (const path of [asPath, as4Path]) {
    if (path === undefined) continue;
    let inThisPath = 0;
    for (const segment of path) for (const asn of segment.asns) if (asn === own) inThisPath++;
    count = Math.max(count, inThisPath);
  }
  return count > settings.allowAsIn;
}

/**
 * The NOTIFICATION that ends the session when the peer holds more than `maxPrefixes` routes after
 * `update`, or null while it is within the limit (or there is none).
 */
export function maxPrefixesError(
  update: UpdateMessage,
  routesHeld: number,
  maxPrefixes: number | undefined,
): BgpError | null {
  if (maxPrefixes === undefined || routesHeld <= maxPrefixes) return null;
  const { afi, safi } = familyToAfiSafi(update.attributes.mpReach?.family ?? "ipv4-unicast");
  // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, with AFI, SAFI and the limit.
  return BgpError.maximumPrefixesReached(afi, safi, maxPrefixes);
}
