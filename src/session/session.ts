import { connect, type Socket } from "node:net";
import createDebug from "debug";
import { EventEmitter } from "eventemitter3";
import { BgpError } from "../errors.js";
import { eventForDecodeError, initialSnapshot, step } from "../fsm/machine.js";
import { resolveCollision } from "../fsm/negotiate.js";
import type {
  FsmAction,
  FsmConfig,
  FsmEvent,
  FsmNotice,
  FsmSnapshot,
  FsmState,
  NegotiatedCapabilities,
  TimerName,
} from "../fsm/types.js";
import { CeaseSubcode } from "../wire/constants.js";
import { ADDRESS_FAMILIES } from "../wire/family.js";
import type { BgpMessage, OpenMessage, RouteRefreshMessage, UpdateMessage } from "../wire/types.js";
import { Connection } from "./connection.js";
import { normaliseAddress } from "./listener.js";
import {
  type Clock,
  type NegotiatedSession,
  realClock,
  type SessionEvents,
  type SessionOptions,
  type SessionStats,
} from "./types.js";

export type { Clock, NegotiatedSession, SessionEvents, SessionOptions, SessionStats } from "./types.js";

const debugFsm = createDebug("bgp:fsm");
const debug = createDebug("bgp:session");

/** One connection's FSM with its socket and timers; a session has one, two during a collision. */
interface Link {
  readonly id: number;
  fsm: FsmSnapshot;
  conn: Connection | null;
  readonly timers: Map<TimerName, unknown>;
  /** Closed by collision resolution: its actions still run, its notices are not the session's. */
  dumped: boolean;
  applied: NegotiatedCapabilities | null;
}

const DEFAULT_MAX_SEND_QUEUE = 16 * 1024 * 1024;

/**
 * A BGP session with one peer: runs the pure FSM over real sockets and timers, one connection at
 * a time except while two collide (RFC 4271 §6.8), and restarts by itself after going down
 * (IdleHold, then AutomaticStart) until stop().
 */
export class BgpSession extends EventEmitter<SessionEvents> {
  readonly peerAddress: string;
  readonly stats: SessionStats = {
    messagesIn: 0,
    messagesOut: 0,
    updatesIn: 0,
    updatesOut: 0,
    establishedAt: null,
    lastError: null,
    flaps: 0,
  };
  readonly #options: SessionOptions;
  readonly #config: FsmConfig;
  readonly #clock: Clock;
  readonly #maxQueueBytes: number;
  #primary: Link;
  #secondary: Link | null = null;
  #negotiated: NegotiatedSession | null = null;
  #nextLinkId = 1;
  readonly #queue: [Link, FsmEvent][] = [];
  #busy = false;
  readonly #closing = new Set<Promise<void>>();

  constructor(options: SessionOptions) {
    super();
    this.#options = options;
    this.peerAddress = options.peerAddress;
    this.#clock = options.clock ?? realClock;
    this.#maxQueueBytes = options.maxSendQueueBytes ?? DEFAULT_MAX_SEND_QUEUE;
    this.#config = {
      localAsn: options.localAsn,
      routerId: options.routerId,
      peerAsn: options.peerAsn,
      holdTimeSec: options.holdTimeSec ?? 90,
      connectRetrySec: options.connectRetrySec ?? 30,
      delayOpenSec: options.delayOpenSec ?? 0,
      passive: options.passive ?? false,
      families: options.families ?? [...ADDRESS_FAMILIES],
      requiredFamilies: options.requiredFamilies ?? [],
      addPath: options.addPath ?? [],
      extendedMessage: options.extendedMessage ?? true,
      extendedNextHop: options.extendedNextHop ?? false,
      gracefulRestart: options.gracefulRestart ?? { restartTimeSec: 120 },
      idleHoldSec: options.idleHoldSec ?? 1,
      idleHoldMaxSec: options.idleHoldMaxSec ?? 120,
      stablePeriodSec: options.stablePeriodSec ?? 60,
      autoRestart: true,
      random: options.random ?? Math.random,
    };
    this.#primary = this.#newLink(initialSnapshot(this.#config));
  }

  get state(): FsmState {
    return this.#primary.fsm.state;
  }

  get negotiated(): NegotiatedSession | null {
    return this.#negotiated;
  }

  /** Our end of the established connection. */
  get localAddress(): string | null {
    return this.#negotiated?.localAddress ?? null;
  }

  /** False while the socket's buffer is above its high-water mark; "drain" follows. */
  get writable(): boolean {
    return this.#primary.fsm.state === "Established" && (this.#primary.conn?.writable ?? false);
  }

  /** ManualStart (event 1), or its passive variant (event 4). */
  start(): void {
    this.#enqueue(this.#primary, {
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
    if (this.#secondary !== null) this.#enqueue(this.#secondary, event);
    this.#enqueue(this.#primary, event);
    await null; // let a stop() called from inside an event handler run its step first
    await Promise.all([...this.#closing]);
  }

  /**
   * AutomaticStop (event 8) with the NOTIFICATION `error` carries (for example Cease / Maximum
   * Number of Prefixes Reached from the speaker's Adj-RIB-In); the session restarts after IdleHold.
   */
  stopWithError(error: BgpError): void {
    this.#enqueue(this.#primary, { type: "AutomaticStop", error });
  }

  /** Send an UPDATE or ROUTE-REFRESH; only in Established, encoded with the negotiated send context. */
  send(message: UpdateMessage | RouteRefreshMessage): void {
    const conn = this.#primary.conn;
    if (this.#primary.fsm.state !== "Established" || conn === null) {
      throw new Error(`cannot send ${message.type} to ${this.peerAddress}: session is ${this.state}`);
    }
    this.#send(conn, message);
    // The FSM restarts its KeepaliveTimer for each UPDATE we send (RFC 4271 §8.2.2).
    if (message.type === "update") this.#enqueue(this.#primary, { type: "UpdateSent" });
  }

  /** An inbound connection from this peer (the listener matched its address). */
  acceptConnection(socket: Socket): void {
    const p = this.#primary;
    if (p.fsm.state === "Idle") {
      debug("%s: refused inbound connection while Idle", this.peerAddress);
      socket.destroy();
      return;
    }
    if ((p.fsm.state === "Connect" || p.fsm.state === "Active") && p.conn === null) {
      p.conn = this.#attach(p, socket, false);
      this.#enqueue(p, { type: "TcpConnectionConfirmed" });
      return;
    }
    if (this.#secondary !== null) {
      socket.destroy(); // one collision at a time
      return;
    }
    // A second connection (ours may already be up at the peer's end even before our "connect"
    // fires): its own FSM until §6.8 picks one when the second OPEN arrives.
    const link = this.#newLink(initialSnapshot({ ...this.#config, passive: true, autoRestart: false }));
    this.#secondary = link;
    link.conn = this.#attach(link, socket, false);
    this.#enqueue(link, { type: "ManualStart_with_PassiveTcpEstablishment" });
    this.#enqueue(link, { type: "TcpConnectionConfirmed" });
  }

  #newLink(fsm: FsmSnapshot): Link {
    return { id: this.#nextLinkId++, fsm, conn: null, timers: new Map(), dumped: false, applied: null };
  }

  #attach(link: Link, socket: Socket, initiatedLocally: boolean): Connection {
    const conn: Connection = new Connection(
      socket,
      initiatedLocally,
      {
        message: (m) => {
          if (link.conn !== conn) return;
          this.stats.messagesIn++;
          this.#onMessage(link, m);
        },
        protocolError: (error) => {
          if (link.conn === conn) this.#enqueue(link, eventForDecodeError(error));
        },
        closed: (error) => {
          if (link.conn === conn) {
            this.#enqueue(
              link,
              error === undefined ? { type: "TcpConnectionFails" } : { type: "TcpConnectionFails", error },
            );
          }
        },
        overflow: (queued) => {
          if (link.conn !== conn) return;
          const error = BgpError.cease(
            CeaseSubcode.OUT_OF_RESOURCES,
            undefined,
            `send queue ${queued} octets over the cap`,
          );
          this.#enqueue(link, { type: "AutomaticStop", error });
        },
        drain: () => {
          if (link === this.#primary && link.conn === conn) this.emit("drain");
        },
      },
      this.#maxQueueBytes,
    );
    return conn;
  }

  #onMessage(link: Link, m: BgpMessage): void {
    switch (m.type) {
      case "open":
        this.#onOpen(link, m);
        return;
      case "update":
        this.#enqueue(link, { type: "UpdateMsg", update: m });
        return;
      case "notification":
        this.#enqueue(link, { type: "NotifMsg", notification: m });
        return;
      case "keepalive":
        this.#enqueue(link, { type: "KeepAliveMsg" });
        return;
      case "route-refresh":
        this.#enqueue(link, { type: "RouteRefreshMsg", routeRefresh: m });
        return;
      default: {
        const never: never = m;
        throw new Error(`unknown message ${String(never)}`);
      }
    }
  }

  /** RFC 4271 §6.8: an OPEN on one connection while the other has already received one. */
  #onOpen(link: Link, open: OpenMessage): void {
    const other = link === this.#primary ? this.#secondary : this.#primary;
    if (other !== null && other.conn !== null && !other.dumped) {
      const otherState = other.fsm.state;
      if (otherState === "Established") {
        if (other.fsm.negotiated?.gracefulRestart != null) {
          // RFC 4724 §4.2: a new connection from a peer that announced Graceful Restart means it
          // restarted: the old session is closed as a TCP failure (its routes kept, marked stale).
          this.#enqueue(other, {
            type: "TcpConnectionFails",
            error: new Error("peer restarted: new connection"),
          });
        } else {
          // "a connection collision with an existing BGP connection that is in the Established
          // state causes closing of the newly created connection."
          this.#dump(link);
          return;
        }
      } else if (otherState === "OpenConfirm") {
        const verdict = resolveCollision({
          localBgpIdentifier: this.#config.routerId,
          remoteBgpIdentifier: open.bgpIdentifier,
          existingInitiatedLocally: other.conn.initiatedLocally,
        });
        debug("%s: connection collision, %s", this.peerAddress, verdict);
        if (verdict === "close-new") {
          this.#dump(link);
          return;
        }
        this.#dump(other);
      }
    }
    this.#enqueue(link, { type: "BGPOpen", open });
  }

  /** Close a link with Cease/7 (event 23); the other one carries the session on. */
  #dump(link: Link): void {
    link.dumped = true;
    this.#enqueue(link, { type: "OpenCollisionDump" });
  }

  #enqueue(link: Link, event: FsmEvent): void {
    this.#queue.push([link, event]);
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift())
        this.#feed(item[0], item[1]);
    } finally {
      this.#busy = false;
    }
  }

  #feed(link: Link, event: FsmEvent): void {
    if (link !== this.#primary && link !== this.#secondary) return; // a link already discarded
    const r = step(link.fsm, event, this.#clock.now());
    link.fsm = r.state;
    for (const action of r.actions) this.#perform(link, action, event);
    const conn = link.conn;
    if (conn !== null && link.fsm.negotiated !== null && link.applied !== link.fsm.negotiated) {
      link.applied = link.fsm.negotiated;
      conn.sendContext = link.applied.sendContext;
      conn.receiveContext = link.applied.receiveContext;
    }
    this.#settle(link);
  }

  /** After a step: discard finished links, promote the survivor of a collision. */
  #settle(link: Link): void {
    const connected = (l: Link) => l.conn !== null && l.fsm.state !== "Idle";
    if (link.dumped && !connected(link)) {
      this.#clearTimers(link);
      if (link === this.#secondary) this.#secondary = null;
      else if (this.#secondary !== null) this.#promote(this.#secondary);
      return;
    }
    if (link === this.#secondary && !connected(link)) {
      this.#clearTimers(link);
      this.#secondary = null;
      return;
    }
    const s = this.#secondary;
    if (link === this.#primary && s !== null && !connected(link) && link.fsm.running) this.#promote(s);
    else if (link === this.#secondary && link.fsm.state === "Established") this.#dump(this.#primary);
  }

  /** The secondary link becomes the session's connection, inheriting the session's FSM settings. */
  #promote(link: Link): void {
    const old = this.#primary;
    this.#clearTimers(old);
    old.conn?.destroy();
    link.fsm = {
      ...link.fsm,
      config: this.#config,
      running: old.fsm.running || old.dumped,
      flapCount: old.fsm.flapCount,
      connectRetryCounter: old.fsm.connectRetryCounter,
    };
    this.#primary = link;
    this.#secondary = null;
    if (old.fsm.state !== link.fsm.state) this.emit("state", old.fsm.state, link.fsm.state);
    if (link.fsm.state === "Established" && link.fsm.negotiated !== null)
      this.#established(link, link.fsm.negotiated);
  }

  #clearTimers(link: Link): void {
    for (const handle of link.timers.values()) this.#clock.clearTimeout(handle);
    link.timers.clear();
  }

  #perform(link: Link, action: FsmAction, cause: FsmEvent): void {
    switch (action.type) {
      case "send":
        if (link.conn !== null) this.#send(link.conn, action.message);
        return;
      case "startTimer": {
        const previous = link.timers.get(action.timer);
        if (previous !== undefined) this.#clock.clearTimeout(previous);
        const name = action.timer;
        const handle = this.#clock.setTimeout(() => {
          if (link.timers.get(name) !== handle) return;
          link.timers.delete(name);
          this.#enqueue(link, { type: `${name}Timer_Expires` } as FsmEvent);
        }, action.ms);
        link.timers.set(name, handle);
        return;
      }
      case "stopTimer": {
        const handle = link.timers.get(action.timer);
        if (handle !== undefined) this.#clock.clearTimeout(handle);
        link.timers.delete(action.timer);
        return;
      }
      case "connect":
        this.#connect(link);
        return;
      case "disconnect": {
        const conn = link.conn;
        link.conn = null;
        if (conn !== null) {
          const closing = conn.close();
          this.#closing.add(closing);
          void closing.then(() => this.#closing.delete(closing));
        }
        return;
      }
      case "emit":
        this.#notice(link, action.notice, cause);
        return;
      default: {
        const never: never = action;
        throw new Error(`unknown action ${String(never)}`);
      }
    }
  }

  #notice(link: Link, notice: FsmNotice, cause: FsmEvent): void {
    const mine = link === this.#primary && !link.dumped;
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
        this.stats.establishedAt = null;
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
    this.stats.establishedAt = this.#clock.now();
    debug(
      "%s established: hold %ds, %s",
      this.peerAddress,
      negotiated.holdTimeSec,
      negotiated.families.join(","),
    );
    this.emit("established", this.#negotiated);
  }

  #send(conn: Connection, message: BgpMessage): void {
    conn.send(message);
    this.stats.messagesOut++;
    if (message.type === "update") this.stats.updatesOut++;
  }

  #connect(link: Link): void {
    const o = this.#options;
    const socket = connect({
      host: o.peerAddress,
      port: o.peerPort ?? 179,
      ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }),
    });
    const conn = this.#attach(link, socket, true);
    link.conn?.destroy();
    link.conn = conn;
    socket.once("connect", () => {
      if (link.conn === conn) this.#enqueue(link, { type: "Tcp_CR_Acked" });
    });
  }
}
