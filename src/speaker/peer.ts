import { networkInterfaces } from "node:os";
import createDebug from "debug";
import type { DownReason, FsmState, NegotiatedCapabilities } from "../fsm/types.js";
import type { BgpSession } from "../session/session.js";
import { RouteRefreshSubtype } from "../wire/constants.js";
import { maxMessageLength } from "../wire/context.js";
import { endOfRib, endOfRibFamily } from "../wire/end-of-rib.js";
import { BgpError } from "../wire/errors.js";
import { ADDRESS_FAMILIES, afiSafiToFamily, familyToAfiSafi } from "../wire/family.js";
import type { AddressFamily, RouteRefreshMessage, UpdateMessage } from "../wire/types.js";
import { Writer } from "../wire/writer.js";
import { AdjRibIn, type RibInChange } from "./adj-rib-in.js";
import { AdjRibOut, type DesiredRoute, type RibOutTable } from "./adj-rib-out.js";
import type { BfdPeerStatus } from "./bfd.js";
import { pathAttributesFor } from "./path-attributes.js";
import type { RouteAttributes } from "./route.js";
import { packAnnouncements, packWithdrawals } from "./update-packer.js";

const log = createDebug("bgp:speaker");

/** How many dirty prefixes one flush step turns into UPDATEs before it checks the socket again. */
const FLUSH_BATCH = 4096;

/**
 * Initial size of the buffer a batch's UPDATEs are written into: FLUSH_BATCH routes fit without
 * growing it for prefixes up to about /112 (IPv6 /48: 7 octets each, IPv4 /24: 4).
 */
const PACK_BUFFER_SIZE = 64 * 1024;

/**
 * Longest a flush runs before it yields to the event loop (setImmediate), so that a table of a
 * million routes going out never holds up other sessions' keepalives and timers.
 */
const FLUSH_SLICE_MS = 10;

/** Withdraw events reported at once when a session with many routes goes down (FLUSH_SLICE_MS per turn). */
const REPORT_SLICE = 256;

/**
 * ROUTE-REFRESH rate limit per peer (token bucket): up to REFRESH_BURST refreshes at once, then
 * one per REFRESH_INTERVAL_MS. Requests over the limit are not lost: they are folded into one
 * refresh per family that starts when a token is free. A request for a family whose refresh is
 * still being sent is folded into it.
 */
export const REFRESH_BURST = 3;
export const REFRESH_INTERVAL_MS = 5000;

/** Plain-data status of one peer, for dashboards and health endpoints. */
export interface PeerStatus {
  readonly name: string;
  readonly address: string;
  readonly asn: number;
  readonly state: FsmState;
  /** Milliseconds since the session reached Established, or null when it is not. */
  readonly uptimeMs: number | null;
  readonly establishedTransitions: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly updatesIn: number;
  readonly updatesOut: number;
  /** Routes held in the Adj-RIB-In from this peer. */
  readonly prefixesIn: number;
  /** Of `prefixesIn`, routes kept stale across the peer's graceful restart (RFC 4724). */
  readonly prefixesStale: number;
  /** Routes this session has announced to the peer. */
  readonly prefixesOut: number;
  /** `prefixesOut` per address family. */
  readonly prefixesOutByFamily: Readonly<Record<AddressFamily, number>>;
  /** Routes waiting to be sent or withdrawn. */
  readonly pendingChanges: number;
  /** UPDATEs whose routes were refused because their AS_PATH holds our AS (RFC 4271 §9.1.2). */
  readonly asLoopsRejected: number;
  /**
   * ROUTE-REFRESH requests folded into a refresh already under way or owed (see REFRESH_BURST):
   * a peer asking faster than the table can be sent costs one walk of it, not one per request.
   */
  readonly refreshesFolded: number;
  readonly families: readonly AddressFamily[];
  readonly lastError: DownReason | null;
  /** BFD state, detection time and discriminators, or null when the peer runs no BFD. */
  readonly bfd: BfdPeerStatus | null;
}

export interface PeerCallbacks {
  onEstablished(peer: Peer, negotiated: NegotiatedCapabilities): void;
  onDown(peer: Peer, reason: DownReason): void;
  onRibIn(peer: Peer, changes: readonly RibInChange[]): void;
  /** Whether anyone listens for per-route events (they cost an object per route to build). */
  wantsRouteEvents(): boolean;
  onEndOfRib(peer: Peer, family: AddressFamily): void;
  onRouteSkipped(peer: Peer, prefix: string, why: string): void;
  onState(peer: Peer, from: FsmState, to: FsmState): void;
}

export interface PeerSettings {
  readonly name: string;
  readonly address: string;
  readonly asn: number;
  readonly localAsn: number;
  readonly maxPrefixes?: number;
  /** Times our own AS may appear in a received AS_PATH before the route is refused as a loop. */
  readonly allowAsIn: number;
  /** Next hops to use when the route has none, per address family of the route. */
  readonly nextHop?: { readonly ipv4?: string; readonly ipv6?: string; readonly ipv6LinkLocal?: string };
}

/**
 * One configured neighbor: its session, its Adj-RIB-Out and Adj-RIB-In, and the flush loop that
 * turns RIB changes into UPDATEs at the pace the socket drains.
 */
export class Peer {
  readonly settings: PeerSettings;
  readonly session: BgpSession;
  readonly ribOut: AdjRibOut;
  readonly ribIn = new AdjRibIn();
  private readonly callbacks: PeerCallbacks;
  private negotiated: NegotiatedCapabilities | null = null;
  private localAddress: string | null = null;
  /** Over a link-local session: a global address of the interface, our default IPv6 next hop. */
  private interfaceGlobal: string | null = null;
  /** The link-local next hop IPv6 routes carry (RFC 2545) when they use our own next hop. */
  private linkLocalNextHop: string | undefined = undefined;
  private flushScheduled = false;
  /** ROUTE-REFRESH rate limit state (see REFRESH_BURST). */
  private refreshTokens = REFRESH_BURST;
  private refreshTokensAt = 0;
  private readonly owedRefresh = new Set<AddressFamily>();
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** ROUTE-REFRESH requests folded into one already under way or owed. */
  private refreshesFolded = 0;
  /** Withdraw events of a session that went down, still being reported a slice at a time. */
  private pendingWithdrawals: Iterator<RibInChange> | null = null;
  /** Families whose End-of-RIB (or End-of-Route-Refresh) goes out once the dirty set drains. */
  private pendingEndOfRib = new Set<AddressFamily>();
  private pendingEndOfRefresh = new Set<AddressFamily>();
  private establishedTransitions = 0;
  private staleTimer: ReturnType<typeof setTimeout> | null = null;
  private loopsRejected = 0;
  private lastError: DownReason | null = null;
  private readonly skipped = new Set<string>();
  /** Attributes objects judged sendable on this session, per family (see canSend). */
  private acceptedV4 = new WeakSet<RouteAttributes>();
  private acceptedV6 = new WeakSet<RouteAttributes>();
  private lastAcceptedV4: RouteAttributes | null = null;
  private lastAcceptedV6: RouteAttributes | null = null;
  /** RFC 8950 negotiated for IPv4 unicast: IPv4 routes may carry an IPv6 next hop. */
  private extendedNextHop = false;

  /** `table`: the speaker's shared Adj-RIB-Out; without one the peer has its own. */
  constructor(settings: PeerSettings, session: BgpSession, callbacks: PeerCallbacks, table?: RibOutTable) {
    this.settings = settings;
    this.ribOut = new AdjRibOut(table);
    this.session = session;
    this.callbacks = callbacks;
    session.on("state", (from, to) => callbacks.onState(this, from, to));
    session.on("established", (negotiated) => this.established(negotiated));
    session.on("down", (reason) => this.down(reason));
    session.on("update", (update) => this.receiveUpdate(update));
    session.on("route-refresh", (rr) => {
      const family = afiSafiToFamily(rr.afi, rr.safi);
      if (family === null || rr.subtype !== RouteRefreshSubtype.REQUEST || this.negotiated === null) return;
      if (!this.negotiated.families.includes(family)) return;
      this.refreshRequested(family);
    });
    session.on("drain", () => this.scheduleFlush());
  }

  get name(): string {
    return this.settings.name;
  }

  get isEstablished(): boolean {
    return this.negotiated !== null;
  }

  /** Record a change to what this peer should have; it goes out on the next flush. */
  setRoute(prefix: string, route: DesiredRoute): void {
    this.ribOut.set(prefix, route);
    this.scheduleFlush();
  }

  deleteRoute(prefix: string): void {
    this.ribOut.delete(prefix);
    this.scheduleFlush();
  }

  /**
   * The peer asked for our routes of `family` again (RFC 2918). The work is a walk of the whole
   * Adj-RIB-Out, so it is folded and rate-limited (REFRESH_BURST, REFRESH_INTERVAL_MS) and runs in
   * the flush's time slices: a flood of requests costs one walk, never a stalled event loop.
   */
  private refreshRequested(family: AddressFamily): void {
    if (this.ribOut.isRefreshing(family) || this.owedRefresh.has(family)) {
      this.refreshesFolded++;
      return;
    }
    const now = Date.now();
    this.refreshTokens = Math.min(
      REFRESH_BURST,
      this.refreshTokens + (now - this.refreshTokensAt) / REFRESH_INTERVAL_MS,
    );
    this.refreshTokensAt = now;
    if (this.refreshTokens < 1) {
      this.owedRefresh.add(family);
      if (this.refreshTimer === null) {
        const waitMs = Math.ceil((1 - this.refreshTokens) * REFRESH_INTERVAL_MS);
        this.refreshTimer = setTimeout(() => {
          this.refreshTimer = null;
          const owed = [...this.owedRefresh];
          this.owedRefresh.clear();
          for (const f of owed) if (this.negotiated !== null) this.refreshRequested(f);
        }, waitMs);
        this.refreshTimer.unref?.();
      }
      log("%s: route refresh of %s deferred by the rate limit", this.settings.name, family);
      return;
    }
    this.refreshTokens -= 1;
    log("%s asked for a route refresh of %s", this.settings.name, family);
    if (!this.ribOut.resend(family)) return; // folded into a new session's replay
    if (this.negotiated?.enhancedRouteRefresh) {
      // RFC 7313 §4: BoRR, the routes, then EoRR.
      const { afi, safi } = familyToAfiSafi(family);
      this.send({ type: "route-refresh", afi, safi, subtype: RouteRefreshSubtype.BEGIN });
      this.pendingEndOfRefresh.add(family);
    }
    this.scheduleFlush();
  }

  private stopRefreshTimer(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.owedRefresh.clear();
  }

  /** Ask the peer to send its routes again (RFC 2918). */
  requestRefresh(family?: AddressFamily): boolean {
    const n = this.negotiated;
    if (n === null || !n.routeRefresh) return false;
    for (const f of family === undefined ? n.families : [family]) {
      if (!n.families.includes(f)) continue;
      const { afi, safi } = familyToAfiSafi(f);
      this.send({ type: "route-refresh", afi, safi, subtype: RouteRefreshSubtype.REQUEST });
    }
    return true;
  }

  status(now: number, bfd: BfdPeerStatus | null = null): PeerStatus {
    const stats = this.session.stats;
    const up = this.negotiated !== null;
    return {
      name: this.settings.name,
      address: this.settings.address,
      asn: this.settings.asn,
      state: this.session.state,
      uptimeMs: this.negotiated !== null && stats.establishedAt !== null ? now - stats.establishedAt : null,
      establishedTransitions: this.establishedTransitions,
      messagesIn: stats.messagesIn,
      messagesOut: stats.messagesOut,
      updatesIn: stats.updatesIn,
      updatesOut: stats.updatesOut,
      prefixesIn: this.ribIn.size,
      prefixesStale: this.ribIn.staleCount,
      // A session that went down took its routes with it (the count resets when the next comes up).
      prefixesOut: up ? this.ribOut.sentRoutes : 0,
      prefixesOutByFamily: {
        "ipv4-unicast": up ? this.ribOut.sentRoutesOf("ipv4-unicast") : 0,
        "ipv6-unicast": up ? this.ribOut.sentRoutesOf("ipv6-unicast") : 0,
      },
      pendingChanges: this.ribOut.pendingCount,
      asLoopsRejected: this.loopsRejected,
      refreshesFolded: this.refreshesFolded,
      families: this.negotiated?.families ?? [],
      lastError: this.lastError,
      bfd,
    };
  }

  private established(negotiated: NegotiatedCapabilities): void {
    this.negotiated = negotiated;
    this.localAddress = this.session.localAddress;
    this.linkLocalSetup(this.localAddress);
    this.extendedNextHop = negotiated.extendedNextHop?.includes("ipv4-unicast") ?? false;
    this.establishedTransitions++;
    this.ribOut.resetSession();
    this.skipped.clear();
    this.acceptedV4 = new WeakSet();
    this.acceptedV6 = new WeakSet();
    this.lastAcceptedV4 = null;
    this.lastAcceptedV6 = null;
    // RFC 4724 §2: End-of-RIB after the initial update, for every family the session carries.
    this.pendingEndOfRib = new Set(negotiated.families);
    this.pendingEndOfRefresh.clear();
    if (this.ribIn.staleCount > 0) {
      // RFC 4724 §4.2: stale routes of a family the restarted peer no longer lists, or lists
      // without the Forwarding State bit, go at once; the others wait for its End-of-RIB.
      const kept = new Set(
        (negotiated.gracefulRestart?.families ?? [])
          .filter((f) => f.forwardingPreserved)
          .map((f) => f.family),
      );
      this.report(this.ribIn.sweepStale(ADDRESS_FAMILIES.filter((f) => !kept.has(f))));
      const restartTimeSec = negotiated.gracefulRestart?.restartTimeSec ?? 0;
      this.startStaleTimer(Math.max(restartTimeSec, 1), "no End-of-RIB from the restarted peer in time");
    }
    log(
      "%s established (%s), replaying %d routes",
      this.name,
      negotiated.families.join(", "),
      this.ribOut.desiredCount,
    );
    this.callbacks.onEstablished(this, negotiated);
    this.scheduleFlush();
  }

  private down(reason: DownReason): void {
    const previous = this.negotiated;
    this.negotiated = null;
    // The next session replays the table; nothing needs tracking until then.
    this.ribOut.sessionDown();
    this.localAddress = null;
    this.interfaceGlobal = null;
    this.linkLocalNextHop = undefined;
    this.lastError = reason;
    this.stopRefreshTimer();
    if (previous !== null) {
      const families = previous.gracefulRestart?.families.map((f) => f.family) ?? [];
      if (reason.gracefulRestart !== undefined && families.length > 0) {
        // RFC 4724 §4.2: the peer may be restarting; keep its routes of the families it listed,
        // marked stale, for as long as it said a restart takes.
        this.report(this.ribIn.markStale(families));
        this.startStaleTimer(
          reason.gracefulRestart.restartTimeSec,
          "the peer did not come back in its restart time",
        );
      } else {
        // Withdraw events for everything held, when anyone listens; a million routes otherwise
        // cost a million objects for nothing.
        if (this.callbacks.wantsRouteEvents()) this.reportWithdrawals(this.ribIn.takeAll());
        else this.ribIn.clear();
      }
    }
    this.callbacks.onDown(this, reason);
  }

  /** Report a down session's routes as withdrawn, a time slice per turn of the event loop. */
  private reportWithdrawals(withdrawals: Iterator<RibInChange>): void {
    this.finishWithdrawals(); // an earlier session's, if any, go first
    this.pendingWithdrawals = withdrawals;
    const step = () => {
      if (this.pendingWithdrawals !== withdrawals) return;
      const started = performance.now();
      let done = false;
      while (!done && performance.now() - started < FLUSH_SLICE_MS) {
        const slice: RibInChange[] = [];
        for (let r = withdrawals.next(); !r.done; r = withdrawals.next()) {
          slice.push(r.value);
          if (slice.length === REPORT_SLICE) break;
        }
        done = slice.length < REPORT_SLICE;
        this.report(slice);
      }
      if (done) this.pendingWithdrawals = null;
      else setImmediate(step);
    };
    step();
  }

  /** Report what is left of a down session's withdrawals now (before newer route events). */
  private finishWithdrawals(): void {
    const pending = this.pendingWithdrawals;
    if (pending === null) return;
    this.pendingWithdrawals = null;
    const rest: RibInChange[] = [];
    for (let r = pending.next(); !r.done; r = pending.next()) rest.push(r.value);
    this.report(rest);
  }

  private report(changes: readonly RibInChange[]): void {
    if (changes.length > 0) this.callbacks.onRibIn(this, changes);
  }

  private startStaleTimer(seconds: number, why: string): void {
    this.stopStaleTimer();
    if (this.ribIn.staleCount === 0) return;
    this.staleTimer = setTimeout(() => {
      this.staleTimer = null;
      log("%s: dropping %d stale routes: %s", this.name, this.ribIn.staleCount, why);
      this.report(this.ribIn.sweepStale(ADDRESS_FAMILIES));
    }, seconds * 1000);
    this.staleTimer.unref?.();
  }

  private stopStaleTimer(): void {
    if (this.staleTimer !== null) clearTimeout(this.staleTimer);
    this.staleTimer = null;
  }

  /** Clear timers this peer runs itself (the session clears its own). */
  dispose(): void {
    this.ribOut.detach();
    this.stopStaleTimer();
    this.stopRefreshTimer();
  }

  private receiveUpdate(update: UpdateMessage): void {
    this.finishWithdrawals();
    const eor = endOfRibFamily(update);
    if (eor !== null) {
      // RFC 4724 §4.2: End-of-RIB ends the wait; what is still stale was not re-announced.
      this.report(this.ribIn.sweepStale([eor]));
      if (this.ribIn.staleCount === 0) this.stopStaleTimer();
      this.callbacks.onEndOfRib(this, eor);
      return;
    }
    if (update.problems !== undefined) {
      log("%s sent an UPDATE handled as %s: %o", this.name, update.errorHandling, update.problems);
    }
    // RFC 4271 §9.1.2: a route whose AS_PATH holds our own AS is a loop; it is not kept, and an
    // earlier route for the same prefix is withdrawn (routers echo our routes back to us).
    const loop = this.hasAsLoop(update);
    if (loop) this.loopsRejected++;
    // Listing each change costs an object per route: only when someone listens for route events.
    const changes = this.ribIn.apply(update, loop, this.callbacks.wantsRouteEvents());
    const limit = this.settings.maxPrefixes;
    if (limit !== undefined && this.ribIn.size > limit) {
      const family = update.attributes.mpReach?.family ?? "ipv4-unicast";
      const { afi, safi } = familyToAfiSafi(family);
      log("%s exceeded max-prefix %d", this.name, limit);
      // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, with AFI, SAFI and the limit.
      void this.session.stopWithError(BgpError.maximumPrefixesReached(afi, safi, limit));
      return;
    }
    if (changes.length > 0) this.callbacks.onRibIn(this, changes);
  }

  private hasAsLoop(update: UpdateMessage): boolean {
    const own = this.settings.localAsn;
    // Routes from an iBGP peer start inside our AS, where our number is never prepended by the
    // network itself; the check is for paths that left the AS and came back.
    if (this.settings.asn === own) return false;
    const { asPath, as4Path } = update.attributes;
    let count = 0;
    for (const path of [asPath, as4Path]) {
      if (path === undefined) continue;
      let inThisPath = 0;
      for (const segment of path) for (const asn of segment.asns) if (asn === own) inThisPath++;
      count = Math.max(count, inThisPath);
    }
    return count > this.settings.allowAsIn;
  }

  scheduleFlush(): void {
    if (this.flushScheduled || this.negotiated === null) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /**
   * Hand one message to the session. The session can go down under our feet (a send-queue cap, a
   * NOTIFICATION read in the same tick): then nothing is sent and the caller stops; the changes it
   * took are replayed from the Adj-RIB-Out when a new session comes up.
   */
  private send(message: UpdateMessage | RouteRefreshMessage): boolean {
    if (this.negotiated === null || this.session.state !== "Established") return false;
    this.session.send(message);
    return true;
  }

  /** As `send`, for UPDATEs already encoded back to back in `bytes`. */
  private sendUpdates(bytes: Uint8Array, count: number): boolean {
    if (this.negotiated === null || this.session.state !== "Established") return false;
    this.session.sendUpdates(bytes, count);
    return true;
  }

  /**
   * Send what the Adj-RIB-Out says has changed, batch by batch, while the socket keeps up, for at
   * most `sliceMs` before yielding (close() passes Infinity: its last changes go before the Cease).
   */
  flush(sliceMs = FLUSH_SLICE_MS): void {
    const n = this.negotiated;
    if (n === null) return;
    const ctx = n.sendContext;
    const max = maxMessageLength(ctx);
    const started = performance.now();
    while (this.ribOut.pendingCount > 0) {
      if (!this.session.writable) return; // resumes on "drain"
      if (performance.now() - started > sliceMs) {
        this.scheduleFlush(); // yield: other sessions' timers and input run in between
        return;
      }
      const changes = this.ribOut.takeChanges(FLUSH_BATCH, (prefix, family, attributes) =>
        this.canSend(prefix, family, attributes),
      );
      // The batch's UPDATEs go into one buffer, handed to the socket whole (see update-packer.ts).
      const out = new Writer(PACK_BUFFER_SIZE);
      let messages = 0;
      for (const [family, prefixes] of changes.withdraw) {
        messages += packWithdrawals(out, family, prefixes, ctx, max);
      }
      for (const group of changes.announce) {
        const nextHop = this.nextHopFor(group.family, group.attributes.nextHop)!;
        const linkLocal =
          group.family === "ipv6-unicast" && group.attributes.nextHop === undefined
            ? this.linkLocalNextHop
            : undefined;
        const attributes = pathAttributesFor(group.family, group.attributes, this.view(), nextHop, linkLocal);
        messages += packAnnouncements(out, group.family, attributes, group.prefixes, ctx, max);
      }
      if (messages > 0 && !this.sendUpdates(out.view(), messages)) return;
    }
    for (const family of this.pendingEndOfRefresh) {
      const { afi, safi } = familyToAfiSafi(family);
      if (!this.send({ type: "route-refresh", afi, safi, subtype: RouteRefreshSubtype.END })) return;
    }
    this.pendingEndOfRefresh.clear();
    for (const family of this.pendingEndOfRib) if (!this.send(endOfRib(family))) return;
    this.pendingEndOfRib.clear();
  }

  private view(): { localAsn: number; external: boolean; fourOctetAs: boolean } {
    return {
      localAsn: this.settings.localAsn,
      external: this.settings.asn !== this.settings.localAsn,
      fourOctetAs: this.negotiated?.fourOctetAs ?? false,
    };
  }

  /** The next hop a route of `family` gets on this session, or null when there is none to give. */
  nextHopFor(family: AddressFamily, explicit: string | undefined): string | null {
    if (explicit !== undefined) return explicit;
    const configured = family === "ipv4-unicast" ? this.settings.nextHop?.ipv4 : this.settings.nextHop?.ipv6;
    if (configured !== undefined) return configured;
    const local = this.localAddress;
    if (local === null) return null;
    const localIsV6 = local.includes(":");
    if ((family === "ipv6-unicast") !== localIsV6) return null;
    // RFC 2545 §3: the first next hop is a global address; over link-local peering that is one of
    // the interface's, or (unnumbered) the link-local address itself, as FRR and BIRD do.
    const zoneAt = local.indexOf("%");
    return zoneAt < 0 ? local : (this.interfaceGlobal ?? local.slice(0, zoneAt));
  }

  /** Link-local next hop and the interface's global address for a session over `local`. */
  private linkLocalSetup(local: string | null): void {
    const configured = this.settings.nextHop?.ipv6LinkLocal;
    this.interfaceGlobal = null;
    this.linkLocalNextHop = configured;
    const zoneAt = local?.indexOf("%") ?? -1;
    if (local === null || zoneAt < 0) return;
    const zone = local.slice(zoneAt + 1);
    this.linkLocalNextHop = configured ?? local.slice(0, zoneAt);
    const global = (networkInterfaces()[zone] ?? []).find(
      (a) => a.family === "IPv6" && !a.internal && a.scopeid === 0 && !/^fe[89ab]/i.test(a.address),
    );
    this.interfaceGlobal = global?.address ?? null;
  }

  /**
   * Whether a route can go to this peer on this session. The answer depends only on the family
   * and the (interned) attributes, so a yes is remembered per attributes object for the session:
   * a million routes sharing their attributes are judged once, not a million times.
   */
  private canSend(prefix: string, family: AddressFamily, attributes: RouteAttributes): boolean {
    if (family === "ipv4-unicast" ? attributes === this.lastAcceptedV4 : attributes === this.lastAcceptedV6) {
      return true;
    }
    const accepted = family === "ipv4-unicast" ? this.acceptedV4 : this.acceptedV6;
    if (!accepted.has(attributes)) {
      if (!this.judge(prefix, family, attributes)) return false;
      accepted.add(attributes);
    }
    if (family === "ipv4-unicast") this.lastAcceptedV4 = attributes;
    else this.lastAcceptedV6 = attributes;
    return true;
  }

  private judge(prefix: string, family: AddressFamily, attributes: RouteAttributes): boolean {
    const n = this.negotiated;
    if (n === null || !n.families.includes(family)) return false;
    const nextHop = this.nextHopFor(family, attributes.nextHop);
    let why: string | null = null;
    if (nextHop === null) {
      why =
        family === "ipv6-unicast"
          ? `IPv6 route ${prefix} to ${this.name} needs an IPv6 next hop: the session runs over IPv4 (${this.localAddress}); pass announce(prefix, { nextHop }) or addPeer({ nextHop: { ipv6 } })`
          : `IPv4 route ${prefix} to ${this.name} needs an IPv4 next hop: the session runs over IPv6 (${this.localAddress}); pass announce(prefix, { nextHop }) or addPeer({ nextHop: { ipv4 } })`;
    } else if (family === "ipv6-unicast" && !nextHop.includes(":")) {
      why = `IPv6 route ${prefix} has an IPv4 next hop ${nextHop}`;
    } else if (family === "ipv4-unicast" && nextHop.includes(":") && !this.extendedNextHop) {
      why = `IPv4 route ${prefix} has an IPv6 next hop ${nextHop}, but ${this.name} did not negotiate RFC 8950 extended next hop`;
    }
    if (why === null) return true;
    if (!this.skipped.has(prefix)) {
      this.skipped.add(prefix);
      this.callbacks.onRouteSkipped(this, prefix, why);
    }
    return false;
  }
}
