import { connect, Socket } from "node:net";
import createDebug from "debug";
import { type Clock, secondsToMs } from "../clock.js";
import { eventForDecodeError, initialSnapshot, step } from "../fsm/machine.js";
import { resolveCollision } from "../fsm/negotiate.js";
import { TIMER_EXPIRED } from "../fsm/timers.js";
import type {
  FsmAction,
  FsmConfig,
  FsmEvent,
  FsmNotice,
  FsmSnapshot,
  NegotiatedCapabilities,
  TimerName,
} from "../fsm/types.js";
import { CeaseSubcode } from "../wire/constants.js";
import { BgpError } from "../wire/errors.js";
import type { BgpMessage, OpenMessage } from "../wire/types.js";
import { Connection } from "./connection.js";
import { closeFd, createSecuredSocket, type TransportSecurity } from "./socket-options.js";
import { defaultSendHoldTime } from "./types.js";

const debug = createDebug("bgp:session");

/** One connection's FSM with its socket and timers; a session has one, two during a collision. */
export interface Link {
  readonly id: number;
  fsm: FsmSnapshot;
  conn: Connection | null;
  readonly timers: Map<TimerName, unknown>;
  /** Closed by collision resolution: its actions still run, its notices are not the session's. */
  dumped: boolean;
  applied: NegotiatedCapabilities | null;
}

/** What the links report to the session that owns them. */
export interface LinkHost {
  /** A notice from a link's FSM; `mine` is false for the second link of a collision or a dumped one. */
  notice(link: Link, notice: FsmNotice, cause: FsmEvent, mine: boolean): void;
  /** The second link took over from `old` (collision resolved, or the first one went down). */
  promoted(old: Link, link: Link): void;
  messageIn(): void;
  messageOut(message: BgpMessage): void;
  /** `count` UPDATEs went out already encoded (see sendUpdates). */
  updatesOut(count: number): void;
  /** The session's connection drained below its high-water mark. */
  drain(): void;
}

export interface LinksOptions {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly localAddress: string | undefined;
  /** Socket options applied before connect(); a connect that gets no answer then times out with a hint. */
  readonly security?: TransportSecurity | undefined;
  readonly clock: Clock;
  readonly maxQueueBytes: number;
  /** RFC 9687 Send Hold Time, seconds; default defaultSendHoldTime(negotiated hold time). */
  readonly sendHoldTime?: number | undefined;
}

/**
 * A session's connections: runs each one's pure FSM over its socket and timers, one connection
 * at a time except while two collide (RFC 4271 §6.8), and keeps the one §6.8 picks. Events are
 * queued so an action that raises another event never re-enters a step.
 */
export class Links {
  readonly #config: FsmConfig;
  readonly #options: LinksOptions;
  readonly #host: LinkHost;
  #primary: Link;
  #secondary: Link | null = null;
  #nextLinkId = 1;
  readonly #queue: [Link, FsmEvent][] = [];
  #busy = false;
  readonly #closing = new Set<Promise<void>>();

  constructor(config: FsmConfig, options: LinksOptions, host: LinkHost) {
    this.#config = config;
    this.#options = options;
    this.#host = host;
    this.#primary = this.#newLink(initialSnapshot(config));
  }

  /** The session's connection. */
  get primary(): Link {
    return this.#primary;
  }

  /** The second connection of a collision, until §6.8 picks one. */
  get secondary(): Link | null {
    return this.#secondary;
  }

  /** Resolves when every connection being closed has flushed and closed. */
  closed(): Promise<void> {
    return Promise.all([...this.#closing]).then(() => undefined);
  }

  /** An inbound connection from this peer. */
  accept(socket: Socket): void {
    const p = this.#primary;
    if (p.fsm.state === "Idle") {
      debug("%s: refused inbound connection while Idle", this.#options.peerAddress);
      socket.destroy();
      return;
    }
    if ((p.fsm.state === "Connect" || p.fsm.state === "Active") && p.conn === null) {
      p.conn = this.#attach(p, socket, false);
      this.enqueue(p, { type: "TcpConnectionConfirmed" });
      return;
    }
    const s = this.#secondary;
    if (s !== null) {
      if (s.conn === null || s.conn.messagesReceived > 0) {
        socket.destroy(); // one collision at a time
        return;
      }
      // Two connections at most per peer, and a silent one (no message yet) never holds a place
      // against a newer one: otherwise two idle sockets from the peer's address lock it out until
      // their hold timers (4 minutes) expire.
      debug("%s: a newer connection displaces a silent one", this.#options.peerAddress);
      this.#secondary = null;
      this.#clearTimers(s);
      s.conn.destroy();
      s.conn = null;
    }
    // A second connection (ours may already be up at the peer's end even before our "connect"
    // fires): its own FSM until §6.8 picks one when the second OPEN arrives.
    const link = this.#newLink(initialSnapshot({ ...this.#config, passive: true, autoRestart: false }));
    this.#secondary = link;
    link.conn = this.#attach(link, socket, false);
    this.enqueue(link, { type: "ManualStart_with_PassiveTcpEstablishment" });
    this.enqueue(link, { type: "TcpConnectionConfirmed" });
  }

  /** Write a message on a connection, counted by the host. */
  send(conn: Connection, message: BgpMessage): void {
    conn.send(message);
    this.#host.messageOut(message);
  }

  /** Write `count` UPDATEs already encoded back to back in `bytes`, counted by the host. */
  sendUpdates(conn: Connection, bytes: Uint8Array, count: number): void {
    conn.sendEncoded(bytes, count);
    this.#host.updatesOut(count);
  }

  enqueue(link: Link, event: FsmEvent): void {
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
          this.#host.messageIn();
          this.#onMessage(link, m);
        },
        protocolError: (error) => {
          if (link.conn === conn) this.enqueue(link, eventForDecodeError(error));
        },
        closed: (error) => {
          if (link.conn === conn) {
            this.enqueue(
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
          this.enqueue(link, { type: "AutomaticStop", error });
        },
        sendHoldExpired: (seconds) => {
          if (link.conn !== conn) return;
          // RFC 9687 §4: nothing could be written for the SendHoldTime: NOTIFICATION 8, close.
          this.enqueue(link, { type: "AutomaticStop", error: BgpError.sendHoldTimerExpired(seconds) });
        },
        drain: () => {
          if (link === this.#primary && link.conn === conn) this.#host.drain();
        },
      },
      { maxQueueBytes: this.#options.maxQueueBytes, clock: this.#options.clock },
    );
    return conn;
  }

  #onMessage(link: Link, m: BgpMessage): void {
    switch (m.type) {
      case "open":
        this.#onOpen(link, m);
        return;
      case "update":
        this.enqueue(link, { type: "UpdateMsg", update: m });
        return;
      case "notification":
        this.enqueue(link, { type: "NotifMsg", notification: m });
        return;
      case "keepalive":
        this.enqueue(link, { type: "KeepAliveMsg" });
        return;
      case "route-refresh":
        this.enqueue(link, { type: "RouteRefreshMsg", routeRefresh: m });
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
          this.enqueue(other, {
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
        debug("%s: connection collision, %s", this.#options.peerAddress, verdict);
        if (verdict === "close-new") {
          this.#dump(link);
          return;
        }
        this.#dump(other);
      }
    }
    this.enqueue(link, { type: "BGPOpen", open });
  }

  /** Close a link with Cease/7 (event 23); the other one carries the session on. */
  #dump(link: Link): void {
    link.dumped = true;
    this.enqueue(link, { type: "OpenCollisionDump" });
  }

  #feed(link: Link, event: FsmEvent): void {
    if (link !== this.#primary && link !== this.#secondary) return; // a link already discarded
    const r = step(link.fsm, event, this.#options.clock.now());
    link.fsm = r.state;
    for (const action of r.actions) this.#perform(link, action, event);
    const conn = link.conn;
    if (conn !== null && link.fsm.negotiated !== null && link.applied !== link.fsm.negotiated) {
      link.applied = link.fsm.negotiated;
      conn.sendContext = link.applied.sendContext;
      conn.receiveContext = link.applied.receiveContext;
      conn.armSendHold(this.#options.sendHoldTime ?? defaultSendHoldTime(link.applied.holdTime));
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
    this.#host.promoted(old, link);
  }

  #clearTimers(link: Link): void {
    for (const handle of link.timers.values()) this.#options.clock.clearTimeout(handle);
    link.timers.clear();
  }

  #perform(link: Link, action: FsmAction, cause: FsmEvent): void {
    const clock = this.#options.clock;
    switch (action.type) {
      case "send":
        if (link.conn !== null) this.send(link.conn, action.message);
        return;
      case "startTimer": {
        const previous = link.timers.get(action.timer);
        if (previous !== undefined) clock.clearTimeout(previous);
        const name = action.timer;
        const handle = clock.setTimeout(() => {
          if (link.timers.get(name) !== handle) return;
          link.timers.delete(name);
          this.enqueue(link, TIMER_EXPIRED[name]);
        }, action.ms);
        link.timers.set(name, handle);
        return;
      }
      case "stopTimer": {
        const handle = link.timers.get(action.timer);
        if (handle !== undefined) clock.clearTimeout(handle);
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
        this.#host.notice(link, action.notice, cause, link === this.#primary && !link.dumped);
        return;
      default: {
        const never: never = action;
        throw new Error(`unknown action ${String(never)}`);
      }
    }
  }

  #connect(link: Link): void {
    const o = this.#options;
    const socket = o.security === undefined ? connect(this.#connectOptions()) : this.#securedConnect();
    if (socket === null) return;
    const conn = this.#attach(link, socket, true);
    link.conn?.destroy();
    link.conn = conn;
    socket.once("connect", () => {
      if (link.conn === conn) this.enqueue(link, { type: "Tcp_CR_Acked" });
    });
  }

  #connectOptions(): { host: string; port: number; localAddress?: string } {
    const o = this.#options;
    return {
      host: o.peerAddress,
      port: o.peerPort,
      ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }),
    };
  }

  /**
   * TCP-MD5 and TTLs must be on the socket before its SYN: the socket is made through libc, its
   * options set, and then handed to Node. A key mismatch shows on the wire only as silence (the
   * peer's kernel drops our segments), so an unanswered connect fails with an error that says so
   * before the ConnectRetry timer would quietly retry it.
   */
  #securedConnect(): Socket | null {
    const o = this.#options;
    const security = o.security as TransportSecurity;
    let socket: Socket;
    try {
      const fd = createSecuredSocket(o.peerAddress, security);
      try {
        socket = new Socket({ fd, readable: true, writable: true });
      } catch (error) {
        closeFd(fd);
        throw error;
      }
    } catch (error) {
      // Never connect unprotected: report a failed attempt, the FSM retries later.
      const failed = new Socket();
      queueMicrotask(() =>
        failed.destroy(new Error("cannot set socket options for the connection", { cause: error })),
      );
      return failed;
    }
    const timeoutMs = Math.max(500, secondsToMs(this.#config.connectRetry) - 500);
    const clock = o.clock;
    const timer = clock.setTimeout(() => {
      if (!socket.connecting) return;
      socket.destroy(new Error(connectTimeoutMessage(o.peerAddress, o.peerPort, timeoutMs, security)));
    }, timeoutMs);
    const clear = () => clock.clearTimeout(timer);
    socket.once("connect", clear);
    socket.once("close", clear);
    socket.connect(this.#connectOptions());
    return socket;
  }
}

/** Why an unanswered connect may be unanswered, for the down event and the log. */
export function connectTimeoutMessage(
  peer: string,
  port: number,
  timeoutMs: number,
  security: TransportSecurity,
): string {
  const hints: string[] = [];
  if (security.md5Key !== undefined) {
    hints.push(
      "a TCP-MD5 key mismatch (a wrong key, or no key on the peer's side for our address) looks exactly like this: the peer's kernel drops our segments without a reply",
    );
  }
  if (security.minIncomingTtl !== undefined) {
    hints.push(
      "so does a peer without TTL security (GTSM), whose replies arrive below our minimum TTL, or one more hops away than ttlSecurity allows",
    );
  }
  const base = `connect to ${peer} port ${port} got no answer in ${(timeoutMs / 1000).toFixed(1)} s`;
  return hints.length === 0 ? base : `${base}; ${hints.join("; ")}`;
}
