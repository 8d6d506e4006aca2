import createDebug from "debug";
import { EventEmitter } from "eventemitter3";
import type { Clock } from "../clock.js";
import { encodeControl } from "./codec.js";
import { describeDiag } from "./constants.js";
import {
  type BfdAction,
  type BfdEvent,
  BfdMachine,
  type BfdMachineConfig,
  type BfdNotice,
  type BfdSnapshot,
  type BfdTimerName,
} from "./machine.js";
import type { BfdControlPacket } from "./types.js";

const log = createDebug("bgp:bfd");

/**
 * The events a `BfdSession` emits, with their listeners' signatures.
 * @category BFD
 */
export interface BfdSessionEvents {
  /** Every state change, as the machine reports it. */
  state: (change: Extract<BfdNotice, { kind: "state" }>) => void;
  /** A packet refused by the session's checks. */
  discard: (why: string) => void;
}

/**
 * Counters of one BFD session.
 * @category BFD
 */
export interface BfdSessionStats {
  /** Packets handed to the session by the transport. */
  packetsIn: number;
  /** Packets the session sent. */
  packetsOut: number;
  /** Received packets the session's checks refused. */
  discarded: number;
}

/**
 * One BFD session with one neighbor: runs the pure machine on an injectable clock and hands the
 * packets it sends, encoded and signed, to `send`. The transport feeds it received packets.
 * @category BFD
 */
export class BfdSession extends EventEmitter<BfdSessionEvents> {
  /** The neighbor's address; the transport routes its packets here. */
  readonly peerAddress: string;
  /** Counters, updated in place. */
  readonly stats: BfdSessionStats = { packetsIn: 0, packetsOut: 0, discarded: 0 };
  private readonly machine: BfdMachine;
  private readonly config: BfdMachineConfig;
  private readonly clock: Clock;
  private readonly sendBytes: (bytes: Uint8Array) => void;
  private readonly timers = new Map<BfdTimerName, unknown>();

  constructor(
    peerAddress: string,
    config: BfdMachineConfig,
    clock: Clock,
    send: (bytes: Uint8Array) => void,
  ) {
    super();
    this.peerAddress = peerAddress;
    this.config = config;
    this.machine = new BfdMachine(config);
    this.clock = clock;
    this.sendBytes = send;
  }

  /** Our discriminator for this session (bfd.LocalDiscr). */
  get localDiscriminator(): number {
    return this.config.localDiscriminator;
  }

  /** The machine's state variables now, as plain data. */
  snapshot(): BfdSnapshot {
    return this.machine.snapshot();
  }

  /** Leaves AdminDown for Down and starts sending (slowly, once per second, until Up). */
  start(): void {
    this.run({ type: "start" });
  }

  /** AdminDown: the neighbor is told once, then every timer stops. */
  stop(): void {
    this.run({ type: "stop" });
  }

  /** A packet from the neighbor, decoded, with its bytes for the digest check. */
  receive(packet: BfdControlPacket, bytes: Uint8Array): void {
    this.stats.packetsIn++;
    this.run({ type: "receive", packet, bytes });
  }

  /** New local intervals (µs) and Detect Mult; while Up they take effect through a Poll Sequence. */
  setIntervals(desiredMinTxUs: number, requiredMinRxUs: number, detectMult: number): void {
    this.run({ type: "set-intervals", desiredMinTxUs, requiredMinRxUs, detectMult });
  }

  private run(event: BfdEvent): void {
    const actions = this.machine.handle(event, this.clock.now());
    for (const action of actions) this.perform(action);
  }

  private perform(action: BfdAction): void {
    switch (action.type) {
      case "send":
        this.stats.packetsOut++;
        this.sendBytes(encodeControl(action.packet, this.config.auth));
        return;
      case "startTimer": {
        this.clearTimer(action.timer);
        const timer = action.timer;
        this.timers.set(
          timer,
          this.clock.setTimeout(() => {
            this.timers.delete(timer);
            this.run({ type: "timer", timer });
          }, action.ms),
        );
        return;
      }
      case "stopTimer":
        this.clearTimer(action.timer);
        return;
      case "emit": {
        const notice = action.notice;
        if (notice.kind === "state") {
          log("%s %s -> %s (%s)", this.peerAddress, notice.from, notice.to, describeDiag(notice.diag));
          this.emit("state", notice);
        } else if (notice.kind === "discard") {
          this.stats.discarded++;
          log("%s discarded a packet: %s", this.peerAddress, notice.why);
          this.emit("discard", notice.why);
        } else {
          log("%s poll sequence complete", this.peerAddress);
        }
        return;
      }
      default: {
        const never: never = action;
        throw new Error(`unknown BFD action ${String(never)}`);
      }
    }
  }

  private clearTimer(timer: BfdTimerName): void {
    const handle = this.timers.get(timer);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.timers.delete(timer);
  }
}
