import createDebug from "debug";
import { EventEmitter } from "eventemitter3";
import { realClock } from "../clock.js";
import type { DownReason, FsmState, NegotiatedCapabilities } from "../fsm/types.js";
import { BgpListener } from "../session/listener.js";
import { BgpSession } from "../session/session.js";
import { resolveTransportSecurity, socketCalls } from "../session/socket-options.js";
import { BGP_PORT, type SessionOptions } from "../session/types.js";
import { canonicalAddress } from "../wire/address.js";
import { ADDRESS_FAMILIES } from "../wire/family.js";
import { canonicalPrefix, canonicalPrefixInto } from "../wire/prefix.js";
import type { AddressFamily } from "../wire/types.js";
import type { RibInChange } from "./adj-rib-in.js";
import { RibOutTable } from "./adj-rib-out.js";
import { resolveBfdOptions, SpeakerBfd } from "./bfd.js";
import { chooseNextHop } from "./next-hop.js";
import { checkObject, checkPeerOptions, checkSpeakerOptions, rejectUnknownKeys } from "./options.js";
import { Peer, type PeerStatus } from "./peer.js";
import {
  type AnnounceAttributes,
  normalizeAttributes,
  type PeerSelector,
  type RouteAttributes,
  withGracefulShutdown,
} from "./route.js";

import {
  type Announcement,
  type PeerOptions,
  type RibEntry,
  SPEAKER_EVENT_NAMES,
  type SpeakerEventItem,
  type SpeakerEvents,
  type SpeakerOptions,
} from "./types.js";

const log = createDebug("bgp:speaker");
/** The wire NLRI entry of the prefix being announced, written by canonicalPrefixInto (17 octets max). */
const ANNOUNCED_NLRI = new Uint8Array(17);

interface ResolvedPeer {
  readonly peer: Peer;
  readonly options: PeerOptions;
}

/**
 * A BGP speaker for services that announce their own prefixes: add peers, announce and withdraw,
 * and every peer is kept told through reconnects. `announce` and `withdraw` are synchronous and
 * cheap; UPDATEs follow as fast as each session's socket drains.
 * @category Speaker
 */
export class BgpSpeaker extends EventEmitter<SpeakerEvents> {
  /** The options the speaker was built with, as given (validated). */
  readonly options: Readonly<SpeakerOptions>;
  private readonly peers = new Map<string, ResolvedPeer>();
  /** `peers` as an array, rebuilt after a peer is added or removed. */
  private allPeers: ResolvedPeer[] | null = null;
  /**
   * Every peer's Adj-RIB-Out in one table: routes announced to all peers (including peers added
   * later) once, and per peer only its exceptions and what its session was told.
   */
  private readonly ribOut = new RibOutTable();
  private listener: BgpListener | null = null;
  private boundPort: number | null = null;
  private state: SpeakerLifecycle = "new";
  /** The start() in progress, which every concurrent caller awaits. */
  private starting: Promise<void> | null = null;
  /** The close() in progress or done, which every caller awaits. */
  private closing: Promise<void> | null = null;
  private readonly defaultAttributes = normalizeAttributes(undefined);
  /**
   * Normalised attributes per caller object, with a copy of what the object held when it was
   * normalised: a hit is used only while the object still holds exactly that (see normalize).
   */
  private readonly attributeCache = new WeakMap<object, CachedAttributes>();
  private readonly bfd: SpeakerBfd;
  /** The last targets, family and attributes whose next hop checkNextHop found to fit. */
  private nextHopChecked: {
    targets: readonly ResolvedPeer[] | null;
    family: AddressFamily | null;
    attributes: RouteAttributes | null;
  } = { targets: null, family: null, attributes: null };

  constructor(options: SpeakerOptions) {
    super();
    checkSpeakerOptions(options);
    this.options = Object.freeze({ ...options });
    this.bfd = new SpeakerBfd(this.options, {
      up: (event) => this.emit("bfd-up", event),
      down: (event) => this.emit("bfd-down", event),
    });
  }

  /**
   * Where the speaker is in its life: "new" (not started, or its start() failed and may be
   * retried), "starting", "running", "closing", "closed". See docs/sessions.md, "Lifecycle".
   */
  get lifecycle(): SpeakerLifecycle {
    return this.state;
  }

  /** The port the listener is bound to (useful with `listen: { port: 0 }`), or null. */
  get listenPort(): number | null {
    return this.boundPort;
  }

  /**
   * Add a neighbor. Before `start()` it waits; after, it starts at once. Routes already announced
   * to all peers are sent to it when its session comes up.
   */
  addPeer(options: PeerOptions): void {
    this.assertOpen("addPeer");
    checkPeerOptions(options);
    const address = canonicalPeerAddress(options.address);
    const name = options.name ?? address;
    if (this.peers.has(name)) throw new TypeError(`addPeer: peer ${name} is already configured`);
    for (const p of this.peers.values()) {
      if (p.peer.settings.address === address)
        throw new TypeError(`addPeer: a peer with address ${address} is already configured`);
    }
    const nextHop = options.nextHop;
    const bfd = resolveBfdOptions(name, options.bfd);
    const security = resolveTransportSecurity(options, name);
    // Load the FFI now, so a missing package or platform fails here and never later in a connect.
    if (security !== undefined) socketCalls();
    // Options go through under their own names; BgpSession fills in its defaults (SESSION_DEFAULTS).
    const session = new BgpSession({
      localAsn: this.options.asn,
      routerId: this.options.routerId,
      peerAddress: address,
      peerAsn: options.asn,
      ...(options.port === undefined ? {} : { peerPort: options.port }),
      ...(security === undefined ? {} : { security }),
      ...definedOf(this.options, SPEAKER_SESSION_KEYS),
      // The peer's own times win over the speaker's.
      ...definedOf(options, PEER_SESSION_KEYS),
    });
    // Installs the peer's key on the listener; a failure leaves nothing behind.
    this.listener?.addSession(session);
    const peer = new Peer(
      {
        name,
        address,
        asn: options.asn,
        localAsn: this.options.asn,
        allowAsIn: options.allowAsIn ?? 0,
        ...(options.maxPrefixes === undefined ? {} : { maxPrefixes: options.maxPrefixes }),
        ...(nextHop === undefined ? {} : { nextHop }),
      },
      session,
      this.peerCallbacks,
      this.ribOut,
      this.options.clock,
    );
    this.peers.set(name, { peer, options });
    this.allPeers = null;
    if (bfd !== null) this.bfd.add(peer, bfd);
    if (this.state === "running") session.start();
    log("added peer %s (%s, AS%d)", name, address, options.asn);
  }

  /** Remove a neighbor: Cease / Peer De-configured, and its routes are forgotten. */
  async removePeer(name: string): Promise<void> {
    this.assertOpen("removePeer");
    const entry = this.resolvePeer(name);
    this.peers.delete(entry.peer.name);
    this.allPeers = null;
    entry.peer.dispose();
    this.bfd.remove(entry.peer);
    this.listener?.removeSession(entry.peer.session);
    await entry.peer.session.stop({ subcode: 3 });
  }

  /**
   * Open the listener (when configured) and start every peer. Concurrent calls share one start;
   * after a failure (the listen address in use) nothing is left half-started and start() may be
   * called again.
   */
  start(): Promise<void> {
    if (this.state === "closing" || this.state === "closed") {
      return Promise.reject(closedError("start"));
    }
    if (this.state === "running") return Promise.resolve();
    if (this.starting !== null) return this.starting;
    this.state = "starting";
    const starting = this.bindAndStart().finally(() => {
      if (this.starting === starting) this.starting = null;
    });
    this.starting = starting;
    return starting;
  }

  private async bindAndStart(): Promise<void> {
    const listen = this.options.listen;
    let port: number | null = null;
    try {
      if (listen !== undefined && listen !== false) {
        const listener = new BgpListener({
          port: listen.port ?? BGP_PORT,
          ...(listen.host === undefined ? {} : { host: listen.host }),
        });
        // Sessions first, so per-peer socket options (TCP-MD5 keys) are in place when it binds;
        // peers added while it binds join it through addPeer.
        for (const { peer } of this.peers.values()) listener.addSession(peer.session);
        this.listener = listener;
        port = (await listener.listen()).port;
      }
      await this.bfd.start();
    } catch (error) {
      // Nothing half-started: the listener is closed and start() may be called again.
      const listener = this.listener;
      this.listener = null;
      await listener?.close();
      if (this.state === "starting") this.state = "new";
      throw error;
    }
    if (this.state !== "starting") {
      // close() was called while we bound: it waits for us, and the listener is closed there.
      throw closedError("start");
    }
    this.boundPort = port;
    this.state = "running";
    for (const { peer } of this.peers.values()) peer.session.start();
  }

  /**
   * Announce `prefix` (or replace its attributes) to every peer, or to `attributes.peers`.
   * Throws TypeError at once on an invalid prefix, next hop or attribute.
   */
  announce(prefix: string, attributes?: AnnounceAttributes & PeerSelector): void {
    if (this.state === "closing" || this.state === "closed") throw closedError("announce");
    const { prefix: canonical, family } = canonicalPrefixInto(prefix, ANNOUNCED_NLRI);
    const normalized = this.normalize(attributes);
    const targets = this.targetsFitting(canonical, family, normalized, attributes?.peers);
    const route = { family, attributes: normalized };
    if (attributes?.peers === undefined) {
      // ANNOUNCED_NLRI still holds this prefix's octets: nothing since has parsed a prefix into it.
      this.ribOut.setGlobal(canonical, route, ANNOUNCED_NLRI);
      // Only a peer with a session has anything to flush (the others replay when one comes up).
      if (this.ribOut.hasLiveViews) for (const { peer } of targets) peer.scheduleFlush();
    } else {
      for (const { peer } of targets) peer.setRoute(canonical, route);
    }
  }

  /** Withdraw `prefix` from every peer (or from `options.peers`); a no-op where it was not announced. */
  withdraw(prefix: string, options?: PeerSelector): void {
    if (this.state === "closing" || this.state === "closed") throw closedError("withdraw");
    if (options !== undefined) checkSelector("withdraw", options, SELECTOR_KEYS);
    const { prefix: canonical } = canonicalPrefix(prefix);
    if (options?.peers === undefined) {
      this.ribOut.deleteGlobal(canonical);
      if (this.ribOut.hasLiveViews) for (const { peer } of this.targets(undefined)) peer.scheduleFlush();
    } else {
      for (const { peer } of this.targets(options.peers)) peer.deleteRoute(canonical);
    }
  }

  /**
   * RFC 8326 graceful shutdown: re-announce `prefix` (or every announced prefix) with the
   * GRACEFUL_SHUTDOWN community (65535:0), so routers move traffic away before a withdraw.
   * `undrain` takes it back.
   */
  drain(prefix?: string, options?: PeerSelector): void {
    this.assertOpen("drain");
    this.setGracefulShutdown(prefix, options, true);
  }

  /** Ends a `drain`: re-announces `prefix` (or every drained prefix) without GRACEFUL_SHUTDOWN. */
  undrain(prefix?: string, options?: PeerSelector): void {
    this.assertOpen("undrain");
    this.setGracefulShutdown(prefix, options, false);
  }

  private setGracefulShutdown(
    prefix: string | undefined,
    options: PeerSelector | undefined,
    on: boolean,
  ): void {
    if (options !== undefined) checkSelector(on ? "drain" : "undrain", options, SELECTOR_KEYS);
    const only = prefix === undefined ? undefined : canonicalPrefix(prefix).prefix;
    const flip = (a: RouteAttributes) => withGracefulShutdown(a, on);
    if (options?.peers === undefined) {
      this.ribOut.mapGlobal(only, flip);
      for (const { peer } of this.targets(undefined)) {
        peer.ribOut.mapOwn(only, flip);
        peer.scheduleFlush();
      }
      return;
    }
    for (const { peer } of this.targets(options.peers)) {
      const routes =
        only === undefined
          ? [...peer.ribOut.desired()]
          : ((r) => (r === undefined ? [] : [[only, r] as const]))(peer.ribOut.desiredRoute(only));
      for (const [p, route] of routes) {
        peer.setRoute(p, { family: route.family, attributes: flip(route.attributes) });
      }
    }
  }

  /** Ask peers (all, or those named) to send their routes again (RFC 2918). */
  refresh(options?: PeerSelector & { family?: AddressFamily }): void {
    this.assertOpen("refresh");
    if (options !== undefined) {
      checkSelector("refresh", options, REFRESH_KEYS);
      if (options.family !== undefined && !ADDRESS_FAMILIES.includes(options.family)) {
        throw new TypeError(
          `refresh: family: expected one of ${ADDRESS_FAMILIES.join(", ")}, got ${JSON.stringify(options.family)}`,
        );
      }
    }
    for (const { peer } of this.targets(options?.peers)) peer.requestRefresh(options?.family);
  }

  /** What we announce, per prefix. */
  announcements(): Announcement[] {
    const byPrefix = new Map<
      string,
      { family: AddressFamily; attributes: RouteAttributes; peers: string[] }
    >();
    for (const { peer } of this.peers.values()) {
      for (const [prefix, route] of peer.ribOut.desired()) {
        let entry = byPrefix.get(prefix);
        if (entry === undefined) {
          entry = { family: route.family, attributes: route.attributes, peers: [] };
          byPrefix.set(prefix, entry);
        }
        entry.peers.push(peer.name);
      }
    }
    for (const [prefix, route] of this.ribOut.globalRoutes()) {
      if (!byPrefix.has(prefix)) byPrefix.set(prefix, { ...route, peers: [] });
    }
    return [...byPrefix].map(([prefix, e]) => {
      const { key: _key, ...attributes } = e.attributes;
      return { prefix, family: e.family, attributes, peers: e.peers };
    });
  }

  /** Routes received and held, from one peer or all. */
  adjRibIn(peer?: string): RibEntry[] {
    const out: RibEntry[] = [];
    for (const { peer: p } of peer === undefined ? this.peers.values() : [this.resolvePeer(peer)]) {
      for (const route of p.ribIn.list()) out.push({ ...route, peer: p.name });
    }
    return out;
  }

  /** Per-peer state and counters, as plain data. */
  peerStatus(): PeerStatus[] {
    // The clock the sessions stamp Established with, so uptime never mixes two clocks.
    const nowMs = (this.options.clock ?? realClock).now();
    return [...this.peers.values()].map(({ peer }) => peer.status(nowMs, this.bfd.status(peer)));
  }

  /**
   * Say goodbye: Cease / Administrative Shutdown (with `shutdownMessage`, RFC 9003) to every
   * peer, sockets closed, listener closed, timers cleared.
   */
  close(options?: { shutdownMessage?: string }): Promise<void> {
    // Every caller gets the same promise: none resolves before the Cease has gone out.
    if (this.closing !== null) return this.closing;
    const starting = this.starting;
    this.state = "closing";
    this.closing = this.shutdown(starting, options).finally(() => {
      this.state = "closed";
    });
    return this.closing;
  }

  private async shutdown(
    starting: Promise<void> | null,
    options: { shutdownMessage?: string } | undefined,
  ): Promise<void> {
    if (starting !== null) await starting.catch(() => undefined);
    // Changes made just before close (withdrawals on shutdown) go out ahead of the Cease.
    for (const { peer } of this.peers.values()) {
      peer.flush(Number.POSITIVE_INFINITY);
      peer.dispose();
    }
    await Promise.all(
      [...this.peers.values()].map(({ peer }) =>
        peer.session.stop(
          options?.shutdownMessage === undefined ? {} : { shutdownMessage: options.shutdownMessage },
        ),
      ),
    );
    await this.bfd.close();
    await this.listener?.close();
    this.listener = null;
    this.boundPort = null;
  }

  /** Supports `for await (const e of speaker.events())` for those who prefer iterators. */
  async *events(signal?: AbortSignal): AsyncGenerator<SpeakerEventItem> {
    const queue: SpeakerEventItem[] = [];
    let wake: (() => void) | null = null;
    // The typed emitter cannot name "any of these events" in one listener; this view can.
    const loose = this as unknown as EventEmitter<Record<string, (event: unknown) => void>>;
    const handlers = SPEAKER_EVENT_NAMES.map((type) => {
      const handler = (event: unknown) => {
        queue.push({ type, event } as SpeakerEventItem);
        wake?.();
      };
      loose.on(type, handler);
      return [type, handler] as const;
    });
    const aborted = new Promise<void>((resolve) =>
      signal?.addEventListener("abort", () => resolve(), { once: true }),
    );
    try {
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = null;
      }
    } finally {
      for (const [type, handler] of handlers) loose.off(type, handler);
    }
  }

  /**
   * Attributes are taken by value: a caller's object is normalised once and the result reused
   * only while the object still holds what it held then (a shallow compare of a handful of
   * fields), so a later mutation is validated and takes effect on the next announce(), and never
   * changes what an earlier call sent.
   */
  private normalize(attributes: (AnnounceAttributes & PeerSelector) | undefined): RouteAttributes {
    if (attributes === undefined) return this.defaultAttributes;
    const cached = this.attributeCache.get(attributes);
    if (cached !== undefined && holdsSnapshot(attributes, cached)) return cached.result;
    checkObject("announce", attributes);
    rejectUnknownKeys("announce", attributes, ANNOUNCE_KEYS);
    const { peers: _peers, ...rest } = attributes;
    const result = normalizeAttributes(rest);
    this.attributeCache.set(attributes, snapshotOf(attributes, result));
    return result;
  }

  /**
   * The peers `names` selects (all when undefined); throws when the route's next hop cannot fit
   * one of their sessions (next-hop.ts decides).
   * An IPv4 route without a next hop to a peer over IPv6 is not refused here: announced to all
   * peers it goes to those over IPv4, and the others report it as "route-skipped".
   */
  private targetsFitting(
    prefix: string,
    family: AddressFamily,
    attributes: RouteAttributes,
    names: readonly string[] | undefined,
  ): readonly ResolvedPeer[] {
    // Routes mostly come in runs with the same (interned) attributes to all peers: judged once.
    const checked = this.nextHopChecked;
    if (
      names === undefined &&
      checked.targets === this.targets(undefined) &&
      checked.family === family &&
      checked.attributes === attributes
    ) {
      return checked.targets;
    }
    const explicit = attributes.nextHop;
    const anySession = chooseNextHop({ family, explicit });
    if (!anySession.ok) throw new TypeError(`IPv6 prefix ${prefix} needs an IPv6 next hop, got ${explicit}`);
    const targets = this.targets(names);
    for (const { peer, options } of targets) {
      const choice = chooseNextHop({
        family,
        explicit,
        configured: options.nextHop,
        transport: {
          ipv6: peer.settings.address.includes(":"),
          extendedNextHop: options.extendedNextHop === true,
        },
      });
      if (choice.ok) continue;
      switch (choice.refusal) {
        case "needs-extended-next-hop":
          throw new TypeError(
            `IPv4 prefix ${prefix} with IPv6 next hop ${explicit}: peer ${peer.name} is not configured with extendedNextHop (RFC 8950)`,
          );
        case "no-next-hop-for-transport":
          if (family === "ipv4-unicast") continue;
          throw new TypeError(
            `IPv6 prefix ${prefix} to peer ${peer.name}: the session runs over IPv4, so the route needs an explicit IPv6 next hop (announce(prefix, { nextHop: "2001:db8::1" }) or addPeer({ nextHop: { ipv6 } }))`,
          );
        case "ipv4-next-hop-for-ipv6":
          throw new TypeError(
            `IPv6 prefix ${prefix} to peer ${peer.name} needs an IPv6 next hop, got ${choice.nextHop}`,
          );
        default:
          throw choice.refusal satisfies never;
      }
    }
    if (names === undefined) this.nextHopChecked = { targets, family, attributes };
    return targets;
  }

  private assertOpen(call: string): void {
    if (this.state === "closing" || this.state === "closed") throw closedError(call);
  }

  private resolvePeer(nameOrAddress: string): ResolvedPeer {
    const byName = this.peers.get(nameOrAddress);
    if (byName !== undefined) return byName;
    let address: string | null = null;
    try {
      address = canonicalAddress(nameOrAddress);
    } catch {
      // not an address: fall through to the error below
    }
    for (const entry of this.peers.values()) if (entry.peer.settings.address === address) return entry;
    throw new TypeError(`no peer named ${JSON.stringify(nameOrAddress)}`);
  }

  private targets(names: readonly string[] | undefined): readonly ResolvedPeer[] {
    // Every announce() without `peers` lands here: reuse one array rather than build one per call.
    if (names === undefined) {
      if (this.allPeers === null) this.allPeers = [...this.peers.values()];
      return this.allPeers;
    }
    return names.map((n) => this.resolvePeer(n));
  }

  private readonly peerCallbacks = {
    onEstablished: (peer: Peer, negotiated: NegotiatedCapabilities) => {
      this.emit("established", { peer: peer.name, negotiated });
    },
    onDown: (peer: Peer, reason: DownReason) => {
      this.emit("down", { peer: peer.name, reason });
    },
    onState: (peer: Peer, from: FsmState, to: FsmState) => {
      this.emit("state", { peer: peer.name, from, to });
    },
    wantsRouteEvents: () => this.listenerCount("route") > 0,
    onRibIn: (peer: Peer, changes: readonly RibInChange[]) => {
      if (this.listenerCount("route") === 0) return;
      for (const c of changes) {
        if (c.type === "announce") {
          const r = c.route;
          this.emit("route", {
            peer: peer.name,
            family: r.family,
            type: "announce",
            prefix: r.prefix,
            ...(r.pathId === undefined ? {} : { pathId: r.pathId }),
            attributes: r.attributes,
            ...(r.nextHop === undefined ? {} : { nextHop: r.nextHop }),
          });
        } else {
          this.emit("route", {
            peer: peer.name,
            family: c.family,
            type: "withdraw",
            prefix: c.prefix,
            ...(c.pathId === undefined ? {} : { pathId: c.pathId }),
          });
        }
      }
    },
    onEndOfRib: (peer: Peer, family: AddressFamily) => {
      this.emit("end-of-rib", { peer: peer.name, family });
    },
    onRouteSkipped: (peer: Peer, prefix: string, reason: string) => {
      log("not sending %s to %s: %s", prefix, peer.name, reason);
      this.emit("route-skipped", { peer: peer.name, prefix, reason });
    },
  };
}

/**
 * Where a speaker is in its life (`speaker.lifecycle`): "new" until `start()` (and again if it
 * failed), "starting" until the listener is bound, "running", then "closing" and "closed" once
 * `close()` is called. See docs/sessions.md, "Lifecycle".
 * @category Speaker
 */
export type SpeakerLifecycle = "new" | "starting" | "running" | "closing" | "closed";

function closedError(call: string): Error {
  return new Error(`${call}(): the speaker is closed (close() was called)`);
}

/** SpeakerOptions that BgpSession takes unchanged, under the same name, for every peer. */
const SPEAKER_SESSION_KEYS = [
  "holdTime",
  "connectRetry",
  "sendHoldTime",
  "clock",
  "random",
] as const satisfies readonly (keyof SpeakerOptions & keyof SessionOptions)[];

/** PeerOptions that BgpSession takes unchanged, under the same name. */
const PEER_SESSION_KEYS = [
  "holdTime",
  "connectRetry",
  "sendHoldTime",
  "delayOpen",
  "localAddress",
  "passive",
  "families",
  "requiredFamilies",
  "addPath",
  "extendedMessage",
  "extendedNextHop",
  "gracefulRestart",
] as const satisfies readonly (keyof PeerOptions & keyof SessionOptions)[];

/** The `keys` of `source` that are set, so an absent option falls to the next source or the default. */
function definedOf<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    if (source[key] !== undefined) out[key] = source[key];
  }
  return out;
}

/** The keys announce() understands: the attributes and the peer selector. */
const ANNOUNCE_KEYS: Record<keyof (AnnounceAttributes & PeerSelector), true> = {
  nextHop: true,
  med: true,
  localPref: true,
  communities: true,
  largeCommunities: true,
  extendedCommunities: true,
  asPathPrepend: true,
  origin: true,
  peers: true,
};
const SELECTOR_KEYS: Record<keyof PeerSelector, true> = { peers: true };
const REFRESH_KEYS: Record<keyof (PeerSelector & { family?: AddressFamily }), true> = {
  peers: true,
  family: true,
};

function checkSelector(call: string, options: object, known: object): void {
  checkObject(call, options);
  rejectUnknownKeys(call, options, known);
  const peers = (options as PeerSelector).peers;
  if (peers !== undefined && !Array.isArray(peers)) {
    throw new TypeError(`${call}: peers: expected an array of peer names`);
  }
}

/** An address in canonical form; a link-local IPv6 address needs its zone ("fe80::1%eth0"). */
function canonicalPeerAddress(text: string): string {
  const zoneAt = typeof text === "string" ? text.indexOf("%") : -1;
  let address: string;
  try {
    address = canonicalAddress(zoneAt < 0 ? text : text.slice(0, zoneAt));
  } catch {
    throw new TypeError(
      `invalid peer address ${JSON.stringify(text)}: expected an IPv4 or IPv6 address (link-local with its zone, fe80::1%eth0)`,
    );
  }
  const zone = zoneAt < 0 ? "" : text.slice(zoneAt + 1);
  if (isLinkLocal(address) && zone === "") {
    throw new TypeError(
      `peer address ${text} is link-local: add its interface as a zone, e.g. ${address}%eth0`,
    );
  }
  if (zone !== "" && !isLinkLocal(address)) {
    throw new TypeError(`peer address ${text}: a zone goes only with a link-local address (fe80::/10)`);
  }
  if (zone !== "" && !/^[A-Za-z0-9_.:-]{1,15}$/.test(zone)) {
    throw new TypeError(`peer address ${text}: ${JSON.stringify(zone)} is not an interface name`);
  }
  return zone === "" ? address : `${address}%${zone}`;
}

/** fe80::/10. */
export function isLinkLocal(address: string): boolean {
  const bare = address.split("%")[0]?.toLowerCase() ?? "";
  return bare.includes(":") && /^fe[89ab]/.test(bare);
}

interface CachedAttributes {
  /** The caller's fields when normalised; arrays copied. */
  readonly fields: Record<string, unknown>;
  readonly count: number;
  readonly result: RouteAttributes;
}

function snapshotOf(input: object, result: RouteAttributes): CachedAttributes {
  const fields: Record<string, unknown> = {};
  let count = 0;
  for (const [key, value] of Object.entries(input)) {
    fields[key] = Array.isArray(value) ? [...value] : value;
    count++;
  }
  return { fields, count, result };
}

/** Whether `input` holds exactly the fields it held when `cached` was taken. */
function holdsSnapshot(input: object, cached: CachedAttributes): boolean {
  const fields = cached.fields;
  let count = 0;
  // Plain objects: for-in walks V8's enum cache; a key added since (a misspelt `mde`) changes the count.
  for (const key in input) {
    const value = (input as Record<string, unknown>)[key];
    const was = fields[key];
    if (value !== was) {
      if (!Array.isArray(value) || !Array.isArray(was) || value.length !== was.length) return false;
      for (let i = 0; i < value.length; i++) if (value[i] !== was[i]) return false;
    } else if (value === undefined && !(key in fields)) {
      return false;
    }
    count++;
  }
  return count === cached.count;
}
