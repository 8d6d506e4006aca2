/**
 * The plain-data model of every BGP message. Everything here survives `JSON.stringify`
 * apart from `Uint8Array` fields, and prefixes and addresses are canonical strings
 * ("198.51.100.0/24", "2001:db8::/32" in RFC 5952 form).
 * @module
 */

/** The two families this library speaks natively. */
export type AddressFamily = "ipv4-unicast" | "ipv6-unicast";

/** How the bytes in one direction of a session are encoded (what the OPENs negotiated). */
export interface CodecContext {
  /** AS numbers in AS_PATH and AGGREGATOR take 4 octets (RFC 6793). */
  fourOctetAs: boolean;
  /** Families whose NLRI carry ADD-PATH path identifiers (RFC 7911), e.g. "ipv4-unicast". */
  addPath: readonly AddressFamily[];
  /** Messages up to 65535 octets (RFC 8654); otherwise 4096. */
  extendedMessage: boolean;
}

/** One NLRI entry: a prefix and, when ADD-PATH is in use for its family, its path identifier. */
export interface Nlri {
  readonly prefix: string;
  readonly pathId?: number;
}

// ---------------------------------------------------------------------------------------------
// OPEN and capabilities

/** An AFI/SAFI pair as numbers (IANA registries), for families we may not speak ourselves. */
export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

export type Capability =
  | { readonly name: "multiprotocol"; readonly afi: number; readonly safi: number }
  | { readonly name: "route-refresh" }
  | {
      readonly name: "extended-next-hop";
      readonly entries: readonly {
        readonly afi: number;
        readonly safi: number;
        readonly nextHopAfi: number;
      }[];
    }
  | { readonly name: "extended-message" }
  /** RFC 9234: 0 provider, 1 route server, 2 route-server client, 3 customer, 4 peer. */
  | { readonly name: "role"; readonly role: number }
  | {
      readonly name: "graceful-restart";
      /** R bit: the sender has restarted. */
      readonly restarting: boolean;
      /** N bit (RFC 8538): the sender supports graceful NOTIFICATION. */
      readonly notification: boolean;
      readonly restartTimeSec: number;
      readonly families: readonly {
        readonly afi: number;
        readonly safi: number;
        readonly forwardingPreserved: boolean;
      }[];
    }
  | { readonly name: "four-octet-as"; readonly asn: number }
  | {
      readonly name: "add-path";
      readonly families: readonly {
        readonly afi: number;
        readonly safi: number;
        readonly sendReceive: "receive" | "send" | "both";
      }[];
    }
  | { readonly name: "enhanced-route-refresh" }
  | {
      readonly name: "long-lived-graceful-restart";
      readonly families: readonly {
        readonly afi: number;
        readonly safi: number;
        readonly forwardingPreserved: boolean;
        readonly staleTimeSec: number;
      }[];
    }
  | { readonly name: "fqdn"; readonly hostname: string; readonly domainName: string }
  | { readonly name: "software-version"; readonly version: string }
  | {
      readonly name: "paths-limit";
      readonly families: readonly { readonly afi: number; readonly safi: number; readonly limit: number }[];
    }
  | { readonly name: "unknown"; readonly code: number; readonly data: Uint8Array };

export type CapabilityName = Capability["name"];

/** An optional parameter of the OPEN that is not a capability (RFC 4271 §4.2); kept raw. */
export interface UnknownOpenParameter {
  readonly parameterType: number;
  readonly data: Uint8Array;
}

export interface OpenMessage {
  readonly type: "open";
  /** Always 4 in anything we accept. */
  readonly version: number;
  /** The 2-octet "My Autonomous System" field: AS_TRANS (23456) when the real AS needs 4 octets. */
  readonly myAsn: number;
  readonly holdTime: number;
  /** Dotted quad. */
  readonly bgpIdentifier: string;
  /** Capabilities in the order they appear on the wire (RFC 5492 allows one parameter per capability or many per parameter). */
  readonly capabilities: readonly Capability[];
  /** Optional parameters other than capabilities (type 2), rarely seen; omitted when none. */
  readonly unknownParameters?: readonly UnknownOpenParameter[];
}

// ---------------------------------------------------------------------------------------------
// UPDATE and path attributes

export type Origin = "igp" | "egp" | "incomplete";

export type AsPathSegmentType = "set" | "sequence" | "confed-sequence" | "confed-set";

export interface AsPathSegment {
  readonly type: AsPathSegmentType;
  readonly asns: readonly number[];
}

export interface Aggregator {
  readonly asn: number;
  readonly address: string;
}

/** MP_REACH_NLRI for IPv4 or IPv6 unicast, decoded. */
export interface MpReachUnicast {
  readonly family: AddressFamily;
  readonly afi: number;
  readonly safi: number;
  /** IPv4 or IPv6 next hop (an IPv6 one for IPv4 routes under RFC 8950). */
  readonly nextHop: string;
  /** The link-local half of a 32-octet IPv6 next hop (RFC 2545). */
  readonly linkLocalNextHop?: string;
  readonly nlri: readonly Nlri[];
}

/** MP_REACH_NLRI for a family we do not decode (VPN, labeled, EVPN, FlowSpec, BGP-LS …): kept raw. */
export interface MpReachOther {
  readonly family: null;
  readonly afi: number;
  readonly safi: number;
  readonly nextHopBytes: Uint8Array;
  readonly nlriBytes: Uint8Array;
}

export type MpReach = MpReachUnicast | MpReachOther;

export interface MpUnreachUnicast {
  readonly family: AddressFamily;
  readonly afi: number;
  readonly safi: number;
  readonly withdrawnRoutes: readonly Nlri[];
}

export interface MpUnreachOther {
  readonly family: null;
  readonly afi: number;
  readonly safi: number;
  readonly withdrawnBytes: Uint8Array;
}

export type MpUnreach = MpUnreachUnicast | MpUnreachOther;

/** An attribute this codec does not know, kept with its flags so it can be passed on. */
export interface UnknownAttribute {
  readonly flags: number;
  readonly code: number;
  readonly data: Uint8Array;
}

/**
 * Path attributes as a typed record; absent attributes are absent keys.
 * Communities are "65001:100", large communities "65001:1:2", extended communities the
 * 16 lower-case hex digits of their 8 octets ("0002fde800000064").
 */
export interface PathAttributes {
  readonly origin?: Origin;
  readonly asPath?: readonly AsPathSegment[];
  readonly nextHop?: string;
  readonly med?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: true;
  readonly aggregator?: Aggregator;
  readonly communities?: readonly string[];
  readonly originatorId?: string;
  readonly clusterList?: readonly string[];
  readonly mpReach?: MpReach;
  readonly mpUnreach?: MpUnreach;
  readonly extendedCommunities?: readonly string[];
  readonly as4Path?: readonly AsPathSegment[];
  readonly as4Aggregator?: Aggregator;
  readonly largeCommunities?: readonly string[];
  /** Only To Customer (RFC 9234): an AS number. */
  readonly otc?: number;
  /** Attributes this codec does not know, in the order they came (see `UnknownAttribute`). */
  readonly unknown?: readonly UnknownAttribute[];
  /**
   * Type codes, ascending, of known optional transitive attributes that came with the Partial bit
   * set; they are sent on with it (RFC 4271 §5: a Partial bit set "by some previous AS ... MUST NOT
   * be set back to 0"). Omitted when none.
   */
  readonly partial?: readonly number[];
}

/** RFC 7606 §2: what a receiver does about a malformed UPDATE. */
export type ErrorHandling = "session-reset" | "treat-as-withdraw" | "attribute-discard";

/** One RFC 7606 problem found in an UPDATE that did not reset the session. */
export interface UpdateProblem {
  readonly action: "treat-as-withdraw" | "attribute-discard";
  /** The NOTIFICATION code and subcode the RFC 4271 error would have carried. */
  readonly code: number;
  readonly subcode: number;
  /** The attribute type code concerned, when there is one. */
  readonly attributeCode?: number;
  readonly reason: string;
}

export interface UpdateMessage {
  readonly type: "update";
  readonly withdrawnRoutes: readonly Nlri[];
  readonly attributes: PathAttributes;
  readonly nlri: readonly Nlri[];
  /**
   * Present only when the decoder found RFC 7606 problems short of a session reset.
   * "treat-as-withdraw": every route this UPDATE announces must be handled as withdrawn.
   */
  readonly errorHandling?: "treat-as-withdraw" | "attribute-discard";
  readonly problems?: readonly UpdateProblem[];
}

// ---------------------------------------------------------------------------------------------
// NOTIFICATION, KEEPALIVE, ROUTE-REFRESH

export interface NotificationMessage {
  readonly type: "notification";
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  /**
   * RFC 9003 shutdown communication, decoded from `data` for Cease/Administrative Shutdown
   * and Cease/Administrative Reset when it is well-formed UTF-8 of the stated length.
   * On encode it is used only when `data` is empty.
   */
  readonly shutdownMessage?: string;
}

export interface KeepaliveMessage {
  readonly type: "keepalive";
}

export interface RouteRefreshMessage {
  readonly type: "route-refresh";
  readonly afi: number;
  readonly safi: number;
  /**
   * RFC 7313 message subtype: 0 a normal request, 1 Begin-of-Route-Refresh, 2 End-of-Route-Refresh.
   * Other values decode as they are; the RFC says a receiver ignores such a message.
   */
  readonly subtype: number;
  /** ORF entries (RFC 5291) after AFI/SAFI, kept raw; omitted when none. */
  readonly orf?: Uint8Array;
}

export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

export type BgpMessageType = BgpMessage["type"];
