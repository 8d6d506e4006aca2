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

/**
 * The six states of RFC 4271 §8.2.2.
 * @category State machine
 */
export type FsmState = "Idle" | "Connect" | "Active" | "OpenSent" | "OpenConfirm" | "Established";

/**
 * The timers of RFC 4271 §8 (IdleHold is the one DampPeerOscillations uses, §8.1.1).
 * @category State machine
 */
export type TimerName = "ConnectRetry" | "Hold" | "Keepalive" | "DelayOpen" | "IdleHold";

/**
 * The events of RFC 4271 §8.1, with their numbers. Message events carry the decoded message or
 * the BgpError the decoder threw; a BGPOpen received while the DelayOpenTimer runs (event 20)
 * is told apart by the machine itself, so the session only ever sends "BGPOpen".
 * @category State machine
 */
export type FsmEvent =
  | {
      /** Event 1: the user starts the session. */
      readonly type: "ManualStart";
    }
  | {
      /** Event 2: the user stops the session; a Cease NOTIFICATION goes out if one can. */
      readonly type: "ManualStop";
      /** Cease subcode to send (default 2, Administrative Shutdown). */
      readonly subcode?: number;
      /** RFC 9003 shutdown communication to send with it. */
      readonly shutdownMessage?: string;
    }
  | {
      /** Event 3: the session restarts by itself (after IdleHold). */
      readonly type: "AutomaticStart";
    }
  | {
      /** Event 4: the user starts the session, waiting for the peer to connect. */
      readonly type: "ManualStart_with_PassiveTcpEstablishment";
    }
  | {
      /** Event 5: an automatic start, waiting for the peer to connect. */
      readonly type: "AutomaticStart_with_PassiveTcpEstablishment";
    }
  | {
      /** Event 8: the session stops because of a local fault (e.g. out of resources); sends a Cease. */
      readonly type: "AutomaticStop";
      /** The NOTIFICATION to send. */
      readonly error: BgpError;
    }
  | {
      /** Event 9. */
      readonly type: "ConnectRetryTimer_Expires";
    }
  | {
      /** Event 10: nothing heard from the peer for the hold time. */
      readonly type: "HoldTimer_Expires";
    }
  | {
      /** Event 11: time to send a KEEPALIVE. */
      readonly type: "KeepaliveTimer_Expires";
    }
  | {
      /** Event 12: send the OPEN we held back. */
      readonly type: "DelayOpenTimer_Expires";
    }
  | {
      /** Event 13: the backoff after a flap is over; an automatic restart follows. */
      readonly type: "IdleHoldTimer_Expires";
    }
  | {
      /** Event 14: an incoming connection from a configured peer. */
      readonly type: "TcpConnection_Valid";
    }
  | {
      /** Event 16: our outbound connection completed. */
      readonly type: "Tcp_CR_Acked";
    }
  | {
      /** Event 17: an inbound connection was accepted. */
      readonly type: "TcpConnectionConfirmed";
    }
  | {
      /** Event 18: the connection failed or closed. */
      readonly type: "TcpConnectionFails";
      /** The socket error, when there was one. */
      readonly error?: Error;
    }
  | {
      /** Event 19 (or 20, while the DelayOpenTimer runs): a valid OPEN arrived. */
      readonly type: "BGPOpen";
      /** The decoded OPEN. */
      readonly open: OpenMessage;
    }
  | {
      /** Event 21: a message header was malformed. */
      readonly type: "BGPHeaderErr";
      /** What the decoder threw; its NOTIFICATION is sent. */
      readonly error: BgpError;
    }
  | {
      /** Event 22: an OPEN was malformed. */
      readonly type: "BGPOpenMsgErr";
      /** What the decoder threw; its NOTIFICATION is sent. */
      readonly error: BgpError;
    }
  | {
      /** Event 23: this connection lost a collision and is dropped with a Cease. */
      readonly type: "OpenCollisionDump";
    }
  | {
      /** Events 24 (version error) and 25: the peer sent a NOTIFICATION. */
      readonly type: "NotifMsg";
      /** The decoded NOTIFICATION. */
      readonly notification: NotificationMessage;
    }
  | {
      /** Event 26: a KEEPALIVE arrived. */
      readonly type: "KeepAliveMsg";
    }
  | {
      /** Event 27: a valid UPDATE arrived. */
      readonly type: "UpdateMsg";
      /** The decoded UPDATE (possibly with RFC 7606 problems short of a reset). */
      readonly update: UpdateMessage;
    }
  | {
      /** Event 28: an UPDATE was malformed enough to reset the session. */
      readonly type: "UpdateMsgErr";
      /** What the decoder threw; its NOTIFICATION is sent. */
      readonly error: BgpError;
    }
  | {
      /** A ROUTE-REFRESH arrived (RFC 2918; no RFC 4271 event number). */
      readonly type: "RouteRefreshMsg";
      /** The decoded ROUTE-REFRESH. */
      readonly routeRefresh: RouteRefreshMessage;
    }
  | {
      /** No RFC number: the session wrote an UPDATE, which restarts the KeepaliveTimer (§8.2.2). */
      readonly type: "UpdateSent";
    };

/** The `type` of each event. */
export type FsmEventType = FsmEvent["type"];

/**
 * Why a session left for Idle.
 * @category State machine
 */
export interface DownReason {
  /** How it ended: a NOTIFICATION either way, the hold timer, the TCP connection, a stop, or a lost collision. */
  readonly kind:
    | "notification-sent"
    | "notification-received"
    | "hold-timer-expired"
    | "tcp-error"
    | "tcp-closed"
    | "stopped"
    | "collision";
  /** The NOTIFICATION's error code, when one was sent or received. */
  readonly code?: number;
  /** The NOTIFICATION's subcode, with `code`. */
  readonly subcode?: number;
  /** The NOTIFICATION's data field, with `code`. */
  readonly data?: Uint8Array;
  /** The RFC 9003 shutdown communication it carried, if any. */
  readonly shutdownMessage?: string;
  /** What happened, in words, for logs: names the NOTIFICATION as the RFC does. */
  readonly message: string;
  /** The state the session was in when it went down. */
  readonly fromState: FsmState;
  /**
   * Set when the peer announced Graceful Restart (RFC 4724) and the session ended without a
   * NOTIFICATION: the receiving speaker keeps the peer's routes, marked stale, for this long.
   */
  readonly gracefulRestart?: {
    /** Seconds the peer asked its routes be kept. */
    readonly restartTimeSec: number;
  };
}

/**
 * What the two OPENs agreed, as plain data.
 * @category State machine
 */
export interface NegotiatedCapabilities {
  /** The peer's AS (the 4-octet one when it sent the capability). */
  readonly peerAsn: number;
  /** The peer's BGP Identifier, dotted quad. */
  readonly peerBgpIdentifier: string;
  /** min(ours, theirs); 0 means no keepalives and no hold timer. */
  readonly holdTime: number;
  /** Seconds between our KEEPALIVEs: a third of the hold time, rounded down (before jitter). */
  readonly keepaliveTime: number;
  /** Families both sides announced (an OPEN without Multiprotocol capabilities implies IPv4 unicast). */
  readonly families: readonly AddressFamily[];
  /** Both sides announced 4-octet AS numbers (RFC 6793). */
  readonly fourOctetAs: boolean;
  /** The peer announced route refresh (RFC 2918), so we may send it ROUTE-REFRESH. */
  readonly routeRefresh: boolean;
  /** The peer announced enhanced route refresh (RFC 7313). */
  readonly enhancedRouteRefresh: boolean;
  /** Both sides announced RFC 8654 extended messages. */
  readonly extendedMessage: boolean;
  /** Families whose routes may carry an IPv6 next hop (RFC 8950), announced by both sides. */
  readonly extendedNextHop: readonly AddressFamily[];
  /** The peer's Graceful Restart capability (we are the receiving speaker), or null. */
  readonly gracefulRestart: {
    /** Seconds the peer asks its routes be kept after a session drops. */
    readonly restartTimeSec: number;
    /** R bit: the peer has just restarted. */
    readonly restarting: boolean;
    /** The families whose routes the peer keeps across a restart. */
    readonly families: readonly {
      /** A family whose routes the peer keeps across a restart. */
      readonly family: AddressFamily;
      /** F bit: the peer kept forwarding for this family through its restart. */
      readonly forwardingPreserved: boolean;
    }[];
  } | null;
  /** ADD-PATH directions in use per family (RFC 7911). */
  readonly addPath: readonly {
    /** The address family these ADD-PATH directions apply to. */
    readonly family: AddressFamily;
    /** We send several paths per prefix to the peer. */
    readonly send: boolean;
    /** The peer sends several paths per prefix to us. */
    readonly receive: boolean;
  }[];
  /** How we encode what we send. */
  readonly sendContext: CodecContext;
  /** How we decode what we receive. */
  readonly receiveContext: CodecContext;
}

/**
 * Everything the FSM emits to the outside world.
 * @category State machine
 */
export type FsmNotice =
  | {
      /** The state changed. */
      readonly kind: "state";
      /** The state before. */
      readonly from: FsmState;
      /** The state after. */
      readonly to: FsmState;
    }
  | {
      /** The session reached Established. */
      readonly kind: "established";
      /** What the two OPENs agreed. */
      readonly negotiated: NegotiatedCapabilities;
    }
  | {
      /** The session went down (to Idle). */
      readonly kind: "down";
      /** Why it went down: a NOTIFICATION, the hold timer, TCP, a stop, or a lost collision. */
      readonly reason: DownReason;
    }
  | {
      /** An UPDATE arrived in Established. */
      readonly kind: "update";
      /** The decoded UPDATE. */
      readonly update: UpdateMessage;
    }
  | {
      /** A ROUTE-REFRESH arrived in Established. */
      readonly kind: "route-refresh";
      /** The decoded ROUTE-REFRESH. */
      readonly routeRefresh: RouteRefreshMessage;
    };

/**
 * Actions are data: the session performs them in order.
 * @category State machine
 */
export type FsmAction =
  | {
      /** Write a message to the connection. */
      readonly type: "send";
      /** The message to encode and write. */
      readonly message: BgpMessage;
    }
  | {
      /** Start (or restart) a timer; when it fires, feed the matching `…_Expires` event. */
      readonly type: "startTimer";
      /** Which RFC 4271 timer to start. */
      readonly timer: TimerName;
      /** Its duration in milliseconds, jitter already applied. */
      readonly ms: number;
    }
  | {
      /** Stop a timer if it runs. */
      readonly type: "stopTimer";
      /** Which RFC 4271 timer to stop. */
      readonly timer: TimerName;
    }
  | {
      /** Initiate an outbound TCP connection. */
      readonly type: "connect";
    }
  | {
      /** Flush what was sent, then close the TCP connection and release its resources. */
      readonly type: "disconnect";
    }
  | {
      /** Tell the user something happened. */
      readonly type: "emit";
      /** The notice: a state change, Established, down, or a received UPDATE or ROUTE-REFRESH. */
      readonly notice: FsmNotice;
    };

/**
 * One session's settings, as the state machine reads them. Times are in seconds.
 * @category State machine
 */
export interface FsmConfig {
  /** Our AS number, 1–4294967295. */
  readonly localAsn: number;
  /** Our BGP Identifier, dotted quad. */
  readonly routerId: string;
  /** The AS number the peer must have. */
  readonly peerAsn: number;
  /** Hold time we propose: 0 (no keepalives) or 3–65535. */
  readonly holdTime: number;
  /** ConnectRetry time: how long to wait before trying to connect again. */
  readonly connectRetry: number;
  /** 0 disables DelayOpen (RFC 4271 §8.1.1 DelayOpen attribute). */
  readonly delayOpen: number;
  /** Never initiate a connection (PassiveTcpEstablishment). */
  readonly passive: boolean;
  /** Families we announce in the OPEN. */
  readonly families: readonly AddressFamily[];
  /** Families the peer must announce, else 2/7 Unsupported Capability. */
  readonly requiredFamilies: readonly AddressFamily[];
  /** ADD-PATH (RFC 7911) we offer, per family and direction. */
  readonly addPath: readonly {
    /** The address family these ADD-PATH directions apply to. */
    readonly family: AddressFamily;
    /** We can send several paths per prefix. */
    readonly send: boolean;
    /** We accept several paths per prefix. */
    readonly receive: boolean;
  }[];
  /** Announce RFC 8654 extended messages (up to 65535 octets). */
  readonly extendedMessage: boolean;
  /** Announce RFC 8950 extended next hop for IPv4 unicast (IPv6 next hops); default off. */
  readonly extendedNextHop?: boolean;
  /** Announce Graceful Restart as a receiving speaker (R=0, no families' F bits), or not. */
  readonly gracefulRestart:
    | {
        /** Seconds we ask the peer to keep our routes after a session drops (0–4095). */
        readonly restartTimeSec: number;
      }
    | false;
  /** The first IdleHold time before an automatic restart; doubles per flap up to the cap. */
  readonly idleHold: number;
  /** The cap on the IdleHold backoff. */
  readonly idleHoldMax: number;
  /** An Established session that lasted this long resets the IdleHold backoff. */
  readonly stablePeriod: number;
  /** Restart automatically (IdleHoldTimer, then AutomaticStart) after going down. */
  readonly autoRestart: boolean;
  /** Uniform in [0, 1): the jitter source (injected so tests are deterministic). */
  readonly random: () => number;
}

/**
 * The whole state of one connection's FSM; step() returns a new one.
 * @category State machine
 */
export interface FsmSnapshot {
  /** The RFC 4271 state. */
  readonly state: FsmState;
  /** The settings the machine was built with. */
  readonly config: FsmConfig;
  /** ConnectRetryCounter (RFC 4271 §8): connection attempts that failed since the last start. */
  readonly connectRetryCounter: number;
  /** The DelayOpenTimer is running (to tell event 19 from 20). */
  readonly delayOpenRunning: boolean;
  /** Started and not manually stopped: goes back up by itself after a failure. */
  readonly running: boolean;
  /** What the OPENs agreed, from OpenConfirm on; null before. */
  readonly negotiated: NegotiatedCapabilities | null;
  /** The `now` (ms) of the step that reached Established; null until then. */
  readonly establishedAtMs: number | null;
  /** Consecutive flaps since the last stable period (drives the IdleHold backoff). */
  readonly flapCount: number;
}

/**
 * The result of one `step`: the next snapshot and what to do, in order.
 * @category State machine
 */
export interface FsmStep {
  /** The snapshot to pass to the next `step`. */
  readonly state: FsmSnapshot;
  /** The actions for the caller to run, in order. */
  readonly actions: readonly FsmAction[];
}
