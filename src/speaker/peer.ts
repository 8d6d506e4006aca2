import createDebug from "debug";
import { type Clock, realClock } from "../clock.js";
import type { DownReason, FsmState, NegotiatedCapabilities } from "../fsm/types.js";
import type { BgpSession } from "../session/session.js";
import { RouteRefreshSubtype } from "../wire/constants.js";
import { endOfRibFamily } from "../wire/end-of-rib.js";
import type { AddressFamily, RouteRefreshMessage, UpdateMessage } from "../wire/types.js";
import { AdjRibIn, type RibInChange } from "./adj-rib-in.js";
import { AdjRibOut, type DesiredRoute, type RibOutTable } from "./adj-rib-out.js";
import type { BfdPeerStatus } from "./bfd.js";
import {
  EndMarkers,
  FLUSH_SLICE_MS,
  FlushScheduler,
  type FlushTarget,
  flushChanges,
  SlicedReport,
} from "./flush.js";
import { hasAsLoop, maxPrefixesError } from "./import-policy.js";
import { type PeerStatus, peerStatus } from "./peer-status.js";
import { RefreshLimiter, refreshMessage, refreshRequests, requestedFamily } from "./refresh.js";
import { SessionNextHop } from "./session-next-hop.js";
import { StaleRouteTimer } from "./stale-timer.js";

export type { PeerStatus } from "./peer-status.js";
export { REFRESH_BURST, REFRESH_INTERVAL_MS } from "./refresh.js";

const log = createDebug("bgp:speaker");

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
 * One configured neighbor: its session wired to its Adj-RIB-Out and Adj-RIB-In, and the units
 * that do the work: the flush loop (flush.ts), route refresh (refresh.ts), the graceful-restart
 * stale timer (stale-timer.ts), the import checks (import-policy.ts), the session's next hops
 * (session-next-hop.ts) and its status (peer-status.ts).
 */
export class Peer {
  readonly settings: PeerSettings;
  readonly session: BgpSession;
  readonly ribOut: AdjRibOut;
  readonly ribIn = new AdjRibIn();
  private readonly callbacks: PeerCallbacks;
  private negotiated: NegotiatedCapabilities | null = null;
  /** The flush's view of the live session, or null while there is none. */
  private target: FlushTarget | null = null;
  private readonly scheduler = new FlushScheduler(() => this.flush());
  private readonly refresh: RefreshLimiter;
  private readonly staleTimer: StaleRouteTimer;
  /** Withdraw events of a session that went down, still being reported a slice at a time. */
  private readonly withdrawals = new SlicedReport<RibInChange>((changes) => this.report(changes));
  private readonly endMarkers = new EndMarkers();
  private establishedTransitions = 0;
  private loopsRejected = 0;
  private lastError: DownReason | null = null;

  /**
   * `table`: the speaker's shared Adj-RIB-Out; without one the peer has its own. `clock` runs the
   * refresh rate limit and the stale timer.
   */
  constructor(
    settings: PeerSettings,
    session: BgpSession,
    callbacks: PeerCallbacks,
    table?: RibOutTable,
    clock: Clock = realClock,
  ) {
    this.settings = settings;
    this.ribOut = new AdjRibOut(table);
    this.session = session;
    this.callbacks = callbacks;
    this.refresh = new RefreshLimiter({
      clock,
      label: settings.name,
      isUnderWay: (family) => this.ribOut.isRefreshing(family),
      start: (family) => this.resend(family),
    });
    this.staleTimer = new StaleRouteTimer({
      routes: this.ribIn,
      clock,
      label: settings.name,
      report: (changes) => this.report(changes),
    });
    session.on("state", (from, to) => callbacks.onState(this, from, to));
    session.on("established", (negotiated) => this.established(negotiated));
    session.on("down", (reason) => this.down(reason));
    session.on("update", (update) => this.receiveUpdate(update));
    session.on("route-refresh", (message) => {
      const family = requestedFamily(message, this.negotiated);
      if (family !== null) this.refresh.request(family);
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
   * The rate limiter let the peer's request for `family` through (RFC 2918): the resend is O(1)
   * here and walked by the flush in its time slices.
   */
  private resend(family: AddressFamily): void {
    if (this.negotiated === null) return;
    log("%s asked for a route refresh of %s", this.settings.name, family);
    if (!this.ribOut.resend(family)) return; // folded into a new session's replay
    if (this.negotiated.enhancedRouteRefresh) {
      // RFC 7313 §4: BoRR, the routes, then EoRR.
      this.send(refreshMessage(family, RouteRefreshSubtype.BEGIN));
      this.endMarkers.refreshBegun(family);
    }
    this.scheduleFlush();
  }

  /** Ask the peer to send its routes again (RFC 2918). */
  requestRefresh(family?: AddressFamily): boolean {
    const requests = refreshRequests(this.negotiated, family);
    if (requests === null) return false;
    for (const message of requests) this.send(message);
    return true;
  }

  status(nowMs: number, bfd: BfdPeerStatus | null = null): PeerStatus {
    return peerStatus(
      {
        name: this.settings.name,
        address: this.settings.address,
        asn: this.settings.asn,
        state: this.session.state,
        stats: this.session.stats,
        families: this.negotiated?.families ?? null,
        ribIn: this.ribIn,
        ribOut: this.ribOut,
        establishedTransitions: this.establishedTransitions,
        asLoopsRejected: this.loopsRejected,
        refreshesFolded: this.refresh.folded,
        lastError: this.lastError,
        bfd,
      },
      nowMs,
    );
  }

  private established(negotiated: NegotiatedCapabilities): void {
    this.negotiated = negotiated;
    this.target = this.flushTarget(negotiated);
    this.establishedTransitions++;
    this.ribOut.resetSession();
    // RFC 4724 §2: End-of-RIB after the initial update, for every family the session carries.
    this.endMarkers.sessionUp(negotiated.families);
    this.staleTimer.sessionUp(negotiated);
    log(
      "%s established (%s), replaying %d routes",
      this.name,
      negotiated.families.join(", "),
      this.ribOut.desiredCount,
    );
    this.callbacks.onEstablished(this, negotiated);
    this.scheduleFlush();
  }

  /** The live session as the flush sees it: its codec context, next hops and socket. */
  private flushTarget(negotiated: NegotiatedCapabilities): FlushTarget {
    const nextHops = new SessionNextHop({
      peerName: this.settings.name,
      ...(this.settings.nextHop === undefined ? {} : { configured: this.settings.nextHop }),
      localAddress: this.session.localAddress,
      peerAddress: this.settings.address,
      families: negotiated.families,
      extendedNextHop: negotiated.extendedNextHop?.includes("ipv4-unicast") ?? false,
    });
    return {
      context: negotiated.sendContext,
      view: {
        localAsn: this.settings.localAsn,
        external: this.settings.asn !== this.settings.localAsn,
        fourOctetAs: negotiated.fourOctetAs,
      },
      writable: () => this.session.writable,
      sendUpdates: (bytes, count) => {
        if (this.negotiated === null || this.session.state !== "Established") return false;
        this.session.sendUpdates(bytes, count);
        return true;
      },
      canSend: (prefix, family, attributes) => {
        const verdict = nextHops.canSend(prefix, family, attributes);
        if (verdict === true) return true;
        if (verdict !== "") this.callbacks.onRouteSkipped(this, prefix, verdict);
        return false;
      },
      nextHopFor: (family, explicit) => nextHops.nextHopFor(family, explicit),
      linkLocalFor: (family, explicit) => nextHops.linkLocalFor(family, explicit),
    };
  }

  private down(reason: DownReason): void {
    const previous = this.negotiated;
    this.negotiated = null;
    this.target = null;
    // The next session replays the table; nothing needs tracking until then.
    this.ribOut.sessionDown();
    this.lastError = reason;
    this.refresh.stop();
    if (previous !== null && !this.staleTimer.sessionDown(previous, reason)) {
      // Withdraw events for everything held, when anyone listens; a million routes otherwise
      // cost a million objects for nothing.
      if (this.callbacks.wantsRouteEvents()) this.withdrawals.start(this.ribIn.takeAll());
      else this.ribIn.clear();
    }
    this.callbacks.onDown(this, reason);
  }

  private report(changes: readonly RibInChange[]): void {
    if (changes.length > 0) this.callbacks.onRibIn(this, changes);
  }

  /** Clear timers this peer runs itself (the session clears its own). */
  dispose(): void {
    this.ribOut.detach();
    this.staleTimer.stop();
    this.refresh.stop();
  }

  private receiveUpdate(update: UpdateMessage): void {
    this.withdrawals.finish();
    const eor = endOfRibFamily(update);
    if (eor !== null) {
      this.staleTimer.endOfRib(eor);
      this.callbacks.onEndOfRib(this, eor);
      return;
    }
    if (update.problems !== undefined) {
      log("%s sent an UPDATE handled as %s: %o", this.name, update.errorHandling, update.problems);
    }
    // RFC 4271 §9.1.2: a route whose AS_PATH holds our own AS is a loop; it is not kept, and an
    // earlier route for the same prefix is withdrawn (routers echo our routes back to us).
    const loop = hasAsLoop(update, this.settings);
    if (loop) this.loopsRejected++;
    // Listing each change costs an object per route: only when someone listens for route events.
    const changes = this.ribIn.apply(update, loop, this.callbacks.wantsRouteEvents());
    const tooMany = maxPrefixesError(update, this.ribIn.size, this.settings.maxPrefixes);
    if (tooMany !== null) {
      log("%s exceeded max-prefix %d", this.name, this.settings.maxPrefixes);
      void this.session.stopWithError(tooMany);
      return;
    }
    if (changes.length > 0) this.callbacks.onRibIn(this, changes);
  }

  scheduleFlush(): void {
    if (this.negotiated !== null) this.scheduler.schedule();
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

  /**
   * Send what the Adj-RIB-Out says has changed, for at most `sliceMs` before yielding (close()
   * passes Infinity: its last changes go before the Cease), then the End-of-RIB markers.
   */
  flush(sliceMs = FLUSH_SLICE_MS): void {
    const target = this.target;
    if (target === null) return;
    const outcome = flushChanges(this.ribOut, target, sliceMs);
    if (outcome === "yielded") this.scheduleFlush(); // other sessions' timers and input run in between
    if (outcome === "done") this.endMarkers.send((message) => this.send(message));
  }
}
