import { isIP } from "node:net";
import createDebug from "debug";
import {
  AUTH_TYPE_BY_NAME,
  BFD_CONTROL_PORT,
  type BfdAuthName,
  BfdDiag,
  type BfdState,
  describeDiag,
} from "../bfd/constants.js";
import type { BfdNotice, BfdSnapshot } from "../bfd/machine.js";
import { BfdSession } from "../bfd/session.js";
import { type BfdFamily, BfdTransport } from "../bfd/transport.js";
import type { BfdAuthKey } from "../bfd/types.js";
import { realClock } from "../clock.js";
import { CeaseSubcode } from "../wire/constants.js";
import { BgpError } from "../wire/errors.js";
import type { Peer } from "./peer.js";
import type { BfdDownEvent, BfdUpEvent, SpeakerOptions } from "./types.js";

const log = createDebug("bgp:speaker");

/** The defaults of {@link BfdPeerOptions}: 0.3 s × 3 detects a failure in under a second. */
export const BFD_DEFAULTS = Object.freeze({
  interval: 0.3,
  multiplier: 3,
  port: BFD_CONTROL_PORT,
} as const satisfies BfdPeerOptions);

/**
 * The `bfd` option of addPeer: `true` for the defaults (0.3 s × 3, no authentication).
 * @category Speaker
 */
export interface BfdPeerOptions {
  /** Our Desired Min TX and Required Min RX interval in seconds (default 0.3). */
  interval?: number;
  /** Detect Mult: packets missed before the session is declared down (default 3). */
  multiplier?: number;
  /** RFC 5880 §6.7 authentication. `key`: 1–20 octets for SHA1, 1–16 for MD5 (a string is UTF-8). */
  auth?: {
    /** The authentication type, by name. */
    type: BfdAuthName;
    /** Key ID (0–255) sent in each packet, so both ends pick the same key. */
    keyId: number;
    /** The shared secret. */
    key: string | Uint8Array;
  };
  /** The neighbor's BFD UDP port (default 3784; other values are for tests). */
  port?: number;
}

/**
 * BFD as `peerStatus()` reports it.
 * @category Speaker
 */
export interface BfdPeerStatus {
  /** Our session state. */
  readonly state: BfdState;
  /** The state the neighbor last reported. */
  readonly remoteState: BfdState;
  /** bfd.LocalDiag: why the session last went down (RFC 5880 §4.1 code). */
  readonly diag: number;
  /** Our discriminator for this session. */
  readonly localDiscriminator: number;
  /** 0 until the neighbor is heard. */
  readonly remoteDiscriminator: number;
  /** Silence after which the session goes down, in ms (0 before the neighbor is heard). */
  readonly detectionTimeMs: number;
  /** Interval of our periodic packets before jitter, in ms. */
  readonly txIntervalMs: number;
  /** Control packets accepted from the neighbor. */
  readonly packetsIn: number;
  /** Control packets sent. */
  readonly packetsOut: number;
  /** Packets from the neighbor that were refused (bad bytes, authentication, discriminator). */
  readonly discarded: number;
}

export interface ResolvedBfd {
  readonly intervalUs: number;
  readonly multiplier: number;
  readonly auth?: BfdAuthKey;
  readonly port: number;
}

/** Check the `bfd` option of addPeer; throws TypeError naming the option and the accepted range. */
export function resolveBfdOptions(
  peer: string,
  option: true | BfdPeerOptions | undefined,
): ResolvedBfd | null {
  if (option === undefined || (option as unknown) === false) return null;
  const o: BfdPeerOptions = option === true ? {} : option;
  if (typeof o !== "object" || o === null) {
    throw new TypeError(`invalid bfd for peer ${peer}: expected true or { interval, multiplier, auth }`);
  }
  const interval = o.interval ?? BFD_DEFAULTS.interval;
  if (typeof interval !== "number" || !Number.isFinite(interval) || interval < 0.01 || interval > 60) {
    throw new TypeError(
      `invalid bfd.interval ${String(interval)} for peer ${peer}: expected 0.01-60 seconds`,
    );
  }
  const multiplier = o.multiplier ?? BFD_DEFAULTS.multiplier;
  if (!Number.isInteger(multiplier) || multiplier < 1 || multiplier > 255) {
    throw new TypeError(
      `invalid bfd.multiplier ${String(multiplier)} for peer ${peer}: expected an integer 1-255`,
    );
  }
  const port = o.port ?? BFD_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`invalid bfd.port ${String(port)} for peer ${peer}: expected 1-65535`);
  }
  const resolved = { intervalUs: Math.round(interval * 1_000_000), multiplier, port };
  if (o.auth === undefined) return resolved;
  const { type, keyId, key } = o.auth;
  const code = AUTH_TYPE_BY_NAME[type];
  if (code === undefined) {
    throw new TypeError(
      `invalid bfd.auth.type ${JSON.stringify(type)} for peer ${peer}: expected "keyed-sha1", "meticulous-keyed-sha1" or "keyed-md5"`,
    );
  }
  if (!Number.isInteger(keyId) || keyId < 0 || keyId > 255) {
    throw new TypeError(
      `invalid bfd.auth.keyId ${String(keyId)} for peer ${peer}: expected an integer 0-255`,
    );
  }
  const bytes = typeof key === "string" ? new TextEncoder().encode(key) : key;
  const max = type === "keyed-md5" ? 16 : 20;
  if (!(bytes instanceof Uint8Array) || bytes.length < 1 || bytes.length > max) {
    throw new TypeError(`invalid bfd.auth.key for peer ${peer}: expected 1-${max} octets for ${type}`);
  }
  return { ...resolved, auth: { type: code as BfdAuthKey["type"], keyId, key: Uint8Array.from(bytes) } };
}

export interface BfdCallbacks {
  up(event: BfdUpEvent): void;
  down(event: BfdDownEvent): void;
}

/**
 * The speaker's BFD: one transport (one receiving and one sending socket per address family) for
 * every peer, one BFD session per peer that asked for it, tied to the peer's BGP session as
 * RFC 5882 §4.3 asks: BFD going down takes BGP down at once (Cease / BFD Down, RFC 9384), except
 * when the neighbor says its side is AdminDown (§3.2: that is no failure of the path).
 */
export class SpeakerBfd {
  private transport: BfdTransport | null = null;
  private readonly sessions = new Map<Peer, BfdSession>();
  private readonly options: SpeakerOptions;
  private readonly callbacks: BfdCallbacks;
  private started = false;

  constructor(options: SpeakerOptions, callbacks: BfdCallbacks) {
    const port = options.bfdListen?.port;
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new TypeError(`invalid bfdListen.port ${String(port)}: expected 0-65535`);
    }
    const host = options.bfdListen?.host;
    if (host !== undefined && !isIP(host)) {
      throw new TypeError(`invalid bfdListen.host ${JSON.stringify(host)}: expected an IPv4 or IPv6 address`);
    }
    this.options = options;
    this.callbacks = callbacks;
  }

  add(peer: Peer, config: ResolvedBfd): void {
    const transport = this.ensureTransport();
    const address = peer.settings.address;
    const session = new BfdSession(
      address,
      {
        localDiscriminator: transport.allocateDiscriminator(),
        desiredMinTxUs: config.intervalUs,
        requiredMinRxUs: config.intervalUs,
        detectMult: config.multiplier,
        ...(config.auth === undefined ? {} : { auth: config.auth }),
        random: this.options.random ?? Math.random,
      },
      this.options.clock ?? realClock,
      transport.sender(address, config.port),
    );
    session.on("state", (change) => this.changed(peer, session, change));
    transport.add(session);
    this.sessions.set(peer, session);
    if (this.started) {
      transport.open(familyOf(address)).then(
        () => session.start(),
        (error: Error) => log("BFD for %s not started: %s", peer.name, error.message),
      );
    }
  }

  /** Open the sockets every configured family needs, then start the sessions. */
  async start(): Promise<void> {
    this.started = true;
    const transport = this.transport;
    if (transport === null) return;
    const families = new Set([...this.sessions.keys()].map((p) => familyOf(p.settings.address)));
    await Promise.all([...families].map((f) => transport.open(f)));
    for (const session of this.sessions.values()) session.start();
  }

  /** AdminDown to the neighbor, then forget the session. */
  remove(peer: Peer): void {
    const session = this.sessions.get(peer);
    if (session === undefined) return;
    session.stop();
    this.transport?.remove(session);
    this.sessions.delete(peer);
  }

  async close(): Promise<void> {
    for (const peer of [...this.sessions.keys()]) this.remove(peer);
    await this.transport?.close();
    this.transport = null;
  }

  status(peer: Peer): BfdPeerStatus | null {
    const session = this.sessions.get(peer);
    if (session === undefined) return null;
    return toStatus(session.snapshot(), session);
  }

  private ensureTransport(): BfdTransport {
    if (this.transport === null) {
      const listen = this.options.bfdListen;
      this.transport = new BfdTransport({
        ...(listen?.port === undefined ? {} : { port: listen.port }),
        ...(listen?.host === undefined ? {} : { host: listen.host }),
        ...(this.options.random === undefined ? {} : { random: this.options.random }),
      });
    }
    return this.transport;
  }

  private changed(peer: Peer, session: BfdSession, change: Extract<BfdNotice, { kind: "state" }>): void {
    const snapshot = session.snapshot();
    if (change.to === "Up") {
      this.callbacks.up({
        peer: peer.name,
        localDiscriminator: snapshot.localDiscriminator,
        remoteDiscriminator: snapshot.remoteDiscriminator,
        detectionTimeMs: snapshot.detectionTimeUs / 1000,
      });
      return;
    }
    if (change.from !== "Up") return;
    const remoteAdminDown = change.remoteState === "AdminDown";
    const reason = remoteAdminDown
      ? "the neighbor's BFD session is administratively down"
      : describeDiag(change.diag);
    this.callbacks.down({ peer: peer.name, diag: change.diag, reason, remoteAdminDown });
    // RFC 5882 §3.2: "the receipt of AdminDown ... MUST NOT" be treated as a path failure; our own
    // AdminDown (the peer is being removed) is no failure either.
    if (remoteAdminDown || change.diag === BfdDiag.ADMINISTRATIVELY_DOWN) return;
    if (peer.session.state === "Idle") return;
    log("BFD for %s went down (%s): taking the BGP session down", peer.name, reason);
    peer.session.stopWithError(
      BgpError.cease(CeaseSubcode.BFD_DOWN, new Uint8Array(0), `BFD session down: ${reason}`),
    );
  }
}

function familyOf(address: string): BfdFamily {
  return address.includes(":") ? "ipv6" : "ipv4";
}

function toStatus(s: BfdSnapshot, session: BfdSession): BfdPeerStatus {
  return {
    state: s.state,
    remoteState: s.remoteState,
    diag: s.localDiag,
    localDiscriminator: s.localDiscriminator,
    remoteDiscriminator: s.remoteDiscriminator,
    detectionTimeMs: s.detectionTimeUs / 1000,
    txIntervalMs: s.txIntervalUs / 1000,
    packetsIn: session.stats.packetsIn,
    packetsOut: session.stats.packetsOut,
    discarded: session.stats.discarded,
  };
}
