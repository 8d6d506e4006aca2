/**
 * `PeerStatus`: one peer's state and counters as plain data, for dashboards, health endpoints and
 * the Prometheus registry (which reads it at scrape time), and the pure function that builds it.
 * @module
 */
import type { DownReason, FsmState } from "../fsm/types.js";
import type { SessionStats } from "../session/types.js";
import type { AddressFamily } from "../wire/types.js";
import type { BfdPeerStatus } from "./bfd.js";

/**
 * Plain-data status of one peer, for dashboards and health endpoints.
 * @category Speaker
 */
export interface PeerStatus {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly name: string;
  /** The peer's address, as configured. */
  readonly address: string;
  /** The peer's AS number. */
  readonly asn: number;
  /** The session's RFC 4271 state. */
  readonly state: FsmState;
  /** Milliseconds since the session reached Established, or null when it is not. */
  readonly uptimeMs: number | null;
  /** Times the session reached Established. */
  readonly establishedTransitions: number;
  /** Messages received, of every type (0 while the session is down). */
  readonly messagesIn: number;
  /** Messages sent, of every type (0 while the session is down). */
  readonly messagesOut: number;
  /** UPDATEs received (0 while the session is down). */
  readonly updatesIn: number;
  /** UPDATEs sent (0 while the session is down). */
  readonly updatesOut: number;
  /** Routes held in the Adj-RIB-In from this peer. */
  readonly prefixesIn: number;
  /** Of `prefixesIn`, routes kept stale across the peer's graceful restart (RFC 4724). */
  readonly prefixesStale: number;
  /** Routes this session has announced to the peer. */
  readonly prefixesOut: number;
  /** `prefixesOut` per address family. */
  readonly prefixesOutByFamily: Readonly<Record<AddressFamily, number>>;
  /** Routes waiting to be sent or withdrawn. */
  readonly pendingChanges: number;
  /** UPDATEs whose routes were refused because their AS_PATH holds our AS (RFC 4271 §9.1.2). */
  readonly asLoopsRejected: number;
  /**
   * ROUTE-REFRESH requests folded into a refresh already under way or owed (see REFRESH_BURST):
   * a peer asking faster than the table can be sent costs one walk of it, not one per request.
   */
  readonly refreshesFolded: number;
  /** Families negotiated on the current session; empty while it is down. */
  readonly families: readonly AddressFamily[];
  /** Why the session last went down, or null if it never did. */
  readonly lastError: DownReason | null;
  /** BFD state, detection time and discriminators, or null when the peer runs no BFD. */
  readonly bfd: BfdPeerStatus | null;
}

/** Everything a status is read from, as the peer holds it. */
export interface PeerStatusSources {
  readonly name: string;
  readonly address: string;
  readonly asn: number;
  readonly state: FsmState;
  readonly stats: Readonly<SessionStats>;
  /** The families of the Established session, or null when there is none. */
  readonly families: readonly AddressFamily[] | null;
  readonly ribIn: { readonly size: number; readonly staleCount: number };
  readonly ribOut: {
    readonly sentRoutes: number;
    sentRoutesOf(family: AddressFamily): number;
    readonly pendingCount: number;
  };
  readonly establishedTransitions: number;
  readonly asLoopsRejected: number;
  readonly refreshesFolded: number;
  readonly lastError: DownReason | null;
  readonly bfd: BfdPeerStatus | null;
}

/** The status at `nowMs` (on the clock `stats.establishedAtMs` was read from). */
export function peerStatus(from: PeerStatusSources, nowMs: number): PeerStatus {
  const { stats, ribIn, ribOut } = from;
  const up = from.families !== null;
  return {
    name: from.name,
    address: from.address,
    asn: from.asn,
    state: from.state,
    uptimeMs: up && stats.establishedAtMs !== null ? nowMs - stats.establishedAtMs : null,
    establishedTransitions: from.establishedTransitions,
    messagesIn: stats.messagesIn,
    messagesOut: stats.messagesOut,
    updatesIn: stats.updatesIn,
    updatesOut: stats.updatesOut,
    prefixesIn: ribIn.size,
    prefixesStale: ribIn.staleCount,
    // A session that went down took its routes with it (the count resets when the next comes up).
    prefixesOut: up ? ribOut.sentRoutes : 0,
    prefixesOutByFamily: {
      "ipv4-unicast": up ? ribOut.sentRoutesOf("ipv4-unicast") : 0,
      "ipv6-unicast": up ? ribOut.sentRoutesOf("ipv6-unicast") : 0,
    },
    pendingChanges: ribOut.pendingCount,
    asLoopsRejected: from.asLoopsRejected,
    refreshesFolded: from.refreshesFolded,
    families: from.families ?? [],
    lastError: from.lastError,
    bfd: from.bfd,
  };
}
