import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import createDebug from "debug";
import { canonicalAddress } from "../wire/address.js";
import {
  handleFd,
  setMd5Key,
  setMinIncomingTtl,
  setOutgoingTtl,
  setWildcardMd5Key,
  type TransportSecurity,
} from "./socket-options.js";

const debug = createDebug("bgp:session");

/**
 * What the listener needs from a session: its peer's address and a way to hand it a socket.
 * @category Sessions
 */
export interface AcceptingSession {
  /** The peer's address; connections from it are handed to this session. */
  readonly peerAddress: string;
  /** TCP-MD5 key and TTL settings for this peer's connections, if any (socket-options.ts). */
  readonly security?: TransportSecurity | undefined;
  /** Takes over an accepted connection from the peer (paused; nothing read yet). */
  acceptConnection(socket: Socket): void;
}

/**
 * "::ffff:198.51.100.1" and "198.51.100.1" are the same peer; IPv6 in RFC 5952 form; a link-local
 * address keeps its zone ("fe80::1%eth0").
 */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
  const zoneAt = mapped.indexOf("%");
  try {
    if (zoneAt < 0) return canonicalAddress(mapped);
    return `${canonicalAddress(mapped.slice(0, zoneAt))}${address.slice(address.indexOf("%"))}`;
  } catch {
    return mapped;
  }
}

/**
 * One TCP listener shared by many sessions. Connections from an address no session is configured
 * for are destroyed on arrival: sockets start paused, so nothing of theirs is ever read.
 * @category Sessions
 */
export class BgpListener {
  readonly #host: string | undefined;
  readonly #port: number;
  readonly #backlog: number;
  readonly #sessions = new Map<string, AcceptingSession>();
  readonly #server: Server;
  /** The listening socket's fd and family once bound, for per-peer socket options. */
  #bound: { fd: number; family: 4 | 6 } | null = null;
  /** Some peer asked for socket options: the listener-wide ones are kept up to date from then on. */
  #secured = false;
  #wildcardKey: Uint8Array | null = null;

  /** `backlog`: pending-connection queue; the default 511 drops SYNs when hundreds of peers connect at once. */
  constructor(options: { host?: string; port: number; backlog?: number }) {
    this.#host = options.host;
    this.#port = options.port;
    this.#backlog = options.backlog ?? 4096;
    this.#server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) =>
      this.#onConnection(socket),
    );
  }

  /**
   * Binds and starts accepting. Resolves with the port actually bound (useful with port 0);
   * rejects with an Error whose `cause` is the socket error (EADDRINUSE, EACCES).
   */
  listen(): Promise<{
    /** The bound TCP port. */
    port: number;
  }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) =>
        reject(new Error(`cannot listen on port ${this.#port}`, { cause: error }));
      this.#server.once("error", onError);
      this.#server.listen(
        { port: this.#port, ...(this.#host === undefined ? {} : { host: this.#host }) },
        () => {
          this.#server.off("error", onError);
          const address = this.#server.address();
          const port = typeof address === "object" && address !== null ? address.port : this.#port;
          if (this.#secured) {
            try {
              this.#bind(address);
            } catch (error) {
              this.#server.close();
              reject(new Error(`cannot set socket options on the listener (port ${port})`, { cause: error }));
              return;
            }
          }
          resolve({ port });
        },
      );
    });
  }

  /**
   * Routes the peer's connections to `session` and installs its TCP-MD5 key and TTL settings on the
   * listening socket. Throws if another session already has that address.
   */
  addSession(session: AcceptingSession): void {
    const key = normaliseAddress(session.peerAddress);
    if (this.#sessions.has(key) && this.#sessions.get(key) !== session) {
      throw new Error(`a session for ${session.peerAddress} is already on this listener`);
    }
    this.#sessions.set(key, session);
    if (session.security === undefined && !this.#secured) return;
    if (!this.#secured) {
      this.#secured = true;
      if (this.#server.listening) this.#bind(this.#server.address());
      return;
    }
    const b = this.#bound;
    if (b === null) return;
    if (session.security?.md5Key !== undefined) setMd5Key(b.fd, b.family, key, session.security.md5Key);
    this.#applyListenerWide(b);
  }

  /** Stops routing the peer's connections to `session` and removes its key; unknown sessions are ignored. */
  removeSession(session: AcceptingSession): void {
    const key = normaliseAddress(session.peerAddress);
    if (this.#sessions.get(key) !== session) return;
    this.#sessions.delete(key);
    const b = this.#bound;
    if (b === null) return;
    if (session.security?.md5Key !== undefined) setMd5Key(b.fd, b.family, key, null);
    this.#applyListenerWide(b);
  }

  /** First socket options on this listener: every peer's key, then the listener-wide settings. */
  #bind(address: ReturnType<Server["address"]>): void {
    const family = typeof address === "object" && address !== null && address.family === "IPv4" ? 4 : 6;
    const b = { fd: handleFd(this.#server), family } as const;
    for (const [key, session] of this.#sessions) {
      if (session.security?.md5Key !== undefined) setMd5Key(b.fd, b.family, key, session.security.md5Key);
    }
    this.#bound = b;
    this.#applyListenerWide(b);
  }

  /**
   * What the listening socket itself carries, from all its peers:
   * - outgoing TTL: the highest any peer asks for, so our SYN-ACK reaches a GTSM peer with 255;
   * - minimum incoming TTL: only when every peer uses GTSM (then SYNs from further away are dropped
   *   before any handshake); with mixed peers it is set per accepted socket instead;
   * - a wildcard MD5 key (random, known to no one) when every peer has a password, so that nobody
   *   else can complete a TCP handshake with us at all.
   */
  #applyListenerWide(b: { fd: number; family: 4 | 6 }): void {
    const all = [...this.#sessions.values()];
    const ttls = all.map((s) => s.security?.outgoingTtl ?? 0);
    const maxTtl = Math.max(0, ...ttls);
    setOutgoingTtl(b.fd, b.family, maxTtl === 0 ? -1 : maxTtl);
    const mins = all.map((s) => s.security?.minIncomingTtl ?? 0);
    setMinIncomingTtl(b.fd, b.family, all.length > 0 ? Math.min(...mins) : 0);
    const everyKeyed = all.length > 0 && all.every((s) => s.security?.md5Key !== undefined);
    if (everyKeyed && this.#wildcardKey === null) {
      this.#wildcardKey = randomBytes(80);
      setWildcardMd5Key(b.fd, b.family, this.#wildcardKey);
    } else if (!everyKeyed && this.#wildcardKey !== null) {
      this.#wildcardKey = null;
      setWildcardMd5Key(b.fd, b.family, null);
    }
  }

  /** Stop accepting; connections already handed to sessions are theirs to close. */
  close(): Promise<void> {
    this.#bound = null; // its fd is about to go; keys die with it
    return new Promise((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
    });
  }

  #onConnection(socket: Socket): void {
    const remote = socket.remoteAddress;
    const session = remote === undefined ? undefined : this.#sessions.get(normaliseAddress(remote));
    if (session === undefined) {
      debug("refused connection from unconfigured %s", remote);
      socket.destroy();
      return;
    }
    debug("connection from %s:%d", remote, socket.remotePort);
    const security = session.security;
    if (
      security !== undefined &&
      (security.outgoingTtl !== undefined || security.minIncomingTtl !== undefined)
    ) {
      // The key came with the listener; the TTLs are this peer's own. Never run it unprotected.
      try {
        const family = this.#bound?.family ?? 6;
        const fd = handleFd(socket);
        if (security.outgoingTtl !== undefined) setOutgoingTtl(fd, family, security.outgoingTtl);
        if (security.minIncomingTtl !== undefined) setMinIncomingTtl(fd, family, security.minIncomingTtl);
      } catch (error) {
        debug("refused connection from %s: %s", remote, (error as Error).message);
        socket.destroy();
        return;
      }
    }
    session.acceptConnection(socket);
  }
}
