import { createServer, type Server, type Socket } from "node:net";
import createDebug from "debug";
import { canonicalAddress } from "../wire/address.js";

const debug = createDebug("bgp:session");

/** What the listener needs from a session: its peer's address and a way to hand it a socket. */
export interface AcceptingSession {
  readonly peerAddress: string;
  acceptConnection(socket: Socket): void;
}

/** "::ffff:198.51.100.1" and "198.51.100.1" are the same peer; IPv6 in RFC 5952 form. */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
  try {
    return canonicalAddress(mapped);
  } catch {
    return mapped;
  }
}

/**
 * One TCP listener shared by many sessions. Connections from an address no session is configured
 * for are destroyed on arrival: sockets start paused, so nothing of theirs is ever read.
 */
export class BgpListener {
  readonly #host: string | undefined;
  readonly #port: number;
  readonly #backlog: number;
  readonly #sessions = new Map<string, AcceptingSession>();
  readonly #server: Server;

  /** `backlog`: pending-connection queue; the default 511 drops SYNs when hundreds of peers connect at once. */
  constructor(options: { host?: string; port: number; backlog?: number }) {
    this.#host = options.host;
    this.#port = options.port;
    this.#backlog = options.backlog ?? 4096;
    this.#server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) =>
      this.#onConnection(socket),
    );
  }

  listen(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) =>
        reject(new Error(`cannot listen on port ${this.#port}`, { cause: error }));
      this.#server.once("error", onError);
      this.#server.listen(
        { port: this.#port, ...(this.#host === undefined ? {} : { host: this.#host }) },
        () => {
          this.#server.off("error", onError);
          const address = this.#server.address();
          resolve({ port: typeof address === "object" && address !== null ? address.port : this.#port });
        },
      );
    });
  }

  addSession(session: AcceptingSession): void {
    const key = normaliseAddress(session.peerAddress);
    if (this.#sessions.has(key) && this.#sessions.get(key) !== session) {
      throw new Error(`a session for ${session.peerAddress} is already on this listener`);
    }
    this.#sessions.set(key, session);
  }

  removeSession(session: AcceptingSession): void {
    const key = normaliseAddress(session.peerAddress);
    if (this.#sessions.get(key) === session) this.#sessions.delete(key);
  }

  /** Stop accepting; connections already handed to sessions are theirs to close. */
  close(): Promise<void> {
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
    session.acceptConnection(socket);
  }
}
