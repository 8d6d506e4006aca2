import type { DownReason, FsmState, NegotiatedCapabilities } from "../fsm/types.js";
import type { SessionOptions } from "../session/types.js";
import type { AddressFamily, PathAttributes } from "../wire/types.js";
import type { ReceivedRoute } from "./adj-rib-in.js";
import type { BfdPeerOptions } from "./bfd.js";
import type { RouteAttributes } from "./route.js";

/**
 * Options of the speaker as a whole.
 * @category Speaker
 */
export interface SpeakerOptions {
  /** Our AS number (1–4294967295); 4-octet numbers are sent per RFC 6793. */
  asn: number;
  /** Our BGP Identifier, a dotted quad (commonly an IPv4 address of this host). */
  routerId: string;
  /**
   * Accept inbound sessions on this address and port, shared by every peer (default: no listener;
   * peers then connect out). Only configured peers' addresses are accepted.
   */
  listen?:
    | {
        /** TCP port (default 179; 0 picks a free one). */
        port?: number;
        /** Address to bind (default: every address). */
        host?: string;
      }
    | false;
  /** Hold time we offer, in seconds (default 90; 0 disables keepalives; 1 and 2 are invalid). */
  holdTime?: number;
  /** Seconds between outbound connection attempts (default 30, at least 1). */
  connectRetry?: number;
  /**
   * RFC 9687 Send Hold Time in seconds: a session that could write nothing for this long is closed
   * with NOTIFICATION 8 (Send Hold Timer Expired). Default max(480, 2 × the negotiated hold time).
   */
  sendHoldTime?: number;
  /** Injected time source for tests: { now, setTimeout, clearTimeout }. */
  clock?: SessionOptions["clock"];
  /** Injected jitter source for tests. */
  random?: () => number;
  /**
   * Where BFD (peers with `bfd`) receives: UDP port (default 3784, RFC 5881) and address (default
   * any). The sending socket binds the same address, on a port in 49152–65535.
   */
  bfdListen?: {
    /** UDP port to receive on (default 3784). */
    port?: number;
    /** Address to bind (default: every address). */
    host?: string;
  };
}

/**
 * Options of one neighbor.
 * @category Speaker
 */
export interface PeerOptions {
  /** The neighbor's IPv4 or IPv6 address. */
  address: string;
  /** The neighbor's AS number; equal to ours makes an iBGP session. */
  asn: number;
  /** TCP port to connect to (default 179). */
  port?: number;
  /** Local address to bind outgoing connections to (and the default next hop source). */
  localAddress?: string;
  /** Never connect out; wait for the neighbor to connect to our listener. */
  passive?: boolean;
  /** Families to negotiate (default both IPv4 and IPv6 unicast). */
  families?: AddressFamily[];
  /** Hold time for this neighbor in seconds (default: the speaker's). */
  holdTime?: number;
  /** Seconds between connection attempts for this neighbor (default: the speaker's; at least 1). */
  connectRetry?: number;
  /** RFC 9687 Send Hold Time for this neighbor in seconds (default: the speaker's). */
  sendHoldTime?: number;
  /** A name for events and status (default: the address). */
  name?: string;
  /** Most routes accepted from this neighbor; more ends the session with Cease/1 (RFC 4486). */
  maxPrefixes?: number;
  /**
   * Times our own AS may appear in a received AS_PATH (default 0: routes carrying our AS are
   * refused as loops, RFC 4271 §9.1.2, which also drops our own routes echoed back by a router).
   */
  allowAsIn?: number;
  /**
   * Next hops for routes announced without one, per route family (needed for IPv6 routes over an
   * IPv4 session). `ipv6LinkLocal` adds a link-local next hop (RFC 2545: 32 octets, global then
   * link-local); over a link-local session (`address: "fe80::1%eth0"`) that is the default, with our
   * link-local address and a global address of the interface (or `ipv6`).
   */
  nextHop?: {
    /** Next hop for IPv4 routes. */
    ipv4?: string;
    /** Global next hop for IPv6 routes. */
    ipv6?: string;
    /** Link-local next hop sent beside `ipv6` (fe80::/10, without a zone). */
    ipv6LinkLocal?: string;
  };
  /**
   * TCP-MD5 password (RFC 2385), 1-80 octets, for connections in both directions. Needs Linux and
   * the optional package koffi; addPeer throws when either is missing. Rotate it by removing and
   * re-adding the peer.
   */
  password?: string;
  /**
   * GTSM (RFC 5082): send with TTL 255 and accept only segments that arrived with 255 - hops + 1 or
   * more (`true` = 1 hop). Excludes `multihop`. Needs Linux and koffi.
   */
  ttlSecurity?:
    | boolean
    | {
        /** How many hops away the neighbor may be (1–254). */
        hops: number;
      };
  /** Outgoing TTL for an eBGP peer several hops away (1-255). Excludes `ttlSecurity`. Needs Linux and koffi. */
  multihop?: number;
  /** ADD-PATH (RFC 7911) per family and direction. */
  addPath?: SessionOptions["addPath"];
  /** Seconds of DelayOpen (RFC 4271 §8.1.1); 0 or absent disables it. */
  delayOpen?: number;
  /** Families the peer must support, else the session fails with 2/7 Unsupported Capability. */
  requiredFamilies?: AddressFamily[];
  /** Offer RFC 8950 extended next hop, so IPv4 routes may carry an IPv6 next hop (default false). */
  extendedNextHop?: boolean;
  /** Offer RFC 8654 extended messages, up to 65535 octets (default true). */
  extendedMessage?: boolean;
  /** Announce Graceful Restart as a receiving speaker (default { restartTimeSec: 120 }); false to omit. */
  gracefulRestart?:
    | {
        /** Seconds we ask the neighbor to keep our routes after a session drops (0–4095). */
        restartTimeSec: number;
      }
    | false;
  /**
   * BFD (RFC 5880/5881/5882), single-hop asynchronous mode: `true` for 0.3 s × 3, or
   * `{ interval: 0.3, multiplier: 3, auth?: { type, keyId, key } }` (seconds). BFD going down
   * takes the BGP session down at once; the neighbor's AdminDown does not.
   */
  bfd?: true | BfdPeerOptions;
}

/**
 * A session reached Established.
 * @category Speaker
 */
export interface EstablishedEvent {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
  /** What the two OPENs agreed: families, hold time, ADD-PATH, graceful restart … */
  readonly negotiated: NegotiatedCapabilities;
}

/**
 * A session left Established or failed to get there; it retries by itself.
 * @category Speaker
 */
export interface DownEvent {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
  /** Why: the NOTIFICATION sent or received, the hold timer, or the TCP connection. */
  readonly reason: DownReason;
}

/**
 * A session changed its RFC 4271 state.
 * @category Speaker
 */
export interface StateEvent {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
  /** The state before. */
  readonly from: FsmState;
  /** The state after. */
  readonly to: FsmState;
}

/**
 * One route learned or lost, from one peer, in one family.
 * @category Speaker
 */
export interface RouteEvent {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
  /** The route's family. */
  readonly family: AddressFamily;
  /** Learned (or replaced) or lost. */
  readonly type: "announce" | "withdraw";
  /** The prefix, canonical text. */
  readonly prefix: string;
  /** The ADD-PATH path identifier, when the family receives ADD-PATH. */
  readonly pathId?: number;
  /** Present on announcements. */
  readonly attributes?: PathAttributes;
  /** The route's next hop (NEXT_HOP or the MP_REACH_NLRI one); present on announcements. */
  readonly nextHop?: string;
}

/**
 * A peer finished sending its table for one family (End-of-RIB, RFC 4724).
 * @category Speaker
 */
export interface EndOfRibEvent {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
  /** The family whose initial table is complete. */
  readonly family: AddressFamily;
}

/**
 * A route we announce could not be sent to one peer as configured.
 * @category Speaker
 */
export interface RouteSkippedEvent {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
  /** The prefix not sent. */
  readonly prefix: string;
  /** Why, in words (for example the next hop that is missing and how to give one). */
  readonly reason: string;
}

/**
 * A peer's BFD session came Up.
 * @category Speaker
 */
export interface BfdUpEvent {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
  /** Our discriminator for the BFD session. */
  readonly localDiscriminator: number;
  /** The neighbor's discriminator for it. */
  readonly remoteDiscriminator: number;
  /** The neighbor's Detect Mult times the agreed interval, in ms. */
  readonly detectionTimeMs: number;
}

/**
 * A peer's BFD session left Up.
 * @category Speaker
 */
export interface BfdDownEvent {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
  /** RFC 5880 §4.1 diagnostic: 1 detection time expired, 3 neighbor signaled down, 7 admin down. */
  readonly diag: number;
  /** The diagnostic's RFC text, for logs. */
  readonly reason: string;
  /** The neighbor set its session AdminDown: not a failure, the BGP session stays up (RFC 5882 §3.2). */
  readonly remoteAdminDown: boolean;
}

/**
 * The speaker's typed events.
 * @category Speaker
 */
export interface SpeakerEvents {
  /** A session reached Established. */
  established: (event: EstablishedEvent) => void;
  /** A session went down. */
  down: (event: DownEvent) => void;
  /** A session changed state. */
  state: (event: StateEvent) => void;
  /** A peer announced or withdrew a route (what changed in its Adj-RIB-In). */
  route: (event: RouteEvent) => void;
  /** A peer's initial table for one family is complete. */
  "end-of-rib": (event: EndOfRibEvent) => void;
  /** A route that cannot go to a peer as configured (for example, no usable next hop). */
  "route-skipped": (event: RouteSkippedEvent) => void;
  /** The peer's BFD session came Up. */
  "bfd-up": (event: BfdUpEvent) => void;
  /** The peer's BFD session left Up; unless `remoteAdminDown`, its BGP session goes down too. */
  "bfd-down": (event: BfdDownEvent) => void;
}

/**
 * One event from `events()`: its name and its payload.
 * @category Speaker
 */
export type SpeakerEventItem = {
  [K in keyof SpeakerEvents]: {
    /** The event's name, as `on()` takes it. */
    readonly type: K;
    /** The event's payload, as a listener would receive it. */
    readonly event: Parameters<SpeakerEvents[K]>[0];
  };
}[keyof SpeakerEvents];

/** Every event name, for `events()` to subscribe to. */
export const SPEAKER_EVENT_NAMES: readonly (keyof SpeakerEvents)[] = [
  "established",
  "down",
  "state",
  "route",
  "end-of-rib",
  "route-skipped",
  "bfd-up",
  "bfd-down",
];

/**
 * A route held in a peer's Adj-RIB-In, with the peer it came from.
 * @category Speaker
 */
export interface RibEntry extends ReceivedRoute {
  /** The peer's name (`PeerOptions.name`, by default its address). */
  readonly peer: string;
}

/**
 * A route we announce, as `announcements()` lists it.
 * @category Speaker
 */
export interface Announcement {
  /** The prefix, canonical text. */
  readonly prefix: string;
  /** Its family. */
  readonly family: AddressFamily;
  /** The attributes it is announced with, as given to `announce` (normalised). */
  readonly attributes: Omit<RouteAttributes, "key">;
  /** Peers it is meant for (all configured peers when announced without `peers`). */
  readonly peers: readonly string[];
}
