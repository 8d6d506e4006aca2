import type { BgpError } from "../wire/errors.js";
import type {
  AddressFamily,
  BgpMessage,
  CodecContext,
  NotificationMessage,
  OpenMessage,
  RouteRefreshMessage,
  UpdateMessage,
} from "../wire/types.js";

/** The six states of RFC 4271 §8.2.2. */
export type FsmState = "Idle" | "Connect" | "Active" | "OpenSent" | "OpenConfirm" | "Established";

/** The timers of RFC 4271 §8 (IdleHold is the one DampPeerOscillations uses, §8.1.1). */
export type TimerName = "ConnectRetry" | "Hold" | "Keepalive" | "DelayOpen" | "IdleHold";

/**
 * The events of RFC 4271 §8.1, with their numbers. Message events carry the decoded message or
 * the BgpError the decoder threw; a BGPOpen received while the DelayOpenTimer runs (event 20)
 * is told apart by the machine itself, so the session only ever sends "BGPOpen".
 */
export type FsmEvent =
  | { readonly type: "ManualStart" } // 1
  | { readonly type: "ManualStop"; readonly subcode?: number; readonly shutdownMessage?: string } // 2
  | { readonly type: "AutomaticStart" } // 3
  | { readonly type: "ManualStart_with_PassiveTcpEstablishment" } // 4
  | { readonly type: "AutomaticStart_with_PassiveTcpEstablishment" } // 5
  | { readonly type: "AutomaticStop"; readonly error: BgpError } // 8 (local resource trouble: Cease)
  | { readonly type: "ConnectRetryTimer_Expires" } // 9
  | { readonly type: "HoldTimer_Expires" } // 10
  | { readonly type: "KeepaliveTimer_Expires" } // 11
  | { readonly type: "DelayOpenTimer_Expires" } // 12
  | { readonly type: "IdleHoldTimer_Expires" } // 13
  | { readonly type: "TcpConnection_Valid" } // 14
  | { readonly type: "Tcp_CR_Acked" } // 16 (our outbound connect completed)
  | { readonly type: "TcpConnectionConfirmed" } // 17 (an inbound connection was accepted)
  | { readonly type: "TcpConnectionFails"; readonly error?: Error } // 18
  | { readonly type: "BGPOpen"; readonly open: OpenMessage } // 19 (and 20 with DelayOpen running)
  | { readonly type: "BGPHeaderErr"; readonly error: BgpError } // 21
  | { readonly type: "BGPOpenMsgErr"; readonly error: BgpError } // 22
  | { readonly type: "OpenCollisionDump" } // 23
  | { readonly type: "NotifMsg"; readonly notification: NotificationMessage } // 24 (version error) and 25
  | { readonly type: "KeepAliveMsg" } // 26
  | { readonly type: "UpdateMsg"; readonly update: UpdateMessage } // 27
  | { readonly type: "UpdateMsgErr"; readonly error: BgpError } // 28
  | { readonly type: "RouteRefreshMsg"; readonly routeRefresh: RouteRefreshMessage } // RFC 2918, no number
  /** Internal, no number: the session wrote an UPDATE, which restarts the KeepaliveTimer (§8.2.2). */
  | { readonly type: "UpdateSent" };

export type FsmEventType = FsmEvent["type"];

/** Why a session left for Idle. */
export interface DownReason {
  readonly kind:
    | "notification-sent"
    | "notification-received"
    | "hold-timer-expired"
    | "tcp-error"
    | "tcp-closed"
    | "stopped"
    | "collision";
  readonly code?: number;
  readonly subcode?: number;
  readonly data?: Uint8Array;
  readonly shutdownMessage?: string;
  readonly message: string;
  /** The state the session was in when it went down. */
  readonly fromState: FsmState;
  /**
   * Set when the peer announced Graceful Restart (RFC 4724) and the session ended without a
   * NOTIFICATION: the receiving speaker keeps the peer's routes, marked stale, for this long.
   */
  readonly gracefulRestart?: { readonly restartTimeSec: number };
}

/** What the two OPENs agreed, as plain data. */
export interface NegotiatedCapabilities {
  /** The peer's AS (the 4-octet one when it sent the capability). */
  readonly peerAsn: number;
  readonly peerBgpIdentifier: string;
  /** min(ours, theirs); 0 means no keepalives and no hold timer. */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  /** Families both sides announced (an OPEN without Multiprotocol capabilities implies IPv4 unicast). */
  readonly families: readonly AddressFamily[];
  readonly fourOctetAs: boolean;
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  /** Both sides announced RFC 8654 extended messages. */
  readonly extendedMessage: boolean;
  /** Families whose routes may carry an IPv6 next hop (RFC 8950), announced by both sides. */
  readonly extendedNextHop: readonly AddressFamily[];
  /** The peer's Graceful Restart capability (we are the receiving speaker), or null. */
  readonly gracefulRestart: {
    readonly restartTimeSec: number;
    readonly restarting: boolean;
    readonly families: readonly { readonly family: AddressFamily; readonly forwardingPreserved: boolean }[];
  } | null;
  /** ADD-PATH directions in use per family (RFC 7911). */
  readonly addPath: readonly {
    readonly family: AddressFamily;
    readonly send: boolean;
    readonly receive: boolean;
  }[];
  /** How we encode what we send, and decode what we receive. */
  readonly sendContext: CodecContext;
  readonly receiveContext: CodecContext;
}

/** Everything the FSM emits to the outside world. */
export type FsmNotice =
  | { readonly kind: "state"; readonly from: FsmState; readonly to: FsmState }
  | { readonly kind: "established"; readonly negotiated: NegotiatedCapabilities }
  | { readonly kind: "down"; readonly reason: DownReason }
  | { readonly kind: "update"; readonly update: UpdateMessage }
  | { readonly kind: "route-refresh"; readonly routeRefresh: RouteRefreshMessage };

/** Actions are data: the session performs them in order. */
export type FsmAction =
  | { readonly type: "send"; readonly message: BgpMessage }
  | { readonly type: "startTimer"; readonly timer: TimerName; readonly ms: number }
  | { readonly type: "stopTimer"; readonly timer: TimerName }
  /** Initiate an outbound TCP connection. */
  | { readonly type: "connect" }
  /** Flush what was sent, then close the TCP connection and release its resources. */
  | { readonly type: "disconnect" }
  | { readonly type: "emit"; readonly notice: FsmNotice };

export interface FsmConfig {
  readonly localAsn: number;
  /** Our BGP Identifier, dotted quad. */
  readonly routerId: string;
  readonly peerAsn: number;
  readonly holdTime: number;
  readonly connectRetry: number;
  /** 0 disables DelayOpen (RFC 4271 §8.1.1 DelayOpen attribute). */
  readonly delayOpen: number;
  /** Never initiate a connection (PassiveTcpEstablishment). */
  readonly passive: boolean;
  readonly families: readonly AddressFamily[];
  /** Families the peer must announce, else 2/7 Unsupported Capability. */
  readonly requiredFamilies: readonly AddressFamily[];
  readonly addPath: readonly {
    readonly family: AddressFamily;
    readonly send: boolean;
    readonly receive: boolean;
  }[];
  readonly extendedMessage: boolean;
  /** Announce RFC 8950 extended next hop for IPv4 unicast (IPv6 next hops); default off. */
  readonly extendedNextHop?: boolean;
  /** Announce Graceful Restart as a receiving speaker (R=0, no families' F bits), or not. */
  readonly gracefulRestart: { readonly restartTimeSec: number } | false;
  /** The first IdleHold time before an automatic restart; doubles per flap up to the cap. */
  readonly idleHold: number;
  readonly idleHoldMax: number;
  /** An Established session that lasted this long resets the IdleHold backoff. */
  readonly stablePeriod: number;
  /** Restart automatically (IdleHoldTimer, then AutomaticStart) after going down. */
  readonly autoRestart: boolean;
  /** Uniform in [0, 1): the jitter source (injected so tests are deterministic). */
  readonly random: () => number;
}

/** The whole state of one connection's FSM; step() returns a new one. */
export interface FsmSnapshot {
  readonly state: FsmState;
  readonly config: FsmConfig;
  readonly connectRetryCounter: number;
  /** The DelayOpenTimer is running (to tell event 19 from 20). */
  readonly delayOpenRunning: boolean;
  /** Started and not manually stopped: goes back up by itself after a failure. */
  readonly running: boolean;
  readonly negotiated: NegotiatedCapabilities | null;
  readonly establishedAtMs: number | null;
  /** Consecutive flaps since the last stable period (drives the IdleHold backoff). */
  readonly flapCount: number;
}

export interface FsmStep {
  readonly state: FsmSnapshot;
  readonly actions: readonly FsmAction[];
}
