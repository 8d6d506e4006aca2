import type { Clock } from "../clock.js";
import type { DownReason, FsmState, NegotiatedCapabilities } from "../fsm/types.js";
import type { AddressFamily, RouteRefreshMessage, UpdateMessage } from "../wire/types.js";
import type { TransportSecurity } from "./socket-options.js";

/** The BGP TCP port (RFC 4271), the default of every port option. */
export const BGP_PORT = 179;
/** Default hold time in seconds (the value RFC 4271 §10 suggests). */
export const DEFAULT_HOLD_TIME_SEC = 90;
/** Default ConnectRetry time in seconds. */
export const DEFAULT_CONNECT_RETRY_SEC = 30;

export interface SessionOptions {
  localAsn: number;
  /** Our BGP Identifier, dotted quad. */
  routerId: string;
  /** The peer, IPv4 or IPv6. */
  peerAddress: string;
  peerAsn: number;
  /** Default 179. */
  peerPort?: number;
  /** Bind for the active connect. */
  localAddress?: string;
  /** TCP-MD5 key and TTLs for this peer's sockets (resolveTransportSecurity); none by default. */
  security?: TransportSecurity;
  /** Never connect, only accept. */
  passive?: boolean;
  /** Default 90; 0 = no keepalives and no hold timer. */
  holdTime?: number;
  /** Default 30. */
  connectRetry?: number;
  /** DelayOpen (RFC 4271 §8.1.1); off by default. */
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
   * RFC 9687 Send Hold Time: when nothing queued could be written for this long, the session ends
   * with NOTIFICATION 8 (Send Hold Timer Expired). Default max(480, 2 × negotiated hold time).
   */
  sendHoldTime?: number;
  /** Backpressure cap; exceeding it ends the session with Cease/8 Out of Resources. Default 16 MiB. */
  maxSendQueueBytes?: number;
  /** First IdleHold time before an automatic restart (doubles per flap). Default 1. */
  idleHold?: number;
  /** Cap on the IdleHold backoff. Default 120. */
  idleHoldMax?: number;
  /** An Established session that lasted this long resets the backoff. Default 60. */
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
  establishedAt: number | null;
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
