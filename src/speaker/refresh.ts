/**
 * ROUTE-REFRESH in and out (RFC 2918, RFC 7313): which families a request names, the messages we
 * send, and the per-peer rate limit that folds a flood of requests into one walk of the table.
 * @module
 */
import createDebug from "debug";
import type { Clock } from "../clock.js";
import type { NegotiatedCapabilities } from "../fsm/types.js";
import { RouteRefreshSubtype } from "../wire/constants.js";
import { afiSafiToFamily, familyToAfiSafi } from "../wire/family.js";
import type { AddressFamily, RouteRefreshMessage } from "../wire/types.js";

const log = createDebug("bgp:speaker");

/**
 * ROUTE-REFRESH rate limit per peer (token bucket): up to REFRESH_BURST refreshes at once, then
 * one per REFRESH_INTERVAL_MS. Requests over the limit are not lost: they are folded into one
 * refresh per family that starts when a token is free. A request for a family whose refresh is
 * still being sent is folded into it.
 */
export const REFRESH_BURST = 3;
export const REFRESH_INTERVAL_MS = 5000;

type RefreshSessionView = Pick<NegotiatedCapabilities, "families" | "routeRefresh">;

/**
 * The family a received ROUTE-REFRESH asks us to send again, or null when there is nothing to
 * do: a BoRR/EoRR (the peer's own refresh), or a family the session does not carry.
 */
export function requestedFamily(
  message: RouteRefreshMessage,
  session: RefreshSessionView | null,
): AddressFamily | null {
  if (session === null || message.subtype !== RouteRefreshSubtype.REQUEST) return null;
  const family = afiSafiToFamily(message.afi, message.safi);
  return family !== null && session.families.includes(family) ? family : null;
}

/**
 * The requests that ask the peer for its routes of `family` (or of every family the session
 * carries) again; null when the peer did not offer route refresh (RFC 2918 §4: "MUST NOT send").
 */
export function refreshRequests(
  session: RefreshSessionView | null,
  family?: AddressFamily,
): RouteRefreshMessage[] | null {
  if (session === null || !session.routeRefresh) return null;
  const families = family === undefined ? session.families : session.families.filter((f) => f === family);
  return families.map((f) => refreshMessage(f, RouteRefreshSubtype.REQUEST));
}

/** A ROUTE-REFRESH of `family`: a request, or RFC 7313's Begin/End of Route Refresh around a resend. */
export function refreshMessage(
  family: AddressFamily,
  subtype: (typeof RouteRefreshSubtype)[keyof typeof RouteRefreshSubtype],
): RouteRefreshMessage {
  const { afi, safi } = familyToAfiSafi(family);
  return { type: "route-refresh", afi, safi, subtype };
}

export interface RefreshLimiterOptions {
  readonly clock: Clock;
  /** Whether a refresh of `family` is still being sent (a request for it is folded into it). */
  readonly isUnderWay: (family: AddressFamily) => boolean;
  /** Start a refresh of `family`: the limiter has let it through. */
  readonly start: (family: AddressFamily) => void;
  /** Names the peer in debug output. */
  readonly label: string;
}

/** The rate limit and folding of one peer's ROUTE-REFRESH requests (REFRESH_BURST, REFRESH_INTERVAL_MS). */
export class RefreshLimiter {
  private readonly options: RefreshLimiterOptions;
  private tokens = REFRESH_BURST;
  private tokensAt = 0;
  private readonly owed = new Set<AddressFamily>();
  private timer: unknown = null;
  private foldedCount = 0;

  constructor(options: RefreshLimiterOptions) {
    this.options = options;
  }

  /** Requests folded into a refresh under way or owed, since the peer was added. */
  get folded(): number {
    return this.foldedCount;
  }

  /** Families owed a refresh once a token is free. */
  get deferred(): readonly AddressFamily[] {
    return [...this.owed];
  }

  /** The peer asked for `family`: start a refresh now, fold it into one under way or owed, or owe it. */
  request(family: AddressFamily): void {
    const { clock, isUnderWay, start, label } = this.options;
    if (isUnderWay(family) || this.owed.has(family)) {
      this.foldedCount++;
      return;
    }
    const now = clock.now();
    this.tokens = Math.min(REFRESH_BURST, this.tokens + (now - this.tokensAt) / REFRESH_INTERVAL_MS);
    this.tokensAt = now;
    if (this.tokens < 1) {
      this.owed.add(family);
      if (this.timer === null) {
        const waitMs = Math.ceil((1 - this.tokens) * REFRESH_INTERVAL_MS);
        this.timer = clock.setTimeout(() => {
          this.timer = null;
          const owed = [...this.owed];
          this.owed.clear();
          for (const f of owed) this.request(f);
        }, waitMs);
        // A refresh owed to a peer never keeps the process alive on its own.
        (this.timer as { unref?: () => void }).unref?.();
      }
      log("%s: route refresh of %s deferred by the rate limit", label, family);
      return;
    }
    this.tokens -= 1;
    start(family);
  }

  /** Forget what is owed and stop the timer (the session went down, or the peer was removed). */
  stop(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.owed.clear();
  }
}
