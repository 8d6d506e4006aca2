import { secondsToMs } from "../clock.js";
import { FsmErrorSubcode, MessageType } from "../wire/constants.js";
import { BgpError } from "../wire/errors.js";
import type { BgpMessage, NotificationMessage } from "../wire/types.js";
import { buildOpen } from "./open.js";
import { connectRetryMs, idleHoldMs, keepaliveMs, LARGE_HOLD_TIME_MS } from "./timers.js";
import type {
  DownReason,
  FsmAction,
  FsmConfig,
  FsmEvent,
  FsmSnapshot,
  FsmState,
  NegotiatedCapabilities,
} from "./types.js";

/** The actions and next snapshot of one FSM step, with the moves every state shares. */
export const EMPTY = new Uint8Array(0);
const ALL_TIMERS = ["ConnectRetry", "DelayOpen", "Hold", "Keepalive"] as const;

export function notification(
  code: number,
  subcode: number,
  data: Uint8Array = EMPTY,
  shutdownMessage?: string,
) {
  const message: NotificationMessage =
    shutdownMessage === undefined
      ? { type: "notification", code, subcode, data }
      : { type: "notification", code, subcode, data, shutdownMessage };
  return message;
}

/** RFC 6608 §3: the FSM Error subcode names the state the unexpected message arrived in. */
function fsmSubcode(state: FsmState): number {
  if (state === "OpenSent") return FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPENSENT;
  if (state === "OpenConfirm") return FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPENCONFIRM;
  if (state === "Established") return FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_ESTABLISHED;
  return FsmErrorSubcode.UNSPECIFIED;
}

/** The message type behind a message event, for the FSM Error data (RFC 6608 §4). */
function messageTypeOf(event: FsmEvent): number | undefined {
  switch (event.type) {
    case "BGPOpen":
      return MessageType.OPEN;
    case "UpdateMsg":
    case "UpdateMsgErr":
      return MessageType.UPDATE;
    case "KeepAliveMsg":
      return MessageType.KEEPALIVE;
    case "RouteRefreshMsg":
      return MessageType.ROUTE_REFRESH;
    case "NotifMsg":
      return MessageType.NOTIFICATION;
    default:
      return undefined;
  }
}

/** Collects actions and the next snapshot for one step. */
export class Step {
  readonly actions: FsmAction[] = [];
  /** The snapshot as this step has changed it so far. */
  snapshot: FsmSnapshot;
  constructor(
    readonly from: FsmSnapshot,
    readonly nowMs: number,
  ) {
    this.snapshot = from;
  }
  get config(): FsmConfig {
    return this.snapshot.config;
  }
  send(message: BgpMessage): void {
    this.actions.push({ type: "send", message });
  }
  start(timer: "ConnectRetry" | "Hold" | "Keepalive" | "DelayOpen" | "IdleHold", ms: number): void {
    this.actions.push({ type: "startTimer", timer, ms });
    if (timer === "DelayOpen") this.snapshot = { ...this.snapshot, delayOpenRunning: true };
  }
  stop(timer: "ConnectRetry" | "Hold" | "Keepalive" | "DelayOpen" | "IdleHold"): void {
    this.actions.push({ type: "stopTimer", timer });
    if (timer === "DelayOpen") this.snapshot = { ...this.snapshot, delayOpenRunning: false };
  }
  startConnectRetry(): void {
    this.start("ConnectRetry", connectRetryMs(this.config));
  }
  to(state: FsmState): void {
    if (state !== this.snapshot.state) {
      this.actions.push({ type: "emit", notice: { kind: "state", from: this.snapshot.state, to: state } });
    }
    this.snapshot = { ...this.snapshot, state };
  }
  /** Send our OPEN and wait for the peer's with the large hold time (OpenSent). */
  sendOpen(): void {
    this.stop("ConnectRetry");
    this.send(buildOpen(this.config));
    this.start("Hold", LARGE_HOLD_TIME_MS);
    this.to("OpenSent");
  }
  /** Start Keepalive and Hold with the negotiated times, or neither when the hold time is 0. */
  armNegotiatedTimers(negotiated: NegotiatedCapabilities): void {
    if (negotiated.holdTime > 0) {
      this.start("Keepalive", keepaliveMs(negotiated.keepaliveTime, this.config.random));
      this.start("Hold", secondsToMs(negotiated.holdTime));
    } else {
      // RFC 4271 §4.4: "If the negotiated Hold Time interval is zero, then periodic KEEPALIVE messages MUST NOT be sent."
      this.stop("Keepalive");
      this.stop("Hold");
    }
  }
  /** Restart the KeepaliveTimer with the negotiated hold time; never when it is 0. */
  restartKeepalive(): void {
    const negotiated = this.snapshot.negotiated;
    if (negotiated !== null && negotiated.holdTime > 0) {
      this.start("Keepalive", keepaliveMs(negotiated.keepaliveTime, this.config.random));
    }
  }
  restartHold(): void {
    const hold = this.snapshot.negotiated?.holdTime ?? 0;
    if (hold > 0) this.start("Hold", secondsToMs(hold));
  }
  /**
   * Leave for Idle: optional NOTIFICATION, stop the timers, drop the connection, report why, and
   * (unless stopped) arm the IdleHoldTimer for the automatic restart.
   */
  down(
    reason: Omit<DownReason, "fromState">,
    opts: { notify?: NotificationMessage; counter: "increment" | "reset" | "keep"; stopped?: boolean },
  ): void {
    const fromState = this.snapshot.state;
    if (opts.notify !== undefined) this.send(opts.notify);
    for (const timer of ALL_TIMERS) this.stop(timer);
    this.actions.push({ type: "disconnect" });
    const counter =
      opts.counter === "reset"
        ? 0
        : this.snapshot.connectRetryCounter + (opts.counter === "increment" ? 1 : 0);
    const stablePeriodMs = secondsToMs(this.config.stablePeriod);
    const stable =
      this.snapshot.establishedAtMs !== null && this.nowMs - this.snapshot.establishedAtMs >= stablePeriodMs;
    const flapCount = stable ? 1 : this.snapshot.flapCount + 1;
    const running = this.snapshot.running && opts.stopped !== true;
    this.to("Idle");
    this.snapshot = {
      ...this.snapshot,
      connectRetryCounter: counter,
      negotiated: null,
      establishedAtMs: null,
      flapCount,
      running,
      delayOpenRunning: false,
    };
    this.actions.push({ type: "emit", notice: { kind: "down", reason: { ...reason, fromState } } });
    if (running && this.config.autoRestart) this.start("IdleHold", idleHoldMs(this.config, flapCount));
  }
  /** Send the NOTIFICATION a BgpError describes, then go down. */
  fail(error: BgpError): void {
    const notify = notification(error.code, error.subcode, error.data);
    this.down(
      {
        kind: "notification-sent",
        code: error.code,
        subcode: error.subcode,
        data: error.data,
        message: error.message,
      },
      { notify, counter: "increment" },
    );
  }
  /** RFC 6608: an event the state does not expect. Messages carry their type in the data. */
  unexpected(event: FsmEvent): void {
    const type = messageTypeOf(event);
    this.fail(
      BgpError.fsmError(
        fsmSubcode(this.snapshot.state),
        type,
        `unexpected ${event.type} in ${this.snapshot.state}`,
      ),
    );
  }
}
