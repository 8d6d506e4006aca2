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

/**
 * Options for `new BgpSession`. Times are in seconds (fractions allowed).
 * @category Sessions
 */
export interface SessionOptions {
  /** Our AS number, 1–4294967295. */
  localAsn: number;
  /** Our BGP Identifier, dotted quad. */
  routerId: string;
  /** The peer, IPv4 or IPv6. */
  peerAddress: string;
  /** The AS number the peer must have; another one fails its OPEN with 2/2 Bad Peer AS. */
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
  addPath?: {
    /** The address family these ADD-PATH directions apply to. */
    family: AddressFamily;
    /** Offer to send several paths per prefix. */
    send: boolean;
    /** Offer to receive several paths per prefix. */
    receive: boolean;
  }[];
  /** Advertise RFC 8654; default true. */
  extendedMessage?: boolean;
  /** Advertise RFC 8950 extended next hop for IPv4 unicast; default false. */
  extendedNextHop?: boolean;
  /** Advertise GR as a receiving speaker; default { restartTimeSec: 120 }. */
  gracefulRestart?:
    | {
        /** Seconds we ask the peer to keep our routes after a session drops (0–4095). */
        restartTimeSec: number;
      }
    | false;
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
  /** The clock timers run on; the real one by default (inject a fake one in tests). */
  clock?: Clock;
  /** Jitter source, uniform in [0, 1). */
  random?: () => number;
}

/**
 * What the session negotiated, with the transport endpoints.
 * @category Sessions
 */
export interface NegotiatedSession extends NegotiatedCapabilities {
  /** Our end of the TCP connection. */
  readonly localAddress: string;
  /** Our TCP port. */
  readonly localPort: number;
  /** The peer's end of the TCP connection. */
  readonly remoteAddress: string;
  /** The peer's TCP port. */
  readonly remotePort: number;
}

/**
 * A session's counters since it was created.
 * @category Sessions
 */
export interface SessionStats {
  /** Messages received, of every type. */
  messagesIn: number;
  /** Messages sent, of every type. */
  messagesOut: number;
  /** UPDATEs received. */
  updatesIn: number;
  /** UPDATEs sent. */
  updatesOut: number;
  /** When the session reached Established (the clock's ms), or null while it is not. */
  establishedAtMs: number | null;
  /** Why the session last went down, or null if it never did. */
  lastError: DownReason | null;
  /** Times an Established session went down. */
  flaps: number;
}

/**
 * The events a `BgpSession` emits, with their listeners' signatures.
 * @category Sessions
 */
export interface SessionEvents {
  /** The FSM changed state. */
  state: (from: FsmState, to: FsmState) => void;
  /** The session reached Established; what was negotiated, with the TCP endpoints. */
  established: (negotiated: NegotiatedSession) => void;
  /** The session went down (to Idle); it restarts by itself unless stopped. */
  down: (reason: DownReason) => void;
  /** An UPDATE arrived in Established. */
  update: (update: UpdateMessage) => void;
  /** A ROUTE-REFRESH arrived in Established. */
  "route-refresh": (routeRefresh: RouteRefreshMessage) => void;
  /** The socket's send buffer drained below its high-water mark: more can be written. */
  drain: () => void;
}
