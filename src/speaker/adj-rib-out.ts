import type { AddressFamily } from "../wire/types.js";
import type { RouteAttributes } from "./route.js";

/**
 * One peer's Adj-RIB-Out (RFC 4271 §3.2): what we want the peer to have (`desired`), what the
 * current session has told it (`sent`), and the prefixes whose two states may differ (`dirty`).
 * Changes only mark a prefix dirty; the UPDATE is computed when the wire can take it, from the
 * state at that moment, so bursts of announce/withdraw coalesce and the last state wins.
 */
export interface DesiredRoute {
  readonly family: AddressFamily;
  readonly attributes: RouteAttributes;
}

export interface RibChanges {
  /** Announcements grouped by family and attribute identity. */
  readonly announce: Map<string, { family: AddressFamily; attributes: RouteAttributes; prefixes: string[] }>;
  readonly withdraw: Map<AddressFamily, string[]>;
  /** How many prefixes this batch took off the dirty set. */
  readonly examined: number;
}

export class AdjRibOut {
  readonly desired = new Map<string, DesiredRoute>();
  readonly sent = new Map<string, RouteAttributes>();
  readonly dirty = new Set<string>();

  set(prefix: string, route: DesiredRoute): void {
    const current = this.desired.get(prefix);
    if (current !== undefined && current.attributes === route.attributes && current.family === route.family)
      return;
    this.desired.set(prefix, route);
    this.dirty.add(prefix);
  }

  delete(prefix: string): void {
    if (this.desired.delete(prefix)) this.dirty.add(prefix);
  }

  /** A new session knows nothing: forget what was sent and mark everything desired for sending. */
  resetSession(): void {
    this.sent.clear();
    this.dirty.clear();
    for (const prefix of this.desired.keys()) this.dirty.add(prefix);
  }

  /** Route refresh (RFC 2918): send every route of the family again. */
  resend(family: AddressFamily): void {
    for (const [prefix, route] of this.desired) {
      if (route.family !== family) continue;
      this.sent.delete(prefix);
      this.dirty.add(prefix);
    }
  }

  /**
   * Take up to `limit` dirty prefixes and return what must go on the wire for them; `sent` is
   * updated as though it were sent, so call this only when it will be.
   * `accept` filters routes that cannot be sent to this peer now (for example no usable next hop):
   * those are treated as not desired and reported through `rejected`.
   */
  takeChanges(
    limit: number,
    accept: (prefix: string, route: DesiredRoute) => boolean = () => true,
  ): RibChanges {
    const announce: RibChanges["announce"] = new Map();
    const withdraw: RibChanges["withdraw"] = new Map();
    let examined = 0;
    for (const prefix of this.dirty) {
      if (examined >= limit) break;
      examined++;
      this.dirty.delete(prefix);
      const want = this.desired.get(prefix);
      const have = this.sent.get(prefix);
      if (want !== undefined && accept(prefix, want)) {
        if (have === want.attributes) continue;
        this.sent.set(prefix, want.attributes);
        const groupKey = `${want.family}|${want.attributes.key}`;
        let group = announce.get(groupKey);
        if (group === undefined) {
          group = { family: want.family, attributes: want.attributes, prefixes: [] };
          announce.set(groupKey, group);
        }
        group.prefixes.push(prefix);
      } else if (have !== undefined) {
        // RFC 4271 §9.1.3: withdraw only what this peer was told.
        this.sent.delete(prefix);
        const family = want?.family ?? familyOf(prefix);
        let list = withdraw.get(family);
        if (list === undefined) {
          list = [];
          withdraw.set(family, list);
        }
        list.push(prefix);
      }
    }
    return { announce, withdraw, examined };
  }

  /** Number of routes of a family this session has told the peer. */
  sentCount(): number {
    return this.sent.size;
  }
}

export function familyOf(prefix: string): AddressFamily {
  return prefix.includes(":") ? "ipv6-unicast" : "ipv4-unicast";
}
