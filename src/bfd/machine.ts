import { isMeticulous, verify } from "./auth.js";
import { BfdDiag, type BfdState } from "./constants.js";
import type { BfdAuthKey, BfdControlPacket } from "./types.js";

/**
 * The BFD state machine of RFC 5880 §6.8, single-hop asynchronous mode (RFC 5881), sans-IO: it
 * never reads a clock or touches a socket. Each event comes with `now` (milliseconds) and returns
 * actions as data (send a packet, start or stop a timer, report a notice); the driver
 * (session.ts) runs them on an injectable clock. Echo and Demand modes are not implemented: we
 * never set the D bit and never ask for echo packets (Required Min Echo RX Interval 0).
 *
 * Intervals are microseconds, as on the wire; timers are milliseconds.
 * @module
 */

/** RFC 5880 §6.8.3: "bfd.DesiredMinTxInterval ... MUST be ... not less than one second" while not Up. */
export const SLOW_TX_US = 1_000_000;

/**
 * One BFD session's settings, as the machine reads them.
 * @category BFD
 */
export interface BfdMachineConfig {
  /** bfd.LocalDiscr: nonzero and unique among this system's sessions. */
  readonly localDiscriminator: number;
  /** bfd.DesiredMinTxInterval once Up (µs). */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval (µs). */
  readonly requiredMinRxUs: number;
  /** bfd.DetectMult. */
  readonly detectMult: number;
  /** Authentication (RFC 5880 §6.7); absent means none, and packets with the A bit are refused. */
  readonly auth?: BfdAuthKey;
  /** Uniform in [0, 1): jitter, and the random initial sequence number. */
  readonly random: () => number;
}

/**
 * The machine's two timers: periodic transmission, and the detection time.
 * @category BFD
 */
export type BfdTimerName = "tx" | "detect";

/**
 * What the driver feeds `BfdMachine.handle`, told apart by `type`.
 * @category BFD
 */
export type BfdEvent =
  | {
      /** The session is configured: leave AdminDown for Down and start sending. */
      readonly type: "start";
    }
  | {
      /** The session is unconfigured or administratively disabled: AdminDown (§6.8.16). */
      readonly type: "stop";
    }
  | {
      /** A packet the codec decoded arrived. */
      readonly type: "receive";
      /** The decoded packet. */
      readonly packet: BfdControlPacket;
      /** Its bytes (exactly Length octets), for the digest check. */
      readonly bytes: Uint8Array;
    }
  | {
      /** A timer the machine started has fired. */
      readonly type: "timer";
      /** Which timer fired: "tx" (send the next periodic packet) or "detect" (the neighbor fell silent). */
      readonly timer: BfdTimerName;
    }
  | {
      /** New local parameters; while Up they take effect through a Poll Sequence (§6.8.3). */
      readonly type: "set-intervals";
      /** bfd.DesiredMinTxInterval once Up (µs). */
      readonly desiredMinTxUs: number;
      /** bfd.RequiredMinRxInterval (µs). */
      readonly requiredMinRxUs: number;
      /** bfd.DetectMult. */
      readonly detectMult: number;
    };

/**
 * What the machine reports to the user, told apart by `kind`.
 * @category BFD
 */
export type BfdNotice =
  | {
      /** The session state changed. */
      readonly kind: "state";
      /** The state before. */
      readonly from: BfdState;
      /** The state after. */
      readonly to: BfdState;
      /** bfd.LocalDiag after the change: why we went down. */
      readonly diag: number;
      /** The remote state that caused it, when a received packet did. */
      readonly remoteState: BfdState | null;
    }
  | {
      /** A packet refused by the session's checks (§6.8.6, §6.7): logged, counted, never fatal. */
      readonly kind: "discard";
      /** Which check refused it. */
      readonly why: string;
    }
  | {
      /** A Poll Sequence ended with the remote's Final: the new intervals are in force. */
      readonly kind: "poll-complete";
    };

/**
 * What `BfdMachine.handle` asks the driver to do, in order.
 * @category BFD
 */
export type BfdAction =
  | {
      /** Encode (and sign) this packet and send it to the neighbor. */
      readonly type: "send";
      /** The packet to send. */
      readonly packet: BfdControlPacket;
    }
  | {
      /** Start (or restart) a timer; when it fires, feed a "timer" event. */
      readonly type: "startTimer";
      /** Which timer to start: "tx" or "detect". */
      readonly timer: BfdTimerName;
      /** Its duration in milliseconds, jitter already applied. */
      readonly ms: number;
    }
  | {
      /** Stop a timer if it runs. */
      readonly type: "stopTimer";
      /** Which timer to stop: "tx" or "detect". */
      readonly timer: BfdTimerName;
    }
  | {
      /** Tell the user something happened. */
      readonly type: "emit";
      /** The notice: a state change, a refused packet, or a finished Poll Sequence. */
      readonly notice: BfdNotice;
    };

/**
 * What `snapshot()` reports: the RFC's state variables (§6.8.1) and what they imply.
 * @category BFD
 */
export interface BfdSnapshot {
  /** bfd.SessionState. */
  readonly state: BfdState;
  /** bfd.RemoteSessionState: the state the neighbor last reported. */
  readonly remoteState: BfdState;
  /** bfd.LocalDiscr. */
  readonly localDiscriminator: number;
  /** 0 until the remote is heard, and again after a Detection Time of silence. */
  readonly remoteDiscriminator: number;
  /** bfd.LocalDiag: why the session last went down (a `BfdDiag` code). */
  readonly localDiag: number;
  /** The Desired Min TX Interval we advertise now (µs): at least 1 s while not Up. */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval (µs). */
  readonly requiredMinRxUs: number;
  /** bfd.DetectMult. */
  readonly detectMult: number;
  /** bfd.RemoteMinRxInterval: the neighbor's Required Min RX Interval (µs). */
  readonly remoteMinRxUs: number;
  /** The neighbor's Desired Min TX Interval (µs). */
  readonly remoteDesiredMinTxUs: number;
  /** The neighbor's Detect Mult. */
  readonly remoteDetectMult: number;
  /** Interval between our periodic packets before jitter (µs), or 0 when the remote asked for none. */
  readonly txIntervalUs: number;
  /** Time without a packet after which the session goes Down (µs), or 0 before the remote is heard. */
  readonly detectionTimeUs: number;
  /** A Poll Sequence is under way (we set the P bit until the neighbor answers with F). */
  readonly pollActive: boolean;
}

/**
 * The sans-IO BFD state machine of one session (RFC 5880 §6.8): feed it events with `now`, run the
 * actions it returns. `BfdSession` drives it on a clock; use it directly to bring your own transport.
 * @category BFD
 */
export class BfdMachine {
  private config: BfdMachineConfig;
  private state: BfdState = "Down";
  private running = false;
  private remoteState: BfdState = "Down";
  private remoteDiscr = 0;
  private localDiag: number = BfdDiag.NONE;
  // "bfd.RemoteMinRxInterval ... MUST be initialized to 1" (µs).
  private remoteMinRxUs = 1;
  private remoteDesiredMinTxUs = 0;
  private remoteDetectMult = 0;
  private heard = false;
  /** The local values in force before a Poll Sequence started, or null when none runs. */
  private pollFrom: { desiredMinTxUs: number; requiredMinRxUs: number } | null = null;
  /** The desired TX we last advertised, to notice a change that needs a Poll Sequence. */
  private advertisedTxUs: number;
  private advertisedRxUs: number;
  private xmitAuthSeq: number;
  private rcvAuthSeq = 0;
  private authSeqKnown = false;
  private lastRxAt = Number.NEGATIVE_INFINITY;
  private lastDetectionMs = 0;
  private actions: BfdAction[] = [];

  constructor(config: BfdMachineConfig) {
    this.config = config;
    // "bfd.XmitAuthSeq ... MUST be initialized to a random 32 bit value."
    this.xmitAuthSeq = Math.floor(config.random() * 0x1_0000_0000) >>> 0;
    this.advertisedTxUs = this.desiredTxUs();
    this.advertisedRxUs = config.requiredMinRxUs;
  }

  /** bfd.SessionState now. */
  get sessionState(): BfdState {
    return this.state;
  }

  /** Handles one event at `now` (ms) and returns the actions to run, in order. */
  handle(event: BfdEvent, now: number): BfdAction[] {
    this.actions = [];
    switch (event.type) {
      case "start":
        if (!this.running) {
          this.running = true;
          if (this.state === "AdminDown") this.setState("Down", BfdDiag.NONE, null);
          this.transmit(false);
        }
        break;
      case "stop":
        if (this.running) {
          this.running = false;
          this.actions.push({ type: "stopTimer", timer: "detect" }, { type: "stopTimer", timer: "tx" });
          // §6.8.16: AdminDown with diagnostic 7; the remote is told at once.
          if (this.state !== "AdminDown") this.setState("AdminDown", BfdDiag.ADMINISTRATIVELY_DOWN, null);
          this.actions.push({ type: "send", packet: this.packet(false, false) });
        }
        break;
      case "receive":
        if (this.running) this.receive(event.packet, event.bytes, now);
        break;
      case "timer":
        if (!this.running) break;
        if (event.timer === "tx") this.transmit(true);
        else this.detectionExpired();
        break;
      case "set-intervals":
        this.setIntervals(event.desiredMinTxUs, event.requiredMinRxUs, event.detectMult);
        break;
      default: {
        const never: never = event;
        throw new Error(`unknown BFD event ${String(never)}`);
      }
    }
    return this.actions;
  }

  /** The state variables now, as plain data. */
  snapshot(): BfdSnapshot {
    return {
      state: this.state,
      remoteState: this.remoteState,
      localDiscriminator: this.config.localDiscriminator,
      remoteDiscriminator: this.remoteDiscr,
      localDiag: this.localDiag,
      desiredMinTxUs: this.desiredTxUs(),
      requiredMinRxUs: this.config.requiredMinRxUs,
      detectMult: this.config.detectMult,
      remoteMinRxUs: this.remoteMinRxUs,
      remoteDesiredMinTxUs: this.remoteDesiredMinTxUs,
      remoteDetectMult: this.remoteDetectMult,
      txIntervalUs: this.txIntervalUs(),
      detectionTimeUs: this.heard ? this.detectionTimeUs() : 0,
      pollActive: this.pollFrom !== null,
    };
  }

  /** bfd.DesiredMinTxInterval: the configured value when Up, at least one second otherwise. */
  private desiredTxUs(): number {
    const configured = this.config.desiredMinTxUs;
    return this.state === "Up" ? configured : Math.max(configured, SLOW_TX_US);
  }

  /**
   * §6.8.7: "the larger of bfd.DesiredMinTxInterval and bfd.RemoteMinRxInterval". §6.8.3: an
   * increase while Up waits for the Poll Sequence to end, so the smaller of the old and new
   * values applies meanwhile. 0 means no periodic packets ("bfd.RemoteMinRxInterval is zero").
   */
  private txIntervalUs(): number {
    if (this.remoteMinRxUs === 0) return 0;
    let desired = this.desiredTxUs();
    if (this.pollFrom !== null) desired = Math.min(desired, this.pollFrom.desiredMinTxUs);
    return Math.max(desired, this.remoteMinRxUs);
  }

  /**
   * §6.8.4, asynchronous mode: "the Detection Time ... is equal to the value of Detect Mult
   * received from the remote system, multiplied by the agreed transmit interval of the remote
   * system (the greater of bfd.RequiredMinRxInterval and the last received Desired Min TX
   * Interval)". §6.8.3: a reduced RequiredMinRx counts only after the Poll Sequence.
   */
  private detectionTimeUs(): number {
    let rx = this.config.requiredMinRxUs;
    if (this.pollFrom !== null) rx = Math.max(rx, this.pollFrom.requiredMinRxUs);
    return this.remoteDetectMult * Math.max(rx, this.remoteDesiredMinTxUs);
  }

  /** The jittered gap before the next periodic packet (§6.8.7), in ms. */
  private nextTxMs(intervalUs: number): number {
    // "reduced by a random value of 0 to 25% ... If bfd.DetectMult is equal to 1, the interval
    // between transmitted BFD Control packets MUST be no more than 90% of the negotiated
    // transmission interval, and MUST be no less than 75%".
    const r = this.config.random();
    const factor = this.config.detectMult === 1 ? 0.75 + 0.15 * r : 0.75 + 0.25 * r;
    return (intervalUs * factor) / 1000;
  }

  private transmit(periodic: boolean): void {
    const intervalUs = this.txIntervalUs();
    // "A system MUST NOT periodically transmit BFD Control packets if bfd.RemoteMinRxInterval is
    // zero."
    if (periodic && intervalUs === 0) return;
    this.actions.push({ type: "send", packet: this.packet(this.pollFrom !== null, false) });
    if (intervalUs > 0) this.actions.push({ type: "startTimer", timer: "tx", ms: this.nextTxMs(intervalUs) });
    else this.actions.push({ type: "stopTimer", timer: "tx" });
  }

  private packet(poll: boolean, final: boolean): BfdControlPacket {
    const desiredMinTxUs = this.desiredTxUs();
    this.advertisedTxUs = desiredMinTxUs;
    this.advertisedRxUs = this.config.requiredMinRxUs;
    const base: BfdControlPacket = {
      diag: this.localDiag,
      state: this.state,
      poll,
      final,
      controlPlaneIndependent: false,
      demand: false,
      detectMult: this.config.detectMult,
      myDiscriminator: this.config.localDiscriminator,
      yourDiscriminator: this.remoteDiscr,
      desiredMinTxUs,
      requiredMinRxUs: this.config.requiredMinRxUs,
      requiredMinEchoRxUs: 0,
    };
    const auth = this.config.auth;
    if (auth === undefined) return base;
    // §6.7.3/§6.7.4: a keyed sequence number "SHOULD be incremented occasionally", a meticulous
    // one "on every packet"; we step it on every packet for both, which both receive rules accept.
    this.xmitAuthSeq = (this.xmitAuthSeq + 1) >>> 0;
    return {
      ...base,
      auth: {
        type: auth.type,
        keyId: auth.keyId,
        sequence: this.xmitAuthSeq,
        digest: new Uint8Array(auth.type <= 3 ? 16 : 20),
      },
    };
  }

  private setState(to: BfdState, diag: number, remoteState: BfdState | null): void {
    const from = this.state;
    this.localDiag = diag;
    if (from === to) return;
    this.state = to;
    this.actions.push({ type: "emit", notice: { kind: "state", from, to, diag, remoteState } });
    // The intervals depend on the state (slow TX while not Up): a change while Up, or into Up,
    // is told to the remote with a Poll Sequence (§6.8.3).
    this.advertiseChange();
  }

  /**
   * After the local intervals may have changed: while Up, run a Poll Sequence whose old values are
   * what the remote was last told; outside Up the new values simply go out in the next packet.
   */
  private advertiseChange(): void {
    const tx = this.desiredTxUs();
    const rx = this.config.requiredMinRxUs;
    if (tx === this.advertisedTxUs && rx === this.advertisedRxUs) return;
    if (this.state === "Up") {
      this.pollFrom ??= { desiredMinTxUs: this.advertisedTxUs, requiredMinRxUs: this.advertisedRxUs };
    } else {
      this.pollFrom = null;
    }
  }

  private setIntervals(desiredMinTxUs: number, requiredMinRxUs: number, detectMult: number): void {
    this.config = { ...this.config, desiredMinTxUs, requiredMinRxUs, detectMult };
    this.advertiseChange();
  }

  private detectionExpired(): void {
    // §6.8.4: "If ... the Detection Time passes without the receipt of a BFD Control packet ...
    // if bfd.SessionState is Init or Up, the session has gone down -- the local system MUST set
    // bfd.SessionState to Down and bfd.LocalDiag to 1".
    // §6.8.1: bfd.RemoteDiscr "MUST be set to zero if the Detection Time passes without the
    // receipt of a valid incoming packet".
    this.remoteDiscr = 0;
    this.heard = false;
    this.remoteState = "Down";
    this.remoteMinRxUs = 1;
    if (this.state === "Init" || this.state === "Up") {
      this.setState("Down", BfdDiag.CONTROL_DETECTION_TIME_EXPIRED, null);
      this.transmit(false);
    }
  }

  private discard(why: string): void {
    this.actions.push({ type: "emit", notice: { kind: "discard", why } });
  }

  /** §6.8.6, from the checks that need the session on. */
  private receive(p: BfdControlPacket, bytes: Uint8Array, now: number): void {
    // The session was selected by Your Discriminator when it is nonzero; it must be ours.
    if (p.yourDiscriminator !== 0 && p.yourDiscriminator !== this.config.localDiscriminator) {
      this.discard(`Your Discriminator ${p.yourDiscriminator} is not ours`);
      return;
    }
    if (!this.authenticate(p, bytes, now)) return;
    this.remoteDiscr = p.myDiscriminator;
    this.remoteState = p.state;
    this.remoteMinRxUs = p.requiredMinRxUs;
    this.remoteDesiredMinTxUs = p.desiredMinTxUs;
    this.remoteDetectMult = p.detectMult;
    this.heard = true;
    // "If a Poll Sequence is being transmitted by the local system and the Final (F) bit in the
    // received packet is set, the Poll Sequence MUST be terminated."
    if (this.pollFrom !== null && p.final) {
      this.pollFrom = null;
      this.actions.push({ type: "emit", notice: { kind: "poll-complete" } });
    }
    // "If bfd.SessionState is AdminDown, discard the packet" does not apply: a stopped session
    // does not receive (see handle).
    if (p.state === "AdminDown") {
      // "If received state is AdminDown: If bfd.SessionState is not Down, set bfd.LocalDiag to 3
      // (Neighbor signaled session down), set bfd.SessionState to Down".
      if (this.state !== "Down") this.setState("Down", BfdDiag.NEIGHBOR_SIGNALED_SESSION_DOWN, p.state);
    } else if (this.state === "Down") {
      // "If bfd.SessionState is Down: If received State is Down, set bfd.SessionState to Init.
      // Else if received State is Init, set bfd.SessionState to Up."
      if (p.state === "Down") this.setState("Init", BfdDiag.NONE, p.state);
      else if (p.state === "Init") this.setState("Up", BfdDiag.NONE, p.state);
    } else if (this.state === "Init") {
      // "Else if bfd.SessionState is Init: If received State is Init or Up, set bfd.SessionState to Up."
      if (p.state === "Init" || p.state === "Up") this.setState("Up", BfdDiag.NONE, p.state);
    } else if (p.state === "Down") {
      // "Else (bfd.SessionState is Up): If received State is Down, set bfd.LocalDiag to 3
      // (Neighbor signaled session down), set bfd.SessionState to Down."
      this.setState("Down", BfdDiag.NEIGHBOR_SIGNALED_SESSION_DOWN, p.state);
    }
    const stateChanged = this.actions.some((a) => a.type === "emit" && a.notice.kind === "state");
    if (p.poll) {
      // "If the Poll (P) bit is set, send a BFD Control packet to the remote system with the Poll
      // (P) bit clear, and the Final (F) bit set" -- at once, outside the periodic schedule.
      this.actions.push({ type: "send", packet: this.packet(false, true) });
    } else if (stateChanged) {
      // Tell the remote of a new state without waiting a slow (1 s) period.
      this.transmit(false);
    }
    // "If the packet was not discarded, it has been received for purposes of the Detection Time
    // expiration rules in section 6.8.4."
    this.lastRxAt = now;
    this.lastDetectionMs = this.detectionTimeUs() / 1000;
    this.actions.push({ type: "startTimer", timer: "detect", ms: this.lastDetectionMs });
  }

  /** §6.8.6 and §6.7: the A bit must match our configuration, then type, key ID, sequence, digest. */
  private authenticate(p: BfdControlPacket, bytes: Uint8Array, now: number): boolean {
    const key = this.config.auth;
    // "If the Authentication Present (A) bit is set and authentication is not in use, the packet
    // MUST be discarded. If the A bit is clear and authentication is in use, the packet MUST be
    // discarded."
    if (key === undefined) {
      if (p.auth !== undefined) this.discard("authentication present but not configured");
      return p.auth === undefined;
    }
    const a = p.auth;
    if (a === undefined) {
      this.discard("authentication configured but absent");
      return false;
    }
    if (a.type !== key.type) {
      this.discard(`authentication type ${a.type}, expected ${key.type}`);
      return false;
    }
    if (a.keyId !== key.keyId) {
      this.discard(`key ID ${a.keyId}, expected ${key.keyId}`);
      return false;
    }
    // "bfd.AuthSeqKnown ... MUST be set to 0 after no packets have been received on this session
    // for at least twice the Detection Time."
    if (this.authSeqKnown && now - this.lastRxAt >= 2 * this.lastDetectionMs) this.authSeqKnown = false;
    if (this.authSeqKnown) {
      // Keyed: "If bfd.AuthSeqKnown is 1, examine the Sequence Number field. ... if the sequence
      // number lies outside of the range of bfd.RcvAuthSeq to bfd.RcvAuthSeq+(3*Detect Mult)
      // inclusive (when treated as an unsigned 32 bit circular number space), the received packet
      // MUST be discarded." Meticulous: the range starts at bfd.RcvAuthSeq+1.
      const ahead = (a.sequence - this.rcvAuthSeq) >>> 0;
      const low = isMeticulous(a.type) ? 1 : 0;
      if (ahead < low || ahead > 3 * p.detectMult) {
        this.discard(`sequence number ${a.sequence} outside the window after ${this.rcvAuthSeq}`);
        return false;
      }
    }
    if (!verify(bytes, key)) {
      this.discard("digest does not match the key");
      return false;
    }
    this.rcvAuthSeq = a.sequence;
    this.authSeqKnown = true;
    return true;
  }
}
