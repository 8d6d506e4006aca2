/**
 * The next hops of one live session: the transport learnt at Established (our address, the
 * interface's global address over link-local peering, RFC 8950), the next-hop rule of
 * next-hop.ts applied to it, and which routes can go out at all, remembered per attributes object.
 * @module
 */
import { networkInterfaces } from "node:os";
import type { AddressFamily } from "../wire/types.js";
import { type ConfiguredNextHops, chooseNextHop, type NextHopTransport } from "./next-hop.js";
import type { RouteAttributes } from "./route.js";

/** The addresses of a network interface, as `os.networkInterfaces()` lists them. */
export type InterfaceAddresses = (zone: string) => readonly InterfaceAddress[];
export interface InterfaceAddress {
  readonly address: string;
  readonly family: string;
  readonly internal: boolean;
  readonly scopeid?: number;
}

const systemInterfaces: InterfaceAddresses = (zone) => networkInterfaces()[zone] ?? [];

export interface SessionNextHopSettings {
  /** The peer's name, for the reasons a route is skipped. */
  readonly peerName: string;
  /** The peer's configured next hops (`PeerOptions.nextHop`). */
  readonly configured?: ConfiguredNextHops & { readonly ipv6LinkLocal?: string | undefined };
  /** Our address on the session, "fe80::1%eth0" over link-local peering; null when unknown. */
  readonly localAddress: string | null;
  /** The peer's address: the transport's family when our own address is unknown. */
  readonly peerAddress: string;
  /** The families the session carries. */
  readonly families: readonly AddressFamily[];
  /** RFC 8950 negotiated for IPv4 unicast. */
  readonly extendedNextHop: boolean;
  /** Where the interface's addresses come from (tests give a table). */
  readonly interfaces?: InterfaceAddresses;
}

export class SessionNextHop {
  private readonly settings: SessionNextHopSettings;
  private readonly transport: NextHopTransport;
  /** The link-local next hop IPv6 routes carry (RFC 2545) when they use our own next hop. */
  private readonly linkLocal: string | undefined;
  /** Attributes objects judged sendable, per family; and the last one, which most routes share. */
  private readonly acceptedV4 = new WeakSet<RouteAttributes>();
  private readonly acceptedV6 = new WeakSet<RouteAttributes>();
  private lastAcceptedV4: RouteAttributes | null = null;
  private lastAcceptedV6: RouteAttributes | null = null;
  /** Prefixes already reported as skipped on this session. */
  private readonly skipped = new Set<string>();

  constructor(settings: SessionNextHopSettings) {
    this.settings = settings;
    const local = settings.localAddress;
    const configuredLinkLocal = settings.configured?.ipv6LinkLocal;
    const zoneAt = local?.indexOf("%") ?? -1;
    let interfaceGlobal: string | undefined;
    if (local !== null && zoneAt >= 0) {
      this.linkLocal = configuredLinkLocal ?? local.slice(0, zoneAt);
      const zone = local.slice(zoneAt + 1);
      interfaceGlobal = (settings.interfaces ?? systemInterfaces)(zone).find(
        (a) => a.family === "IPv6" && !a.internal && a.scopeid === 0 && !/^fe[89ab]/i.test(a.address),
      )?.address;
    } else {
      this.linkLocal = configuredLinkLocal;
    }
    this.transport = {
      ipv6: (local ?? settings.peerAddress).includes(":"),
      localAddress: local ?? undefined,
      interfaceGlobal,
      extendedNextHop: settings.extendedNextHop,
    };
  }

  /** The next hop a route of `family` gets on this session, or null when none fits. */
  nextHopFor(family: AddressFamily, explicit: string | undefined): string | null {
    const choice = chooseNextHop({
      family,
      explicit,
      configured: this.settings.configured,
      transport: this.transport,
    });
    return choice.ok ? choice.nextHop : null;
  }

  /** The second, link-local IPv6 next hop (RFC 2545 §3), for IPv6 routes that use ours. */
  linkLocalFor(family: AddressFamily, explicit: string | undefined): string | undefined {
    return family === "ipv6-unicast" && explicit === undefined ? this.linkLocal : undefined;
  }

  /**
   * Whether a route can go to the peer on this session; a no is returned with its reason the
   * first time for each prefix and as "" after (reported once). The answer depends only on the
   * family and the (interned) attributes, so a yes is remembered per attributes object: a million
   * routes sharing their attributes are judged once.
   */
  canSend(prefix: string, family: AddressFamily, attributes: RouteAttributes): true | string {
    const v4 = family === "ipv4-unicast";
    if (attributes === (v4 ? this.lastAcceptedV4 : this.lastAcceptedV6)) return true;
    const accepted = v4 ? this.acceptedV4 : this.acceptedV6;
    if (!accepted.has(attributes)) {
      // Not a family of this session: left out without a word (the peer did not ask for it).
      if (!this.settings.families.includes(family)) return "";
      const why = this.refusal(prefix, family, attributes);
      if (why !== null) {
        if (this.skipped.has(prefix)) return "";
        this.skipped.add(prefix);
        return why;
      }
      accepted.add(attributes);
    }
    if (v4) this.lastAcceptedV4 = attributes;
    else this.lastAcceptedV6 = attributes;
    return true;
  }

  private refusal(prefix: string, family: AddressFamily, attributes: RouteAttributes): string | null {
    const { peerName: name, localAddress: local } = this.settings;
    const choice = chooseNextHop({
      family,
      explicit: attributes.nextHop,
      configured: this.settings.configured,
      transport: this.transport,
    });
    if (choice.ok && choice.nextHop !== null) return null;
    // A yes without an address: ours, on a session whose local address is unknown.
    const refusal = choice.ok ? "no-next-hop-for-transport" : choice.refusal;
    const nextHop = choice.nextHop ?? "";
    switch (refusal) {
      case "no-next-hop-for-transport":
        return family === "ipv6-unicast"
          ? `IPv6 route ${prefix} to ${name} needs an IPv6 next hop: the session runs over IPv4 (${local}); pass announce(prefix, { nextHop }) or addPeer({ nextHop: { ipv6 } })`
          : `IPv4 route ${prefix} to ${name} needs an IPv4 next hop: the session runs over IPv6 (${local}); pass announce(prefix, { nextHop }) or addPeer({ nextHop: { ipv4 } })`;
      case "ipv4-next-hop-for-ipv6":
        return `IPv6 route ${prefix} has an IPv4 next hop ${nextHop}`;
      case "needs-extended-next-hop":
        return `IPv4 route ${prefix} has an IPv6 next hop ${nextHop}, but ${name} did not negotiate RFC 8950 extended next hop`;
      default:
        return refusal satisfies never;
    }
  }
}
