/**
 * The receiving side of graceful restart (RFC 4724 §4.2) for one peer: keep its routes, marked
 * stale, while it restarts; drop what it does not re-announce before its End-of-RIB, or all of
 * them when it does not come back in time.
 * @module
 */
import createDebug from "debug";
import { type Clock, secondsToMs } from "../clock.js";
import type { DownReason, NegotiatedCapabilities } from "../fsm/types.js";
import { ADDRESS_FAMILIES } from "../wire/family.js";
import type { AddressFamily } from "../wire/types.js";
import type { RibInChange } from "./adj-rib-in.js";

const log = createDebug("bgp:speaker");

/** What the timer needs of the Adj-RIB-In. */
export interface StaleRoutes {
  readonly staleCount: number;
  markStale(families: readonly AddressFamily[]): RibInChange[];
  sweepStale(families: readonly AddressFamily[]): RibInChange[];
}

export interface StaleRouteTimerOptions {
  readonly routes: StaleRoutes;
  readonly clock: Clock;
  /** Where the changes of marking and sweeping go (route events). */
  readonly report: (changes: readonly RibInChange[]) => void;
  /** Names the peer in debug output. */
  readonly label: string;
}

export class StaleRouteTimer {
  private readonly options: StaleRouteTimerOptions;
  private timer: unknown = null;

  constructor(options: StaleRouteTimerOptions) {
    this.options = options;
  }

  /** Whether routes are being kept for a restarting peer. */
  get running(): boolean {
    return this.timer !== null;
  }

  /**
   * The session that carried `negotiated` went down for `reason`. Returns true when the peer may
   * be restarting and its routes are kept stale; false when the caller withdraws them.
   */
  sessionDown(negotiated: Pick<NegotiatedCapabilities, "gracefulRestart">, reason: DownReason): boolean {
    const families = negotiated.gracefulRestart?.families.map((f) => f.family) ?? [];
    if (reason.gracefulRestart === undefined || families.length === 0) return false;
    // RFC 4724 §4.2: keep its routes of the families it listed, marked stale, for as long as it
    // said a restart takes.
    this.options.report(this.options.routes.markStale(families));
    this.start(reason.gracefulRestart.restartTimeSec, "the peer did not come back in its restart time");
    return true;
  }

  /** A new session is up: what the restarted peer did not preserve goes now, the rest waits for End-of-RIB. */
  sessionUp(negotiated: Pick<NegotiatedCapabilities, "gracefulRestart">): void {
    const { routes, report } = this.options;
    if (routes.staleCount === 0) return;
    // RFC 4724 §4.2: stale routes of a family the restarted peer no longer lists, or lists
    // without the Forwarding State bit, go at once; the others wait for its End-of-RIB.
    const kept = new Set(
      (negotiated.gracefulRestart?.families ?? []).filter((f) => f.forwardingPreserved).map((f) => f.family),
    );
    report(routes.sweepStale(ADDRESS_FAMILIES.filter((f) => !kept.has(f))));
    const restartTimeSec = negotiated.gracefulRestart?.restartTimeSec ?? 0;
    this.start(Math.max(restartTimeSec, 1), "no End-of-RIB from the restarted peer in time");
  }

  /** RFC 4724 §4.2: End-of-RIB ends the wait; what is still stale of `family` was not re-announced. */
  endOfRib(family: AddressFamily): void {
    this.options.report(this.options.routes.sweepStale([family]));
    if (this.options.routes.staleCount === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private start(seconds: number, why: string): void {
    this.stop();
    const { routes, clock, report, label } = this.options;
    if (routes.staleCount === 0) return;
    this.timer = clock.setTimeout(() => {
      this.timer = null;
      log("%s: dropping %d stale routes: %s", label, routes.staleCount, why);
      report(routes.sweepStale(ADDRESS_FAMILIES));
    }, secondsToMs(seconds));
    // Stale routes never keep the process alive on their own.
    (this.timer as { unref?: () => void }).unref?.();
  }
}
