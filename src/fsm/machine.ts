import { secondsToMs } from "../clock.js";
import { CeaseSubcode, ErrorCode, OpenErrorSubcode } from "../wire/constants.js";
import { BgpError } from "../wire/errors.js";
import type { OpenMessage } from "../wire/types.js";
import { negotiate } from "./negotiate.js";
import { buildOpen, validateOpen } from "./open.js";
import { EMPTY, notification, Step } from "./step.js";
import type { FsmConfig, FsmEvent, FsmSnapshot, FsmStep } from "./types.js";

/**
 * A fresh FSM in Idle.
 * @category State machine
 */
export function initialSnapshot(config: FsmConfig): FsmSnapshot {
  return {
    state: "Idle",
    config,
    connectRetryCounter: 0,
    delayOpenRunning: false,
    running: false,
    negotiated: null,
    establishedAtMs: null,
    flapCount: 0,
  };
}

/**
 * The RFC 4271 §8.2.2 machine: one event in, the next snapshot and the actions out. Pure.
 * @category State machine
 */
export function step(snapshot: FsmSnapshot, event: FsmEvent, nowMs: number): FsmStep {
  const transition = new Step(snapshot, nowMs);
  handle(transition, event);
  return { state: transition.snapshot, actions: transition.actions };
}

function handle(transition: Step, event: FsmEvent): void {
  const state = transition.snapshot.state;
  // Events that every non-Idle state handles the same way.
  if (state !== "Idle") {
    switch (event.type) {
      case "ManualStart":
      case "AutomaticStart":
      case "ManualStart_with_PassiveTcpEstablishment":
      case "AutomaticStart_with_PassiveTcpEstablishment":
        return; // "Any start event (Events 1, 3-7) is ignored"
      case "ManualStop": {
        const subcode = event.subcode ?? CeaseSubcode.ADMINISTRATIVE_SHUTDOWN;
        // Connect/Active: "If the DelayOpenTimer is running and the SendNOTIFICATIONwithoutOPEN
        // session attribute is set, the local system sends a NOTIFICATION with a Cease". The
        // DelayOpenTimer only runs there while a connection is up, so we read the attribute as
        // set: the peer learns why we close instead of seeing a bare FIN.
        const sent =
          state === "OpenSent" ||
          state === "OpenConfirm" ||
          state === "Established" ||
          transition.snapshot.delayOpenRunning;
        // "sends the NOTIFICATION with a Cease, ... sets the ConnectRetryCounter to zero"
        transition.down(
          {
            kind: "stopped",
            code: ErrorCode.CEASE,
            subcode,
            ...(event.shutdownMessage === undefined ? {} : { shutdownMessage: event.shutdownMessage }),
            message: event.shutdownMessage ?? "stopped",
          },
          {
            ...(sent ? { notify: notification(ErrorCode.CEASE, subcode, EMPTY, event.shutdownMessage) } : {}),
            counter: "reset",
            stopped: true,
          },
        );
        return;
      }
      case "NotifMsg": {
        const n = event.notification;
        // Event 24 (NotifMsgVerErr) and 25: the peer closes the connection after a NOTIFICATION,
        // so none is sent back (RFC 4271 §4.5: "the BGP connection is closed immediately after it is sent").
        const versionError =
          n.code === ErrorCode.OPEN_MESSAGE && n.subcode === OpenErrorSubcode.UNSUPPORTED_VERSION_NUMBER;
        transition.down(
          {
            kind: "notification-received",
            code: n.code,
            subcode: n.subcode,
            data: n.data,
            ...(n.shutdownMessage === undefined ? {} : { shutdownMessage: n.shutdownMessage }),
            message: `peer sent NOTIFICATION ${n.code}/${n.subcode}${n.shutdownMessage ? `: ${n.shutdownMessage}` : ""}`,
          },
          { counter: versionError ? "keep" : "increment" },
        );
        return;
      }
      case "OpenCollisionDump": {
        const subcode = CeaseSubcode.CONNECTION_COLLISION_RESOLUTION;
        const sent = state === "OpenSent" || state === "OpenConfirm" || state === "Established";
        transition.down(
          { kind: "collision", code: ErrorCode.CEASE, subcode, message: "connection collision resolution" },
          { ...(sent ? { notify: notification(ErrorCode.CEASE, subcode) } : {}), counter: "increment" },
        );
        return;
      }
      case "AutomaticStop":
        transition.fail(event.error);
        return;
      case "UpdateSent":
        // The session only sends UPDATEs in Established; one that raced a state change is moot.
        if (state !== "Established") return;
        break;
      case "BGPHeaderErr":
      case "BGPOpenMsgErr":
        // RFC 4271 §6.1/§6.2: the NOTIFICATION names the error found (in Established too, where
        // §8.2.2 lists these events under FSM Error; the header error is the more useful report).
        transition.fail(event.error);
        return;
      default:
        break;
    }
  }
  switch (state) {
    case "Idle":
      idle(transition, event);
      return;
    case "Connect":
    case "Active":
      connectOrActive(transition, event);
      return;
    case "OpenSent":
      openSent(transition, event);
      return;
    case "OpenConfirm":
      openConfirm(transition, event);
      return;
    case "Established":
      established(transition, event);
      return;
    default: {
      const never: never = state;
      throw new Error(`unknown state ${String(never)}`);
    }
  }
}

function idle(transition: Step, event: FsmEvent): void {
  const passive =
    event.type === "ManualStart_with_PassiveTcpEstablishment" ||
    event.type === "AutomaticStart_with_PassiveTcpEstablishment" ||
    transition.config.passive;
  switch (event.type) {
    case "ManualStart":
    case "ManualStart_with_PassiveTcpEstablishment":
    case "AutomaticStart":
    case "AutomaticStart_with_PassiveTcpEstablishment":
    case "IdleHoldTimer_Expires": {
      if (event.type === "IdleHoldTimer_Expires" && !transition.snapshot.running) return;
      const manual = event.type.startsWith("ManualStart");
      transition.snapshot = {
        ...transition.snapshot,
        running: true,
        connectRetryCounter: manual ? 0 : transition.snapshot.connectRetryCounter,
      };
      if (manual) transition.stop("IdleHold");
      // "starts the ConnectRetryTimer with the initial value, initiates a TCP connection to the
      // other BGP peer, listens for a connection ..., and changes its state to Connect."
      transition.startConnectRetry();
      if (passive) {
        // "listens for a connection that may be initiated by the remote peer, and changes its state to Active."
        transition.to("Active");
      } else {
        transition.actions.push({ type: "connect" });
        transition.to("Connect");
      }
      return;
    }
    case "ManualStop":
      // Ignored by RFC 4271 in Idle; here it also cancels a pending automatic restart.
      transition.snapshot = { ...transition.snapshot, running: false, connectRetryCounter: 0 };
      transition.stop("IdleHold");
      return;
    case "TcpConnection_Valid":
    case "Tcp_CR_Acked":
    case "TcpConnectionConfirmed":
      // "the BGP FSM ... refuses all incoming BGP connections" while Idle.
      transition.actions.push({ type: "disconnect" });
      return;
    default:
      // "Any other event (Events 9-12, 15-28) received in the Idle state does not cause change in the state".
      return;
  }
}

function connectOrActive(transition: Step, event: FsmEvent): void {
  const state = transition.snapshot.state;
  switch (event.type) {
    case "ConnectRetryTimer_Expires":
      transition.stop("DelayOpen");
      transition.startConnectRetry();
      if (transition.config.passive) {
        transition.to("Active"); // passive: keep listening only
        return;
      }
      // Connect: "drops the TCP connection, restarts the ConnectRetryTimer, ... initiates a TCP
      // connection"; Active: "initiates a TCP connection ... and changes its state to Connect".
      if (state === "Connect") transition.actions.push({ type: "disconnect" });
      transition.actions.push({ type: "connect" });
      transition.to("Connect");
      return;
    case "DelayOpenTimer_Expires":
      transition.snapshot = { ...transition.snapshot, delayOpenRunning: false };
      transition.sendOpen();
      return;
    case "TcpConnection_Valid":
      return;
    case "Tcp_CR_Acked":
    case "TcpConnectionConfirmed":
      if (transition.config.delayOpen > 0) {
        // "stops the ConnectRetryTimer ..., sets the DelayOpenTimer to the initial value, and stays in the Connect state"
        transition.stop("ConnectRetry");
        transition.start("DelayOpen", secondsToMs(transition.config.delayOpen));
        return;
      }
      transition.sendOpen();
      return;
    case "TcpConnectionFails":
      if (state === "Connect" && transition.snapshot.delayOpenRunning) {
        transition.startConnectRetry();
        transition.stop("DelayOpen");
        transition.to("Active");
        return;
      }
      transition.down(
        {
          kind: event.error ? "tcp-error" : "tcp-closed",
          message: event.error?.message ?? "connection failed",
        },
        { counter: state === "Connect" ? "keep" : "increment" },
      );
      return;
    case "BGPOpen":
      if (transition.snapshot.delayOpenRunning) {
        // Event 20: "BGPOpen with DelayOpenTimer running": send our OPEN and a KEEPALIVE, go to OpenConfirm.
        transition.stop("ConnectRetry");
        transition.stop("DelayOpen");
        openReceived(transition, event.open, true);
        return;
      }
      transition.unexpected(event);
      return;
    default:
      // "In response to any other event ..., releases all BGP resources, ... increments the
      // ConnectRetryCounter by 1 ... and changes its state to Idle." Messages before our OPEN.
      transition.unexpected(event);
      return;
  }
}

/** A valid OPEN: negotiate, send KEEPALIVE (and our OPEN first when DelayOpen held it), arm timers, OpenConfirm. */
function openReceived(transition: Step, peer: OpenMessage, sendOurOpen: boolean): void {
  try {
    validateOpen(peer, transition.config);
  } catch (error) {
    if (error instanceof BgpError) {
      if (sendOurOpen) transition.send(buildOpen(transition.config)); // a NOTIFICATION is only understood after an OPEN
      transition.fail(error);
      return;
    }
    throw error;
  }
  const local = buildOpen(transition.config);
  const negotiated = negotiate(local, peer, transition.config);
  if (sendOurOpen) transition.send(local);
  transition.send({ type: "keepalive" });
  transition.armNegotiatedTimers(negotiated);
  transition.snapshot = { ...transition.snapshot, negotiated };
  transition.to("OpenConfirm");
}

function openSent(transition: Step, event: FsmEvent): void {
  switch (event.type) {
    case "HoldTimer_Expires":
      transition.fail(BgpError.holdTimerExpired());
      return;
    case "TcpConnection_Valid":
    case "Tcp_CR_Acked":
    case "TcpConnectionConfirmed":
      return; // a second connection: the session runs collision detection (§6.8)
    case "TcpConnectionFails":
      // "closes the BGP connection, restarts the ConnectRetryTimer, continues to listen for a
      // connection that may be initiated by the remote BGP peer, and changes its state to Active."
      transition.stop("Hold");
      transition.actions.push({ type: "disconnect" });
      transition.startConnectRetry();
      transition.to("Active");
      return;
    case "BGPOpen":
      transition.stop("DelayOpen");
      transition.stop("ConnectRetry");
      openReceived(transition, event.open, false);
      return;
    default:
      // "In response to any other event (Events 9, 11-13, 20, 25-28), the local system: sends the
      // NOTIFICATION with the Error Code Finite State Machine Error" (RFC 6608 subcode 1 here).
      transition.unexpected(event);
      return;
  }
}

function openConfirm(transition: Step, event: FsmEvent): void {
  switch (event.type) {
    case "HoldTimer_Expires":
      transition.fail(BgpError.holdTimerExpired());
      return;
    case "KeepaliveTimer_Expires":
      transition.send({ type: "keepalive" });
      transition.restartKeepalive();
      return;
    case "TcpConnection_Valid":
    case "Tcp_CR_Acked":
    case "TcpConnectionConfirmed":
      return; // tracked by the session for collision detection
    case "TcpConnectionFails":
      transition.down(
        {
          kind: event.error ? "tcp-error" : "tcp-closed",
          message: event.error?.message ?? "connection closed",
        },
        { counter: "increment" },
      );
      return;
    case "KeepAliveMsg": {
      // "restarts the HoldTimer and changes its state to Established."
      transition.restartHold();
      transition.to("Established");
      transition.snapshot = { ...transition.snapshot, establishedAtMs: transition.nowMs };
      const negotiated = transition.snapshot.negotiated;
      if (negotiated !== null)
        transition.actions.push({ type: "emit", notice: { kind: "established", negotiated } });
      return;
    }
    default:
      transition.unexpected(event); // RFC 6608 subcode 2 (an OPEN, UPDATE or ROUTE-REFRESH here)
      return;
  }
}

function established(transition: Step, event: FsmEvent): void {
  switch (event.type) {
    case "HoldTimer_Expires":
      transition.fail(BgpError.holdTimerExpired());
      return;
    case "KeepaliveTimer_Expires":
      transition.send({ type: "keepalive" });
      transition.restartKeepalive();
      return;
    case "TcpConnection_Valid":
    case "Tcp_CR_Acked":
    case "TcpConnectionConfirmed":
      return;
    case "TcpConnectionFails": {
      const gr = transition.snapshot.negotiated?.gracefulRestart;
      transition.down(
        {
          kind: event.error ? "tcp-error" : "tcp-closed",
          message: event.error?.message ?? "connection closed",
          // RFC 4724 §4.2: "When the Receiving Speaker detects termination of the TCP session for a
          // BGP session with a peer that has advertised the Graceful Restart Capability, it MUST
          // retain the routes received from the peer for all the address families that were
          // previously received in the Graceful Restart Capability and MUST mark them as stale".
          ...(gr == null ? {} : { gracefulRestart: { restartTimeSec: gr.restartTimeSec } }),
        },
        { counter: "increment" },
      );
      return;
    }
    case "KeepAliveMsg":
      transition.restartHold();
      return;
    case "UpdateMsg":
      transition.restartHold();
      transition.actions.push({ type: "emit", notice: { kind: "update", update: event.update } });
      return;
    case "RouteRefreshMsg":
      transition.actions.push({
        type: "emit",
        notice: { kind: "route-refresh", routeRefresh: event.routeRefresh },
      });
      return;
    case "UpdateSent":
      // "Each time the local system sends a KEEPALIVE or UPDATE message, it restarts its
      // KeepaliveTimer, unless the negotiated HoldTime value is zero."
      transition.restartKeepalive();
      return;
    case "UpdateMsgErr":
      transition.fail(event.error);
      return;
    default:
      transition.unexpected(event); // RFC 6608 subcode 3
      return;
  }
}

/** The FSM event for a BgpError the decoder threw on a received message. */
export function eventForDecodeError(error: BgpError): FsmEvent {
  if (error.code === ErrorCode.MESSAGE_HEADER) return { type: "BGPHeaderErr", error };
  if (error.code === ErrorCode.OPEN_MESSAGE) return { type: "BGPOpenMsgErr", error };
  return { type: "UpdateMsgErr", error };
}
