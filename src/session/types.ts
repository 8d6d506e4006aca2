import type { Clock } from "../clock.js";
import type { DownReason, FsmState, NegotiatedCapabilities } from "../fsm/types.js";
import { ADDRESS_FAMILIES } from "../wire/family.js";
import type { AddressFamily, RouteRefreshMessage, UpdateMessage } from "../wire/types.js";
import type { TransportSecurity } from "./socket-options.js";

/** The BGP TCP port (RFC 4271), the default of every port option. */
export const BGP_PORT = 179;

/**
 * What BgpSession takes for each option left out, under the option's own name: the one place each
 * default is written. The speaker passes its options through by the same names, so these are its
 * defaults too, and the CLI's usage text quotes them. Times are in seconds.
 */
export const SESSION_DEFAULTS = Object.freeze({
  peerPort: BGP_PORT,
  passive: false,
  /** RFC 4271 §10 suggests 90 seconds. */
  holdTime: 90,
  /** Shorter than the 120 seconds RFC 4271 §10 suggests, so a session comes back sooner. */
  connectRetry: 30,
  /** 0: DelayOpen off. */
  delayOpen: 0,
  families: ADDRESS_FAMILIES,
  requiredFamilies: Object.freeze([]),
  addPath: Object.freeze([]),
  extendedMessage: true,
  extendedNextHop: false,
  gracefulRestart: Object.freeze({ restartTimeSec: 120 }),
  maxSendQueueBytes: 16 * 1024 * 1024,
  idleHold: 1,
  idleHoldMax: 120,
  stablePeriod: 60,
} as const satisfies { readonly [K in keyof SessionOptions]?: unknown });

/**
 * The Send Hold Time when none is configured. RFC 9687 §3: "the suggested default ... 8 minutes
 * or twice the negotiated HoldTime, whichever is greater".
 */
export function defaultSendHoldTime(negotiatedHoldTime: number): number {
  return Math.max(480, 2 * negotiatedHoldTime);
}

export interface SessionOptions {
  localAsn: number;
  /** Our BGP Identifier, dotted quad. */
  routerId: string;
  /** The peer, IPv4 or IPv6. */
  peerAddress: string;
  peerAsn: number;
  /** Default 179 (BGP_PORT). */
  peerPort?: number;
  /** Bind for the active connect. */
  localAddress?: string;
  /** TCP-MD5 key and TTLs for this peer's sockets (resolveTransportSecurity); none by default. */
  security?: TransportSecurity;
  /** Never connect, only accept. */
  passive?: boolean;
  /** Hold time we offer, seconds (default 90); 0 = no keepalives and no hold timer. */
  holdTime?: number;
  /** Seconds between outbound connection attempts (default 30). */
  connectRetry?: number;
  /** DelayOpen (RFC 4271 §8.1.1), seconds; 0 (the default) turns it off. */
  delayOpen?: number;
  /** Default ["ipv4-unicast", "ipv6-unicast"]. */
  families?: AddressFamily[];
  /** Families the peer must announce, else 2/7 Unsupported Capability. Default none. */
  requiredFamilies?: AddressFamily[];
  /** ADD-PATH (RFC 7911) per family and direction; default none. */
  addPath?: { family: AddressFamily; send: boolean; receive: boolean }[];
  /** Advertise RFC 8654; default true. */
  extendedMessage?: boolean;
  /** Advertise RFC 8950 extended next hop for IPv4 unicast; default false. */
  extendedNextHop?: boolean;
  /** Advertise GR as a receiving speaker; default { restartTimeSec: 120 }. */
  gracefulRestart?: { restartTimeSec: number } | false;
  /**
   * RFC 9687 Send Hold Time, seconds: when nothing queued could be written for this long, the
   * session ends with NOTIFICATION 8 (Send Hold Timer Expired). Default max(480, 2 × negotiated hold time).
   */
  sendHoldTime?: number;
  /** Backpressure cap; exceeding it ends the session with Cease/8 Out of Resources. Default 16 MiB. */
  maxSendQueueBytes?: number;
  /** First IdleHold time before an automatic restart, seconds (doubles per flap). Default 1. */
  idleHold?: number;
  /** Cap on the IdleHold backoff, seconds. Default 120. */
  idleHoldMax?: number;
  /** An Established session that lasted this many seconds resets the backoff. Default 60. */
  stablePeriod?: number;
  clock?: Clock;
  /** Jitter source, uniform in [0, 1). */
  random?: () => number;
}

/** What the session negotiated, with the transport endpoints. */
export interface NegotiatedSession extends NegotiatedCapabilities {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export interface SessionStats {
  messagesIn: number;
  messagesOut: number;
  updatesIn: number;
  updatesOut: number;
  establishedAtMs: number | null;
  lastError: DownReason | null;
  /** Times an Established session went down. */
  flaps: number;
}

export interface SessionEvents {
  state: (from: FsmState, to: FsmState) => void;
  established: (negotiated: NegotiatedSession) => void;
  down: (reason: DownReason) => void;
  update: (update: UpdateMessage) => void;
  "route-refresh": (routeRefresh: RouteRefreshMessage) => void;
  drain: () => void;
}
