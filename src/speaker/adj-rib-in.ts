import { deferredField, type NlriField } from "../wire/deferred-nlri.js";
import { encodeNlri } from "../wire/prefix.js";
import type { AddressFamily, Nlri, UpdateMessage } from "../wire/types.js";
import { Writer } from "../wire/writer.js";
import { PrefixTable, type ReceivedRoute, type RibInChange } from "./prefix-table.js";

export type { ReceivedRoute, RibInChange } from "./prefix-table.js";

/**
 * The NLRI field behind `target[key]`: the checked octets of a received UPDATE (deferred-nlri.ts),
 * or, for a message built in code, its entries written out as octets, so one path files both.
 */
function fieldOf(target: object, key: "nlri" | "withdrawnRoutes", family: AddressFamily): NlriField | null {
  const field = deferredField(target, key);
  if (field !== undefined) return field.end > field.start ? field : null;
  const entries = (target as Record<string, readonly Nlri[]>)[key];
  if (entries.length === 0) return null;
  const addPath = entries.some((n) => n.pathId !== undefined);
  const writer = new Writer(entries.length * 8);
  for (const nlri of entries) encodeNlri(writer, nlri, family, addPath);
  const bytes = writer.finish();
  return { family, addPath, bytes, start: 0, end: bytes.length };
}

/**
 * One peer's Adj-RIB-In (RFC 4271 §3.2): the routes that peer announced, by prefix and path id,
 * one PrefixTable per family. A route is an entry of wire octets pointing at its UPDATE's shared
 * group (attributes, next hop): a table of a million routes holds one attribute object per UPDATE
 * and no object or string per route; `ReceivedRoute` objects are built only when asked for.
 */
export class AdjRibIn {
  private v4 = new PrefixTable("ipv4-unicast");
  private v6 = new PrefixTable("ipv6-unicast");

  private tableOf(family: AddressFamily): PrefixTable {
    return family === "ipv4-unicast" ? this.v4 : this.v6;
  }

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  get staleCount(): number {
    return this.v4.staleCount + this.v6.staleCount;
  }

  /**
   * Apply one UPDATE. RFC 7606 "treat-as-withdraw" turns every route it announces into a withdraw;
   * "attribute-discard" keeps the routes with the attributes that survived. `rejectAnnouncements`
   * does the same as treat-as-withdraw for routes the caller will not hold (an AS loop).
   * The changes are listed, in wire order, only when `collect` is set (someone listens for them).
   */
  apply(update: UpdateMessage, rejectAnnouncements = false, collect = true): RibInChange[] {
    const changes: RibInChange[] = [];
    const out = collect ? changes : null;
    const { mpReach, mpUnreach, ...attributes } = update.attributes;
    const treatAsWithdraw = rejectAnnouncements || update.errorHandling === "treat-as-withdraw";

    const withdrawn = fieldOf(update, "withdrawnRoutes", "ipv4-unicast");
    if (withdrawn !== null) this.v4.applyField(withdrawn, -1, out);
    if (mpUnreach !== undefined && mpUnreach.family !== null) {
      const field = fieldOf(mpUnreach, "withdrawnRoutes", mpUnreach.family);
      if (field !== null) this.tableOf(mpUnreach.family).applyField(field, -1, out);
    }
    const nlri = fieldOf(update, "nlri", "ipv4-unicast");
    if (nlri !== null)
      this.announce(this.v4, nlri, { attributes, nextHop: attributes.nextHop }, treatAsWithdraw, out);
    if (mpReach !== undefined && mpReach.family !== null) {
      const field = fieldOf(mpReach, "nlri", mpReach.family);
      const group = { attributes, nextHop: mpReach.nextHop };
      if (field !== null) this.announce(this.tableOf(mpReach.family), field, group, treatAsWithdraw, out);
    }
    return changes;
  }

  private announce(
    table: PrefixTable,
    field: NlriField,
    group: { attributes: ReceivedRoute["attributes"]; nextHop: string | undefined },
    treatAsWithdraw: boolean,
    out: RibInChange[] | null,
  ): void {
    if (treatAsWithdraw) {
      table.applyField(field, -1, out);
      return;
    }
    const id = table.addGroup(group);
    table.applyField(field, id, out);
    table.releaseIfUnused(id);
  }

  /** Everything held, for a query. */
  list(): ReceivedRoute[] {
    return [...this.v4.routes(), ...this.v6.routes()];
  }

  /** Forget every route at once: the tables are swapped for empty ones, not emptied entry by entry. */
  clear(): void {
    this.v4 = new PrefixTable("ipv4-unicast");
    this.v6 = new PrefixTable("ipv6-unicast");
  }

  /**
   * Forget every route at once and return what was held, as withdrawals the caller reports at its
   * own pace (a million routes are a million objects: built lazily, a slice at a time).
   */
  takeAll(): Iterator<RibInChange> {
    const { v4, v6 } = this;
    this.clear();
    return (function* () {
      yield* v4.withdrawals();
      yield* v6.withdrawals();
    })();
  }

  /**
   * RFC 4724 §4.2: when a peer that can restart gracefully goes away, its routes of the families it
   * listed are kept, marked stale; the rest are removed (and returned, to be reported withdrawn).
   */
  markStale(families: readonly AddressFamily[]): RibInChange[] {
    const gone: RibInChange[] = [];
    for (const table of [this.v4, this.v6]) {
      if (families.includes(table.family)) {
        table.markAllStale();
      } else if (table.size > 0) {
        for (const change of table.withdrawals()) gone.push(change);
        if (table === this.v4) this.v4 = new PrefixTable("ipv4-unicast");
        else this.v6 = new PrefixTable("ipv6-unicast");
      }
    }
    return gone;
  }

  /** Remove the stale routes of `families` (End-of-RIB, F bit clear, or the timer ran out). */
  sweepStale(families: readonly AddressFamily[]): RibInChange[] {
    const gone: RibInChange[] = [];
    for (const table of [this.v4, this.v6]) {
      if (families.includes(table.family)) for (const change of table.sweepStale()) gone.push(change);
    }
    return gone;
  }
}
