/**
 * Which next hop a route of one family gets on one session: the one rule that `announce()`, each
 * peer's flush and the CLI's settings check all call. Pure: no state, no I/O.
 *
 * RFC 4271 §5.1.3 makes the next hop ours unless told otherwise; RFC 2545 §3 carries an IPv6
 * next hop only for IPv6 routes, and RFC 8950 lets IPv4 routes carry one where the session
 * negotiated extended next hop.
 * @module
 */
import type { AddressFamily } from "../wire/types.js";

/** Next hops configured for a peer, per family of the route (`PeerOptions.nextHop`). */
export interface ConfiguredNextHops {
  readonly ipv4?: string | undefined;
  readonly ipv6?: string | undefined;
}

/** What the rule needs to know of a session's transport. */
export interface NextHopTransport {
  /** Whether the TCP connection runs over IPv6. */
  readonly ipv6: boolean;
  /** Our address on the connection (link-local with its %zone); absent before the session is up. */
  readonly localAddress?: string | undefined;
  /** Over a link-local session: a global address of the interface, when it has one. */
  readonly interfaceGlobal?: string | undefined;
  /** RFC 8950 for IPv4 unicast: negotiated on a live session, configured (offered) before one. */
  readonly extendedNextHop: boolean;
}

export interface NextHopQuestion {
  readonly family: AddressFamily;
  /** The route's own next hop (`announce(prefix, { nextHop })`). */
  readonly explicit?: string | undefined;
  /** The peer's configured next hops, used when the route has none. */
  readonly configured?: ConfiguredNextHops | undefined;
  /** The session; absent: judge only what holds on every session. */
  readonly transport?: NextHopTransport | undefined;
}

/** Why no next hop fits. */
export type NextHopRefusal =
  /** The route has no next hop, and the session runs over the other family, so ours cannot serve. */
  | "no-next-hop-for-transport"
  /** An IPv6 route with an IPv4 next hop. */
  | "ipv4-next-hop-for-ipv6"
  /** An IPv4 route with an IPv6 next hop on a session without RFC 8950 extended next hop. */
  | "needs-extended-next-hop";

export type NextHopChoice =
  | {
      readonly ok: true;
      /** The address; null when it is ours on a session not up yet (or no session was given). */
      readonly nextHop: string | null;
      readonly source: "explicit" | "configured" | "session";
    }
  | { readonly ok: false; readonly refusal: NextHopRefusal; readonly nextHop?: string };

const OURS_NOT_KNOWN_YET: NextHopChoice = Object.freeze({ ok: true, nextHop: null, source: "session" });
const NO_NEXT_HOP_FOR_TRANSPORT: NextHopChoice = Object.freeze({
  ok: false,
  refusal: "no-next-hop-for-transport",
});

/** The next hop a route of `family` gets on a session, or why none fits. */
export function chooseNextHop(question: NextHopQuestion): NextHopChoice {
  const { family, transport } = question;
  const v6Route = family === "ipv6-unicast";
  const given = question.explicit ?? (v6Route ? question.configured?.ipv6 : question.configured?.ipv4);
  if (given !== undefined) {
    const v6NextHop = given.includes(":");
    if (v6Route && !v6NextHop) return { ok: false, refusal: "ipv4-next-hop-for-ipv6", nextHop: given };
    if (!v6Route && v6NextHop && transport !== undefined && !transport.extendedNextHop) {
      return { ok: false, refusal: "needs-extended-next-hop", nextHop: given };
    }
    return { ok: true, nextHop: given, source: question.explicit !== undefined ? "explicit" : "configured" };
  }
  if (transport === undefined) return OURS_NOT_KNOWN_YET;
  // Our own address serves only for routes of the transport's family (no RFC 8950 self next hop).
  if (v6Route !== transport.ipv6) return NO_NEXT_HOP_FOR_TRANSPORT;
  const local = transport.localAddress;
  if (local === undefined) return OURS_NOT_KNOWN_YET;
  // RFC 2545 §3: the first next hop is a global address; over link-local peering that is one of
  // the interface's, or (unnumbered) the link-local address itself, as FRR and BIRD do.
  const zoneAt = local.indexOf("%");
  const nextHop = zoneAt < 0 ? local : (transport.interfaceGlobal ?? local.slice(0, zoneAt));
  return { ok: true, nextHop, source: "session" };
}
