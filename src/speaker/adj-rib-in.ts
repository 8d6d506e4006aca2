import type { AddressFamily, Nlri, PathAttributes, UpdateMessage } from "../wire/types.js";

/** A route received from a peer, as plain data. */
export interface ReceivedRoute {
  /** The route's family. */
  readonly family: AddressFamily;
  /** The prefix, canonical text. */
  readonly prefix: string;
  /** The ADD-PATH path identifier, when the family receives ADD-PATH. */
  readonly pathId?: number;
  /** The UPDATE's attributes, without MP_REACH/MP_UNREACH (their content is in prefix and nextHop). */
  readonly attributes: PathAttributes;
  /** The next hop for this route: NEXT_HOP for classic IPv4, the MP_REACH next hop otherwise. */
  readonly nextHop: string | undefined;
}

/** A change to a peer's Adj-RIB-In, in wire order. */
export type RibInChange =
  | { readonly type: "announce"; readonly route: ReceivedRoute }
  | {
      readonly type: "withdraw";
      readonly family: AddressFamily;
      readonly prefix: string;
      readonly pathId?: number;
    };

/** What the routes of one UPDATE (of one family) share: stored once, referenced by each route. */
interface RouteGroup {
  readonly family: AddressFamily;
  readonly attributes: PathAttributes;
  readonly nextHop: string | undefined;
}

/** Map key: the prefix, or "prefix#pathId" under ADD-PATH. */
function keyOf(prefix: string, pathId: number | undefined): string {
  return pathId === undefined ? prefix : `${prefix}#${pathId}`;
}

function routeOf(key: string, group: RouteGroup): ReceivedRoute {
  const hash = key.indexOf("#");
  const base = { family: group.family, attributes: group.attributes, nextHop: group.nextHop };
  return hash < 0
    ? { ...base, prefix: key }
    : { ...base, prefix: key.slice(0, hash), pathId: Number(key.slice(hash + 1)) };
}

/**
 * One peer's Adj-RIB-In (RFC 4271 §3.2): the routes that peer announced, by prefix and path id.
 * A route is one Map entry pointing at its UPDATE's shared group (family, attributes, next hop):
 * a table of a million routes holds one attribute object per UPDATE, not per route, and
 * `ReceivedRoute` objects are built only when asked for.
 */
export class AdjRibIn {
  private routes = new Map<string, RouteGroup>();
  /** Keys of routes kept across a peer's graceful restart and not yet announced again (RFC 4724). */
  private stale = new Set<string>();

  get size(): number {
    return this.routes.size;
  }

  /**
   * Apply one UPDATE. RFC 7606 "treat-as-withdraw" turns every route it announces into a withdraw;
   * "attribute-discard" keeps the routes with the attributes that survived. `rejectAnnouncements`
   * does the same as treat-as-withdraw for routes the caller will not hold (an AS loop).
   * The changes are listed only when `collect` is set (someone listens for them).
   */
  apply(update: UpdateMessage, rejectAnnouncements = false, collect = true): RibInChange[] {
    const changes: RibInChange[] = [];
    const out = collect ? changes : null;
    const { mpReach, mpUnreach, ...attributes } = update.attributes;
    const treatAsWithdraw = rejectAnnouncements || update.errorHandling === "treat-as-withdraw";

    for (const nlri of update.withdrawnRoutes) this.remove("ipv4-unicast", nlri, out);
    if (mpUnreach !== undefined && mpUnreach.family !== null) {
      for (const nlri of mpUnreach.withdrawnRoutes) this.remove(mpUnreach.family, nlri, out);
    }
    if (update.nlri.length > 0) {
      const group: RouteGroup = { family: "ipv4-unicast", attributes, nextHop: attributes.nextHop };
      for (const nlri of update.nlri) {
        if (treatAsWithdraw) this.remove("ipv4-unicast", nlri, out);
        else this.add(nlri, group, out);
      }
    }
    if (mpReach !== undefined && mpReach.family !== null) {
      const group: RouteGroup = { family: mpReach.family, attributes, nextHop: mpReach.nextHop };
      for (const nlri of mpReach.nlri) {
        if (treatAsWithdraw) this.remove(mpReach.family, nlri, out);
        else this.add(nlri, group, out);
      }
    }
    return changes;
  }

  private add(nlri: Nlri, group: RouteGroup, out: RibInChange[] | null): void {
    const key = keyOf(nlri.prefix, nlri.pathId);
    this.routes.set(key, group);
    if (this.stale.size > 0) this.stale.delete(key);
    out?.push({ type: "announce", route: routeOf(key, group) });
  }

  private remove(family: AddressFamily, nlri: Nlri, out: RibInChange[] | null): void {
    const key = keyOf(nlri.prefix, nlri.pathId);
    if (!this.routes.delete(key)) return;
    if (this.stale.size > 0) this.stale.delete(key);
    out?.push(
      nlri.pathId === undefined
        ? { type: "withdraw", family, prefix: nlri.prefix }
        : { type: "withdraw", family, prefix: nlri.prefix, pathId: nlri.pathId },
    );
  }

  /** Everything held, for a query or for withdraw events when the session ends. */
  list(): ReceivedRoute[] {
    const out: ReceivedRoute[] = [];
    for (const [key, group] of this.routes) out.push(routeOf(key, group));
    return out;
  }

  /** Forget every route at once: the tables are swapped for empty ones, not emptied entry by entry. */
  clear(): void {
    this.routes = new Map();
    this.stale = new Set();
  }

  /**
   * Forget every route at once and return what was held, as withdrawals the caller reports at its
   * own pace (a million routes are a million objects: built lazily, a slice at a time).
   */
  takeAll(): Iterator<RibInChange> {
    const old = this.routes;
    this.clear();
    return (function* () {
      for (const [key, group] of old) yield withdrawalOf(routeOf(key, group));
    })();
  }

  get staleCount(): number {
    return this.stale.size;
  }

  /**
   * RFC 4724 §4.2: when a peer that can restart gracefully goes away, its routes of the families it
   * listed are kept, marked stale; the rest are removed (and returned, to be reported withdrawn).
   */
  markStale(families: readonly AddressFamily[]): RibInChange[] {
    const gone: RibInChange[] = [];
    for (const [key, group] of this.routes) {
      if (families.includes(group.family)) {
        this.stale.add(key);
      } else {
        this.routes.delete(key);
        gone.push(withdrawalOf(routeOf(key, group)));
      }
    }
    return gone;
  }

  /** Remove the stale routes of `families` (End-of-RIB, F bit clear, or the timer ran out). */
  sweepStale(families: readonly AddressFamily[]): RibInChange[] {
    const gone: RibInChange[] = [];
    for (const key of this.stale) {
      const group = this.routes.get(key);
      if (group === undefined || !families.includes(group.family)) continue;
      this.stale.delete(key);
      this.routes.delete(key);
      gone.push(withdrawalOf(routeOf(key, group)));
    }
    return gone;
  }
}

export function withdrawalOf(route: ReceivedRoute): RibInChange {
  return route.pathId === undefined
    ? { type: "withdraw", family: route.family, prefix: route.prefix }
    : { type: "withdraw", family: route.family, prefix: route.prefix, pathId: route.pathId };
}
