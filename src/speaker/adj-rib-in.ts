import type { AddressFamily, Nlri, PathAttributes, UpdateMessage } from "../wire/types.js";

/** A route received from a peer, as plain data. */
export interface ReceivedRoute {
  readonly family: AddressFamily;
  readonly prefix: string;
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

function keyOf(prefix: string, pathId: number | undefined): string {
  return pathId === undefined ? prefix : `${prefix}#${pathId}`;
}

/**
 * One peer's Adj-RIB-In (RFC 4271 §3.2): the routes that peer announced, by prefix and path id.
 * Attributes objects are shared between the routes of one UPDATE, so a table of a million routes
 * holds one attribute object per UPDATE, not per route.
 */
export class AdjRibIn {
  private readonly routes = new Map<string, ReceivedRoute>();
  /** Keys of routes kept across a peer's graceful restart and not yet announced again (RFC 4724). */
  private readonly stale = new Set<string>();

  get size(): number {
    return this.routes.size;
  }

  /**
   * Apply one UPDATE. RFC 7606 "treat-as-withdraw" turns every route it announces into a withdraw;
   * "attribute-discard" keeps the routes with the attributes that survived. `rejectAnnouncements`
   * does the same as treat-as-withdraw for routes the caller will not hold (an AS loop).
   */
  apply(update: UpdateMessage, rejectAnnouncements = false): RibInChange[] {
    const changes: RibInChange[] = [];
    const { mpReach, mpUnreach, ...attributes } = update.attributes;
    const treatAsWithdraw = rejectAnnouncements || update.errorHandling === "treat-as-withdraw";

    for (const nlri of update.withdrawnRoutes) this.remove("ipv4-unicast", nlri, changes);
    if (mpUnreach !== undefined && mpUnreach.family !== null) {
      for (const nlri of mpUnreach.withdrawnRoutes) this.remove(mpUnreach.family, nlri, changes);
    }

    const shared: PathAttributes = attributes;
    if (update.nlri.length > 0) {
      for (const nlri of update.nlri) {
        if (treatAsWithdraw) this.remove("ipv4-unicast", nlri, changes);
        else this.add("ipv4-unicast", nlri, shared, attributes.nextHop, changes);
      }
    }
    if (mpReach !== undefined && mpReach.family !== null) {
      for (const nlri of mpReach.nlri) {
        if (treatAsWithdraw) this.remove(mpReach.family, nlri, changes);
        else this.add(mpReach.family, nlri, shared, mpReach.nextHop, changes);
      }
    }
    return changes;
  }

  private add(
    family: AddressFamily,
    nlri: Nlri,
    attributes: PathAttributes,
    nextHop: string | undefined,
    changes: RibInChange[],
  ): void {
    const route: ReceivedRoute =
      nlri.pathId === undefined
        ? { family, prefix: nlri.prefix, attributes, nextHop }
        : { family, prefix: nlri.prefix, pathId: nlri.pathId, attributes, nextHop };
    const key = keyOf(nlri.prefix, nlri.pathId);
    this.routes.set(key, route);
    this.stale.delete(key);
    changes.push({ type: "announce", route });
  }

  private remove(family: AddressFamily, nlri: Nlri, changes: RibInChange[]): void {
    const key = keyOf(nlri.prefix, nlri.pathId);
    if (!this.routes.delete(key)) return;
    this.stale.delete(key);
    changes.push(
      nlri.pathId === undefined
        ? { type: "withdraw", family, prefix: nlri.prefix }
        : { type: "withdraw", family, prefix: nlri.prefix, pathId: nlri.pathId },
    );
  }

  /** Everything held, for a query or for withdraw events when the session ends. */
  list(): ReceivedRoute[] {
    return [...this.routes.values()];
  }

  countFamily(family: AddressFamily): number {
    let n = 0;
    for (const route of this.routes.values()) if (route.family === family) n++;
    return n;
  }

  clear(): ReceivedRoute[] {
    const all = this.list();
    this.routes.clear();
    this.stale.clear();
    return all;
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
    for (const [key, route] of this.routes) {
      if (families.includes(route.family)) {
        this.stale.add(key);
      } else {
        this.routes.delete(key);
        gone.push(withdrawalOf(route));
      }
    }
    return gone;
  }

  /** Remove the stale routes of `families` (End-of-RIB, F bit clear, or the timer ran out). */
  sweepStale(families: readonly AddressFamily[]): RibInChange[] {
    const gone: RibInChange[] = [];
    for (const key of this.stale) {
      const route = this.routes.get(key);
      if (route === undefined || !families.includes(route.family)) continue;
      this.stale.delete(key);
      this.routes.delete(key);
      gone.push(withdrawalOf(route));
    }
    return gone;
  }
}

export function withdrawalOf(route: ReceivedRoute): RibInChange {
  return route.pathId === undefined
    ? { type: "withdraw", family: route.family, prefix: route.prefix }
    : { type: "withdraw", family: route.family, prefix: route.prefix, pathId: route.pathId };
}
