import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import createDebug from "debug";
import { decodeControl } from "./codec.js";
import {
  BFD_CONTROL_PORT,
  BFD_HEADER_LENGTH,
  BFD_SOURCE_PORT_MAX,
  BFD_SOURCE_PORT_MIN,
  BFD_TTL,
} from "./constants.js";
import { BfdError } from "./error.js";
import type { BfdSession } from "./session.js";

const log = createDebug("bgp:bfd");

/**
 * The address family of a socket pair: BFD over IPv4 or over IPv6.
 * @category BFD
 */
export type BfdFamily = "ipv4" | "ipv6";

/**
 * Options for `new BfdTransport`.
 * @category BFD
 */
export interface BfdTransportOptions {
  /** UDP port we receive on (default 3784, RFC 5881 §4). */
  readonly port?: number;
  /** Address to bind the receiving and the sending socket of its family to (default any). */
  readonly host?: string;
  /** Uniform in [0, 1): picks source ports and discriminators. */
  readonly random?: () => number;
}

interface FamilySockets {
  readonly rx: Socket;
  readonly tx: Socket;
}

/**
 * Counters of the transport as a whole.
 * @category BFD
 */
export interface BfdTransportStats {
  /** Datagrams the codec refused. */
  malformed: number;
  /** Well-formed packets that matched no session. */
  unmatched: number;
}

const familyOf = (address: string): BfdFamily => (address.includes(":") ? "ipv6" : "ipv4");
const unmapped = (address: string): string =>
  address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;

/**
 * The thin node:dgram edge of BFD (RFC 5881): per address family, one socket receives on port
 * 3784 for every session and one sends for every session, from a port in 49152–65535 with TTL /
 * Hop Limit 255. Received packets go to the session their Your Discriminator names, or, while the
 * neighbor does not know ours yet (Your Discriminator 0), to the session of their source address.
 *
 * Node cannot read the TTL of a received datagram, so the RFC 5881 §5 check (TTL 255) is not
 * made here; docs/bfd.md shows the nftables rule that makes it, and authentication protects the
 * session from off-link spoofing.
 * @category BFD
 */
export class BfdTransport {
  /** Counters, updated in place. */
  readonly stats: BfdTransportStats = { malformed: 0, unmatched: 0 };
  private readonly port: number;
  private readonly host: string | undefined;
  private readonly random: () => number;
  private readonly sockets = new Map<BfdFamily, Promise<FamilySockets>>();
  /** The sockets of each family once bound. */
  private readonly ready = new Map<BfdFamily, FamilySockets>();
  private readonly byDiscriminator = new Map<number, BfdSession>();
  private readonly byAddress = new Map<string, BfdSession>();
  /** Discriminators handed out, also to sessions not added yet. */
  private readonly reserved = new Set<number>();
  private closed = false;

  constructor(options: BfdTransportOptions = {}) {
    this.port = options.port ?? BFD_CONTROL_PORT;
    this.host = options.host;
    this.random = options.random ?? Math.random;
  }

  /** A discriminator no session of this transport uses: nonzero, random (RFC 5880 §6.3). */
  allocateDiscriminator(): number {
    // Random, then the next free one: an injected random source may repeat itself.
    let d = Math.floor(this.random() * 0xffffffff) + 1;
    while (d > 0xffffffff || this.byDiscriminator.has(d) || this.reserved.has(d)) {
      d = d >= 0xffffffff ? 1 : d + 1;
    }
    this.reserved.add(d);
    return d;
  }

  /** Open the sockets of `family` (once); rejects when the port cannot be bound. */
  open(family: BfdFamily): Promise<void> {
    if (this.closed) return Promise.reject(new Error("BFD transport is closed"));
    let sockets = this.sockets.get(family);
    if (sockets === undefined) {
      sockets = this.bind(family);
      this.sockets.set(family, sockets);
      sockets.then(
        (s) => {
          if (this.closed) for (const socket of [s.rx, s.tx]) socket.close();
          else this.ready.set(family, s);
        },
        () => {},
      );
      sockets.catch(() => this.sockets.delete(family));
    }
    return sockets.then(() => undefined);
  }

  /** Route packets from `session.peerAddress` (and to its discriminator) to `session`. */
  add(session: BfdSession): void {
    this.byDiscriminator.set(session.localDiscriminator, session);
    this.byAddress.set(session.peerAddress, session);
  }

  /** Stops routing packets to `session` and frees its discriminator. */
  remove(session: BfdSession): void {
    if (this.byDiscriminator.get(session.localDiscriminator) === session)
      this.byDiscriminator.delete(session.localDiscriminator);
    if (this.byAddress.get(session.peerAddress) === session) this.byAddress.delete(session.peerAddress);
    this.reserved.delete(session.localDiscriminator);
  }

  /**
   * A sender for one neighbor: drops packets (with a log line) until its family's sockets are
   * open, and after close(). Sending never throws: BFD's answer to a lost packet is the next one.
   */
  sender(peerAddress: string, peerPort = BFD_CONTROL_PORT): (bytes: Uint8Array) => void {
    const family = familyOf(peerAddress);
    const sent = (error: Error | null) => {
      if (error) log("send to %s failed: %s", peerAddress, error.message);
    };
    return (bytes) => {
      if (this.closed) return;
      const sockets = this.ready.get(family);
      if (sockets === undefined) {
        log("BFD %s sockets not open: packet to %s dropped", family, peerAddress);
        return;
      }
      try {
        sockets.tx.send(bytes, peerPort, peerAddress, sent);
      } catch (error) {
        sent(error as Error);
      }
    };
  }

  /** Closes every socket; senders drop packets from then on. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sockets.values()];
    this.sockets.clear();
    this.ready.clear();
    for (const p of all) {
      try {
        const { rx, tx } = await p;
        await Promise.all([rx, tx].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      } catch {
        // never bound
      }
    }
  }

  private async bind(family: BfdFamily): Promise<FamilySockets> {
    const type = family === "ipv4" ? "udp4" : "udp6";
    const host = this.host !== undefined && familyOf(this.host) === family ? this.host : undefined;
    const rx = createSocket({ type, ipv6Only: family === "ipv6" });
    rx.on("message", (msg, rinfo) => this.receive(msg, rinfo));
    try {
      await listen(rx, this.port, host);
    } catch (error) {
      rx.close();
      throw new Error(
        `cannot receive BFD on UDP ${host ?? (family === "ipv4" ? "0.0.0.0" : "[::]")}:${this.port}: ${(error as Error).message}${(error as NodeJS.ErrnoException).code === "EACCES" ? " (port 3784 needs root or CAP_NET_BIND_SERVICE)" : ""}`,
        { cause: error },
      );
    }
    // RFC 5881 §4: "The source port MUST be in the range 49152 through 65535. The same UDP source
    // port number MUST be used for all BFD Control packets associated with a particular session."
    const span = BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1;
    for (let attempt = 0; ; attempt++) {
      const tx = createSocket({ type, ipv6Only: family === "ipv6" });
      tx.on("message", (msg, rinfo) => this.receive(msg, rinfo));
      const port = BFD_SOURCE_PORT_MIN + Math.floor(this.random() * span);
      try {
        await listen(tx, port, host);
        // RFC 5881 §5: "all BFD Control packets ... MUST be transmitted with a TTL or Hop Limit
        // value of 255". setTTL sets IP_TTL on IPv4 and IPV6_UNICAST_HOPS on IPv6 sockets.
        tx.setTTL(BFD_TTL);
        tx.on("error", (error) => log("BFD %s send socket: %s", family, error.message));
        rx.on("error", (error) => log("BFD %s receive socket: %s", family, error.message));
        log("BFD %s: receiving on %d, sending from %d", family, this.port, port);
        return { rx, tx };
      } catch (error) {
        tx.close();
        if (attempt >= 20) {
          rx.close();
          throw new Error(`cannot bind a BFD source port in 49152-65535: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
    }
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    let packet: ReturnType<typeof decodeControl>;
    try {
      packet = decodeControl(msg);
    } catch (error) {
      if (!(error instanceof BfdError)) throw error;
      this.stats.malformed++;
      log("from %s: %s", rinfo.address, error.message);
      return;
    }
    const from = unmapped(rinfo.address);
    const session =
      packet.yourDiscriminator !== 0
        ? this.byDiscriminator.get(packet.yourDiscriminator)
        : this.byAddress.get(from);
    // A single-hop session's packets come from the neighbor's own address (RFC 5881 §3: sessions
    // are bound to an interface and a neighbor).
    if (session === undefined || session.peerAddress !== from) {
      this.stats.unmatched++;
      log("from %s: no session for Your Discriminator %d", from, packet.yourDiscriminator);
      return;
    }
    const length = msg[3];
    const bytes = length === msg.length ? msg : msg.subarray(0, length);
    session.receive(packet, bytes.length >= BFD_HEADER_LENGTH ? bytes : msg);
  }
}

function listen(socket: Socket, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    socket.once("error", onError);
    socket.bind({ port, ...(host === undefined ? {} : { address: host }), exclusive: true }, () => {
      socket.off("error", onError);
      resolve();
    });
  });
}
