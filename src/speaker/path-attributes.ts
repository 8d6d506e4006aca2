import { AS_TRANS, WellKnownCommunity } from "../wire/constants.js";
import { familyToAfiSafi } from "../wire/family.js";
import type { AddressFamily, AsPathSegment, MpReachUnicast, PathAttributes } from "../wire/types.js";
import type { RouteAttributes } from "./route.js";

/** What the attributes of a route sent to one peer depend on besides the route itself. */
export interface PeerView {
  readonly localAsn: number;
  /** External (eBGP) or internal (iBGP) peer. */
  readonly external: boolean;
  /** The peer understands 4-octet AS numbers in AS_PATH (RFC 6793). */
  readonly fourOctetAs: boolean;
}

/** Default LOCAL_PREF on iBGP when the user sets none (the common router default). */
export const DEFAULT_LOCAL_PREF = 100;

/**
 * The AS_PATH we originate: RFC 4271 §5.1.2 "the originating speaker ... shall include its own AS
 * number in a path segment of type AS_SEQUENCE" on eBGP, and an empty AS_PATH on iBGP; the
 * prepends add more copies of our AS (in either case).
 */
export function originatedAsPath(
  view: PeerView,
  prepend: number,
): { asPath: AsPathSegment[]; as4Path?: AsPathSegment[] } {
  const count = (view.external ? 1 : 0) + prepend;
  if (count === 0) return { asPath: [] };
  const real = new Array<number>(count).fill(view.localAsn);
  if (view.fourOctetAs || view.localAsn <= 0xffff) return { asPath: [{ type: "sequence", asns: real }] };
  // RFC 6793 §4.2.2: to an OLD speaker, 4-octet AS numbers become AS_TRANS and the true path
  // travels in AS4_PATH.
  return {
    asPath: [{ type: "sequence", asns: new Array<number>(count).fill(AS_TRANS) }],
    as4Path: [{ type: "sequence", asns: real }],
  };
}

/**
 * The path attributes for routes of `family` with `route` attributes, sent to one peer with the
 * resolved `nextHop` (and, for IPv6, an RFC 2545 link-local second next hop). IPv4 routes with an IPv4 next hop use NEXT_HOP; everything else goes in
 * MP_REACH_NLRI (RFC 4760; RFC 8950 for IPv4 routes over an IPv6 next hop), with no NLRI yet.
 */
export function pathAttributesFor(
  family: AddressFamily,
  route: RouteAttributes,
  view: PeerView,
  nextHop: string,
  linkLocalNextHop?: string,
): PathAttributes {
  const { asPath, as4Path } = originatedAsPath(view, route.asPathPrepend);
  let communities = route.communities;
  let localPref = view.external ? undefined : (route.localPref ?? DEFAULT_LOCAL_PREF);
  if (route.gracefulShutdown) {
    // RFC 8326 §4: tag with GRACEFUL_SHUTDOWN; on iBGP the sender may also lower LOCAL_PREF.
    communities = [...(communities ?? []), WellKnownCommunity.GRACEFUL_SHUTDOWN].filter(
      (c, i, all) => all.indexOf(c) === i,
    );
    if (!view.external) localPref = 0;
  }
  const classic = family === "ipv4-unicast" && !nextHop.includes(":");
  let mpReach: MpReachUnicast | undefined;
  if (!classic) {
    const { afi, safi } = familyToAfiSafi(family);
    mpReach =
      linkLocalNextHop === undefined || !nextHop.includes(":")
        ? { family, afi, safi, nextHop, nlri: [] }
        : { family, afi, safi, nextHop, linkLocalNextHop, nlri: [] };
  }
  const attributes: {
    -readonly [K in keyof PathAttributes]: PathAttributes[K];
  } = { origin: route.origin, asPath };
  if (classic) attributes.nextHop = nextHop;
  if (route.med !== undefined) attributes.med = route.med;
  if (localPref !== undefined) attributes.localPref = localPref;
  if (communities !== undefined) attributes.communities = communities;
  if (mpReach !== undefined) attributes.mpReach = mpReach;
  if (route.extendedCommunities !== undefined) attributes.extendedCommunities = route.extendedCommunities;
  if (as4Path !== undefined) attributes.as4Path = as4Path;
  if (route.largeCommunities !== undefined) attributes.largeCommunities = route.largeCommunities;
  return attributes;
}
