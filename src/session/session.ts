import type { Socket } from "node:net";
import createDebug from "debug";
import { EventEmitter } from "eventemitter3";
import { type Clock, realClock } from "../clock.js";
import type { FsmConfig, FsmEvent, FsmNotice, FsmState, NegotiatedCapabilities } from "../fsm/types.js";
import { CeaseSubcode } from "../wire/constants.js";
import type { BgpError } from "../wire/errors.js";
import type { BgpMessage, RouteRefreshMessage, UpdateMessage } from "../wire/types.js";
import { type Link, Links } from "./links.js";
import { normaliseAddress } from "./listener.js";
import type { TransportSecurity } from "./socket-options.js";
import {
  SESSION_DEFAULTS as DEFAULTS,
  type NegotiatedSession,
  type SessionEvents,
  type SessionOptions,
  type SessionStats,
} from "./types.js";

export type { Clock } from "../clock.js";
export type { NegotiatedSession, SessionEvents, SessionOptions, SessionStats } from "./types.js";

const debugFsm = createDebug("bgp:fsm");
const debug = createDebug("bgp:session");

/**
 * A BGP session with one peer: runs the pure FSM over real sockets and timers, one connection at
 * a time except while two collide (RFC 4271 §6.8, see links.ts), and restarts by itself after
 * going down (IdleHold, then AutomaticStart) until stop().
 * @category Sessions
 */
export class BgpSession extends EventEmitter<SessionEvents> {
  /** The peer's address, as given in the options. */
  readonly peerAddress: string;
  /** TCP-MD5 key and TTL settings of this session's sockets; undefined when none. */
  readonly security: TransportSecurity | undefined;
  /** Counters, updated in place as the session runs. */
  readonly stats: SessionStats = {
    messagesIn: 0,
    messagesOut: 0,
    updatesIn: 0,
    updatesOut: 0,
    establishedAtMs: null,
    lastError: null,
    flaps: 0,
  };
  readonly #config: FsmConfig;
  readonly #clock: Clock;
  readonly #links: Links;
  #negotiated: NegotiatedSession | null = null;

  constructor(options: SessionOptions) {
    super();
    this.peerAddress = options.peerAddress;
    this.security = options.security;
    this.#clock = options.clock ?? realClock;
    this.#config = {
      localAsn: options.localAsn,
      routerId: options.routerId,
      peerAsn: options.peerAsn,
      holdTime: options.holdTime ?? DEFAULTS.holdTime,
      connectRetry: options.connectRetry ?? DEFAULTS.connectRetry,
      delayOpen: options.delayOpen ?? DEFAULTS.delayOpen,
      passive: options.passive ?? DEFAULTS.passive,
      families: options.families ?? DEFAULTS.families,
      requiredFamilies: options.requiredFamilies ?? DEFAULTS.requiredFamilies,
      addPath: options.addPath ?? DEFAULTS.addPath,
      extendedMessage: options.extendedMessage ?? DEFAULTS.extendedMessage,
      extendedNextHop: options.extendedNextHop ?? DEFAULTS.extendedNextHop,
      gracefulRestart: options.gracefulRestart ?? DEFAULTS.gracefulRestart,
      idleHold: options.idleHold ?? DEFAULTS.idleHold,
      idleHoldMax: options.idleHoldMax ?? DEFAULTS.idleHoldMax,
      stablePeriod: options.stablePeriod ?? DEFAULTS.stablePeriod,
      autoRestart: true,
      random: options.random ?? Math.random,
    };
    this.#links = new Links(
      this.#config,
      {
        peerAddress: options.peerAddress,
        peerPort: options.peerPort ?? DEFAULTS.peerPort,
        localAddress: options.localAddress,
        security: options.security,
        clock: this.#clock,
        maxQueueBytes: options.maxSendQueueBytes ?? DEFAULTS.maxSendQueueBytes,
        sendHoldTime: options.sendHoldTime,
      },
      {
        notice: (link, notice, cause, mine) => this.#notice(link, notice, cause, mine),
        promoted: (old, link) => this.#promoted(old, link),
        messageIn: () => {
          this.stats.messagesIn++;
        },
        messageOut: (message) => this.#countOut(message),
        updatesOut: (count) => {
          this.stats.messagesOut += count;
          this.stats.updatesOut += count;
        },
        drain: () => this.emit("drain"),
      },
    );
  }

  /** The RFC 4271 state of the session's main connection. */
  get state(): FsmState {
    return this.#links.primary.fsm.state;
  }

  /** What the current connection negotiated; null until the OPENs were exchanged. */
  get negotiated(): NegotiatedSession | null {
    return this.#negotiated;
  }

  /** Our end of the established connection. */
  get localAddress(): string | null {
    return this.#negotiated?.localAddress ?? null;
  }

  /** False while the socket's buffer is above its high-water mark; "drain" follows. */
  get writable(): boolean {
    const p = this.#links.primary;
    return p.fsm.state === "Established" && (p.conn?.writable ?? false);
  }

  /** ManualStart (event 1), or its passive variant (event 4). */
  start(): void {
    this.#links.enqueue(this.#links.primary, {
      type: this.#config.passive ? "ManualStart_with_PassiveTcpEstablishment" : "ManualStart",
    });
  }

  /** ManualStop (event 2): Cease (Administrative Shutdown by default, RFC 9003 message), flush, close. */
  async stop(options: { shutdownMessage?: string; subcode?: number } = {}): Promise<void> {
    const event: FsmEvent = {
      type: "ManualStop",
      subcode: options.subcode ?? CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
      ...(options.shutdownMessage === undefined ? {} : { shutdownMessage: options.shutdownMessage }),
    };
    const secondary = this.#links.secondary;
    if (secondary !== null) this.#links.enqueue(secondary, event);
    this.#links.enqueue(this.#links.primary, event);
    await null; // let a stop() called from inside an event handler run its step first
    await this.#links.closed();
  }

  /**
   * AutomaticStop (event 8) with the NOTIFICATION `error` carries (for example Cease / Maximum
   * Number of Prefixes Reached from the speaker's Adj-RIB-In); the session restarts after IdleHold.
   */
  stopWithError(error: BgpError): void {
    this.#links.enqueue(this.#links.primary, { type: "AutomaticStop", error });
  }

  /** Send an UPDATE or ROUTE-REFRESH; only in Established, encoded with the negotiated send context. */
  send(message: UpdateMessage | RouteRefreshMessage): void {
    const p = this.#links.primary;
    const conn = p.conn;
    if (p.fsm.state !== "Established" || conn === null) {
      throw new Error(`cannot send ${message.type} to ${this.peerAddress}: session is ${this.state}`);
    }
    this.#links.send(conn, message);
    // The FSM restarts its KeepaliveTimer for each UPDATE we send (RFC 4271 §8.2.2).
    if (message.type === "update") this.#links.enqueue(p, { type: "UpdateSent" });
  }

  /**
   * Send `count` UPDATEs already encoded with the negotiated send context, back to back in `bytes`
   * (the speaker's packer writes a batch of them into one buffer). Only in Established.
   */
  sendUpdates(bytes: Uint8Array, count: number): void {
    const p = this.#links.primary;
    const conn = p.conn;
    if (p.fsm.state !== "Established" || conn === null) {
      throw new Error(`cannot send ${count} UPDATEs to ${this.peerAddress}: session is ${this.state}`);
    }
    this.#links.sendUpdates(conn, bytes, count);
    // RFC 4271 §8.2.2: sending an UPDATE restarts the KeepaliveTimer; once for the batch is the same.
    if (count > 0) this.#links.enqueue(p, { type: "UpdateSent" });
  }

  /** An inbound connection from this peer (the listener matched its address). */
  acceptConnection(socket: Socket): void {
    this.#links.accept(socket);
  }

  #countOut(message: BgpMessage): void {
    this.stats.messagesOut++;
    if (message.type === "update") this.stats.updatesOut++;
  }

  /** A collision's second connection now carries the session: report the state it is in. */
  #promoted(old: Link, link: Link): void {
    if (old.fsm.state !== link.fsm.state) this.emit("state", old.fsm.state, link.fsm.state);
    if (link.fsm.state === "Established" && link.fsm.negotiated !== null)
      this.#established(link, link.fsm.negotiated);
  }

  #notice(link: Link, notice: FsmNotice, cause: FsmEvent, mine: boolean): void {
    switch (notice.kind) {
      case "state":
        if (debugFsm.enabled) {
          debugFsm("%s#%d %s -> %s on %s", this.peerAddress, link.id, notice.from, notice.to, cause.type);
        }
        if (mine) this.emit("state", notice.from, notice.to);
        return;
      case "established":
        if (mine) this.#established(link, notice.negotiated);
        return;
      case "down":
        if (!mine) return;
        if (notice.reason.fromState === "Established") this.stats.flaps++;
        this.stats.lastError = notice.reason;
        this.stats.establishedAtMs = null;
        this.#negotiated = null;
        debug("%s down: %s", this.peerAddress, notice.reason.message);
        this.emit("down", notice.reason);
        return;
      case "update":
        if (!mine) return;
        this.stats.updatesIn++;
        this.emit("update", notice.update);
        return;
      case "route-refresh":
        if (mine) this.emit("route-refresh", notice.routeRefresh);
        return;
      default: {
        const never: never = notice;
        throw new Error(`unknown notice ${String(never)}`);
      }
    }
  }

  #established(link: Link, negotiated: NegotiatedCapabilities): void {
    const socket = link.conn?.socket;
    this.#negotiated = {
      ...negotiated,
      localAddress: normaliseAddress(socket?.localAddress ?? ""),
      localPort: socket?.localPort ?? 0,
      remoteAddress: normaliseAddress(socket?.remoteAddress ?? ""),
      remotePort: socket?.remotePort ?? 0,
    };
    this.stats.establishedAtMs = this.#clock.now();
    debug(
      "%s established: hold %ds, %s",
      this.peerAddress,
      negotiated.holdTime,
      negotiated.families.join(","),
    );
    this.emit("established", this.#negotiated);
  }
}
