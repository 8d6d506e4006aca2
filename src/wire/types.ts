/**
 * The plain-data model of every BGP message. Everything here survives `JSON.stringify`
 * apart from `Uint8Array` fields, and prefixes and addresses are canonical strings
 * ("198.51.100.0/24", "2001:db8::/32" in RFC 5952 form).
 * @module
 */

/**
 * The two families this library speaks natively.
 * @category Wire codec
 */
export type AddressFamily = "ipv4-unicast" | "ipv6-unicast";

/**
 * How the bytes in one direction of a session are encoded (what the OPENs negotiated).
 * @category Wire codec
 */
export interface CodecContext {
  /** AS numbers in AS_PATH and AGGREGATOR take 4 octets (RFC 6793). */
  fourOctetAs: boolean;
  /** Families whose NLRI carry ADD-PATH path identifiers (RFC 7911), e.g. "ipv4-unicast". */
  addPath: readonly AddressFamily[];
  /** Messages up to 65535 octets (RFC 8654); otherwise 4096. */
  extendedMessage: boolean;
}

/**
 * One NLRI entry: a prefix and, when ADD-PATH is in use for its family, its path identifier.
 * @category Wire codec
 */
export interface Nlri {
  /** Canonical prefix text, e.g. "198.51.100.0/24" or "2001:db8::/32". */
  readonly prefix: string;
  /** ADD-PATH path identifier (RFC 7911), a 32-bit unsigned integer; absent without ADD-PATH. */
  readonly pathId?: number;
}

// ---------------------------------------------------------------------------------------------
// OPEN and capabilities

/**
 * An AFI/SAFI pair as numbers (IANA registries), for families we may not speak ourselves.
 * @category Wire codec
 */
export interface AfiSafi {
  /** Address Family Identifier: 1 IPv4, 2 IPv6 (see `Afi`). */
  readonly afi: number;
  /** Subsequent AFI: 1 unicast, 2 multicast, … (see `Safi`). */
  readonly safi: number;
}

/**
 * One capability of an OPEN (RFC 5492), told apart by `name`; codes this codec does not know are
 * `"unknown"` with their raw value. AFI/SAFI fields are the IANA numbers (see `Afi`, `Safi`).
 * @category Wire codec
 */
export type Capability =
  | {
      /** Multiprotocol extensions (RFC 4760, code 1): the sender speaks this AFI/SAFI. */
      readonly name: "multiprotocol";
      /** Address Family Identifier. */
      readonly afi: number;
      /** Subsequent Address Family Identifier. */
      readonly safi: number;
    }
  | {
      /** Route refresh (RFC 2918, code 2). */
      readonly name: "route-refresh";
    }
  | {
      /** Extended next hop encoding (RFC 8950, code 5). */
      readonly name: "extended-next-hop";
      /** NLRI families whose next hop may be of another address family. */
      readonly entries: readonly {
        /** NLRI Address Family Identifier. */
        readonly afi: number;
        /** NLRI Subsequent Address Family Identifier. */
        readonly safi: number;
        /** The address family of the next hop allowed for it (2 for IPv6). */
        readonly nextHopAfi: number;
      }[];
    }
  | {
      /** Messages up to 65535 octets (RFC 8654, code 6). */
      readonly name: "extended-message";
    }
  | {
      /** BGP role (RFC 9234, code 9). */
      readonly name: "role";
      /** 0 provider, 1 route server, 2 route-server client, 3 customer, 4 peer. */
      readonly role: number;
    }
  | {
      /** Graceful restart (RFC 4724, code 64). */
      readonly name: "graceful-restart";
      /** R bit: the sender has restarted. */
      readonly restarting: boolean;
      /** N bit (RFC 8538): the sender supports graceful NOTIFICATION. */
      readonly notification: boolean;
      /** How long, in seconds (0–4095), the sender asks its routes be kept after the session drops. */
      readonly restartTimeSec: number;
      /** Families whose routes the sender keeps across a restart. */
      readonly families: readonly {
        /** Address Family Identifier. */
        readonly afi: number;
        /** Subsequent Address Family Identifier. */
        readonly safi: number;
        /** F bit: forwarding state for this family survived the restart. */
        readonly forwardingPreserved: boolean;
      }[];
    }
  | {
      /** 4-octet AS numbers (RFC 6793, code 65). */
      readonly name: "four-octet-as";
      /** The sender's real AS number, 1–4294967295. */
      readonly asn: number;
    }
  | {
      /** ADD-PATH (RFC 7911, code 69). */
      readonly name: "add-path";
      /** Per family, whether the sender can send and/or receive several paths per prefix. */
      readonly families: readonly {
        /** Address Family Identifier. */
        readonly afi: number;
        /** Subsequent Address Family Identifier. */
        readonly safi: number;
        /** Which directions the sender offers for this family. */
        readonly sendReceive: "receive" | "send" | "both";
      }[];
    }
  | {
      /** Enhanced route refresh (RFC 7313, code 70). */
      readonly name: "enhanced-route-refresh";
    }
  | {
      /** Long-lived graceful restart (RFC 9494, code 71). */
      readonly name: "long-lived-graceful-restart";
      /** Families whose routes the sender keeps as long-lived stale. */
      readonly families: readonly {
        /** Address Family Identifier. */
        readonly afi: number;
        /** Subsequent Address Family Identifier. */
        readonly safi: number;
        /** F bit: forwarding state for this family survived the restart. */
        readonly forwardingPreserved: boolean;
        /** How long, in seconds (24 bits), stale routes of this family are kept. */
        readonly staleTimeSec: number;
      }[];
    }
  | {
      /** The sender's host and domain name (draft-walton-bgp-hostname-capability, code 73). */
      readonly name: "fqdn";
      /** Host name, UTF-8. */
      readonly hostname: string;
      /** Domain name, UTF-8; empty when none. */
      readonly domainName: string;
    }
  | {
      /** The sender's software version (draft-abraitis-bgp-version-capability, code 75). */
      readonly name: "software-version";
      /** Free text, UTF-8. */
      readonly version: string;
    }
  | {
      /** Paths limit for ADD-PATH (draft-abraitis-idr-addpath-paths-limit, code 76). */
      readonly name: "paths-limit";
      /** Per family, how many paths per prefix the sender accepts. */
      readonly families: readonly {
        /** Address Family Identifier. */
        readonly afi: number;
        /** Subsequent Address Family Identifier. */
        readonly safi: number;
        /** Paths per prefix, 0 meaning no limit. */
        readonly limit: number;
      }[];
    }
  | {
      /** A capability this codec does not decode, kept raw so it can be shown or passed on. */
      readonly name: "unknown";
      /** Its capability code (see `CapabilityCode`). */
      readonly code: number;
      /** Its value octets. */
      readonly data: Uint8Array;
    };

/**
 * The `name` of each kind of capability.
 * @category Wire codec
 */
export type CapabilityName = Capability["name"];

/**
 * An optional parameter of the OPEN that is not a capability (RFC 4271 §4.2); kept raw.
 * @category Wire codec
 */
export interface UnknownOpenParameter {
  /** The Optional Parameter Type octet (2, capabilities, is decoded instead). */
  readonly parameterType: number;
  /** Its value octets. */
  readonly data: Uint8Array;
}

/**
 * OPEN (RFC 4271 §4.2): the first message of a session, announcing who we are and what we speak.
 * @category Wire codec
 */
export interface OpenMessage {
  /** Tells the message kinds apart. */
  readonly type: "open";
  /** Always 4 in anything we accept. */
  readonly version: number;
  /** The 2-octet "My Autonomous System" field: AS_TRANS (23456) when the real AS needs 4 octets. */
  readonly myAsn: number;
  /** Proposed hold time in seconds: 0 (no keepalives) or 3–65535. */
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

/**
 * ORIGIN (RFC 4271 §5.1.1): where the route came from, as its three values.
 * @category Wire codec
 */
export type Origin = "igp" | "egp" | "incomplete";

/**
 * The kind of an AS_PATH segment: AS_SET, AS_SEQUENCE, and the confederation ones (RFC 5065).
 * @category Wire codec
 */
export type AsPathSegmentType = "set" | "sequence" | "confed-sequence" | "confed-set";

/**
 * One segment of AS_PATH or AS4_PATH.
 * @category Wire codec
 */
export interface AsPathSegment {
  /** Ordered sequence, unordered set, or their confederation forms. */
  readonly type: AsPathSegmentType;
  /** The AS numbers, nearest first in a sequence. */
  readonly asns: readonly number[];
}

/**
 * AGGREGATOR or AS4_AGGREGATOR (RFC 4271 §5.1.7): who formed an aggregate route.
 * @category Wire codec
 */
export interface Aggregator {
  /** The AS number of the speaker that aggregated. */
  readonly asn: number;
  /** Its BGP Identifier or address, dotted quad. */
  readonly address: string;
}

/**
 * MP_REACH_NLRI for IPv4 or IPv6 unicast, decoded.
 * @category Wire codec
 */
export interface MpReachUnicast {
  /** The decoded family. */
  readonly family: AddressFamily;
  /** Address Family Identifier as sent (1 or 2). */
  readonly afi: number;
  /** Subsequent Address Family Identifier as sent (1). */
  readonly safi: number;
  /** IPv4 or IPv6 next hop (an IPv6 one for IPv4 routes under RFC 8950). */
  readonly nextHop: string;
  /** The link-local half of a 32-octet IPv6 next hop (RFC 2545). */
  readonly linkLocalNextHop?: string;
  /** The routes announced with this next hop. */
  readonly nlri: readonly Nlri[];
}

/**
 * MP_REACH_NLRI for a family we do not decode (VPN, labeled, EVPN, FlowSpec, BGP-LS …): kept raw.
 * @category Wire codec
 */
export interface MpReachOther {
  /** Null: the family is not one this codec decodes. */
  readonly family: null;
  /** Address Family Identifier as sent. */
  readonly afi: number;
  /** Subsequent Address Family Identifier as sent. */
  readonly safi: number;
  /** The Network Address of Next Hop field, raw. */
  readonly nextHopBytes: Uint8Array;
  /** The NLRI field, raw. */
  readonly nlriBytes: Uint8Array;
}

/**
 * MP_REACH_NLRI (RFC 4760 §3): routes of a family other than plain IPv4, with their next hop.
 * @category Wire codec
 */
export type MpReach = MpReachUnicast | MpReachOther;

/**
 * MP_UNREACH_NLRI for IPv4 or IPv6 unicast, decoded.
 * @category Wire codec
 */
export interface MpUnreachUnicast {
  /** The decoded family. */
  readonly family: AddressFamily;
  /** Address Family Identifier as sent (1 or 2). */
  readonly afi: number;
  /** Subsequent Address Family Identifier as sent (1). */
  readonly safi: number;
  /** The routes withdrawn; empty in an End-of-RIB marker. */
  readonly withdrawnRoutes: readonly Nlri[];
}

/**
 * MP_UNREACH_NLRI for a family we do not decode: kept raw.
 * @category Wire codec
 */
export interface MpUnreachOther {
  /** Null: the family is not one this codec decodes. */
  readonly family: null;
  /** Address Family Identifier as sent. */
  readonly afi: number;
  /** Subsequent Address Family Identifier as sent. */
  readonly safi: number;
  /** The Withdrawn Routes field, raw. */
  readonly withdrawnBytes: Uint8Array;
}

/**
 * MP_UNREACH_NLRI (RFC 4760 §4): withdrawals of a family other than plain IPv4.
 * @category Wire codec
 */
export type MpUnreach = MpUnreachUnicast | MpUnreachOther;

/**
 * An attribute this codec does not know, kept with its flags so it can be passed on.
 * @category Wire codec
 */
export interface UnknownAttribute {
  /** The flags octet as received (Optional, Transitive, Partial, Extended Length bits). */
  readonly flags: number;
  /** The attribute type code. */
  readonly code: number;
  /** The attribute value octets. */
  readonly data: Uint8Array;
}

/**
 * Path attributes as a typed record; absent attributes are absent keys.
 * Communities are "65001:100", large communities "65001:1:2", extended communities the
 * 16 lower-case hex digits of their 8 octets ("0002fde800000064").
 * @category Wire codec
 */
export interface PathAttributes {
  /** ORIGIN (type 1). */
  readonly origin?: Origin;
  /** AS_PATH (type 2), with 2- or 4-octet AS numbers as the session negotiated. */
  readonly asPath?: readonly AsPathSegment[];
  /** NEXT_HOP (type 3): the IPv4 next hop of the IPv4 routes in `nlri`, dotted quad. */
  readonly nextHop?: string;
  /** MULTI_EXIT_DISC (type 4), 0–4294967295; lower is preferred. */
  readonly med?: number;
  /** LOCAL_PREF (type 5), 0–4294967295; higher is preferred; iBGP only. */
  readonly localPref?: number;
  /** ATOMIC_AGGREGATE (type 6): present or absent, no value. */
  readonly atomicAggregate?: true;
  /** AGGREGATOR (type 7). */
  readonly aggregator?: Aggregator;
  /** COMMUNITIES (type 8, RFC 1997), as "asn:value". */
  readonly communities?: readonly string[];
  /** ORIGINATOR_ID (type 9, RFC 4456), dotted quad. */
  readonly originatorId?: string;
  /** CLUSTER_LIST (type 10, RFC 4456), dotted quads, nearest first. */
  readonly clusterList?: readonly string[];
  /** MP_REACH_NLRI (type 14). */
  readonly mpReach?: MpReach;
  /** MP_UNREACH_NLRI (type 15). */
  readonly mpUnreach?: MpUnreach;
  /** EXTENDED COMMUNITIES (type 16, RFC 4360), as 16 hex digits each. */
  readonly extendedCommunities?: readonly string[];
  /** AS4_PATH (type 17, RFC 6793): the real path beside an AS_PATH with AS_TRANS. */
  readonly as4Path?: readonly AsPathSegment[];
  /** AS4_AGGREGATOR (type 18, RFC 6793). */
  readonly as4Aggregator?: Aggregator;
  /** LARGE_COMMUNITY (type 32, RFC 8092), as "global:local1:local2". */
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

/**
 * RFC 7606 §2: what a receiver does about a malformed UPDATE.
 * @category Wire codec
 */
export type ErrorHandling = "session-reset" | "treat-as-withdraw" | "attribute-discard";

/**
 * One RFC 7606 problem found in an UPDATE that did not reset the session.
 * @category Wire codec
 */
export interface UpdateProblem {
  /** What RFC 7606 asks for this problem. */
  readonly action: "treat-as-withdraw" | "attribute-discard";
  /** The NOTIFICATION code and subcode the RFC 4271 error would have carried. */
  readonly code: number;
  /** See `code`. */
  readonly subcode: number;
  /** The attribute type code concerned, when there is one. */
  readonly attributeCode?: number;
  /** What was wrong, in words, for logs. */
  readonly reason: string;
}

/**
 * UPDATE (RFC 4271 §4.3): withdrawn routes, path attributes, and the routes announced with them.
 * @category Wire codec
 */
export interface UpdateMessage {
  /** Tells the message kinds apart. */
  readonly type: "update";
  /** IPv4 routes withdrawn (IPv6 ones travel in `attributes.mpUnreach`). */
  readonly withdrawnRoutes: readonly Nlri[];
  /** The path attributes of the announced routes; empty when the UPDATE only withdraws. */
  readonly attributes: PathAttributes;
  /** IPv4 routes announced (IPv6 ones travel in `attributes.mpReach`). */
  readonly nlri: readonly Nlri[];
  /**
   * Present only when the decoder found RFC 7606 problems short of a session reset.
   * "treat-as-withdraw": every route this UPDATE announces must be handled as withdrawn.
   */
  readonly errorHandling?: "treat-as-withdraw" | "attribute-discard";
  /** Each RFC 7606 problem found; present with `errorHandling`. */
  readonly problems?: readonly UpdateProblem[];
}

// ---------------------------------------------------------------------------------------------
// NOTIFICATION, KEEPALIVE, ROUTE-REFRESH

/**
 * NOTIFICATION (RFC 4271 §4.5): the error that ends a session.
 * @category Wire codec
 */
export interface NotificationMessage {
  /** Tells the message kinds apart. */
  readonly type: "notification";
  /** Error code (see `ErrorCode`). */
  readonly code: number;
  /** Error subcode, 0 when unspecific (see the `…Subcode` tables). */
  readonly subcode: number;
  /** The data field: what the RFC for the code/subcode says to include; may be empty. */
  readonly data: Uint8Array;
  /**
   * RFC 9003 shutdown communication, decoded from `data` for Cease/Administrative Shutdown
   * and Cease/Administrative Reset when it is well-formed UTF-8 of the stated length.
   * On encode it is used only when `data` is empty.
   */
  readonly shutdownMessage?: string;
}

/**
 * KEEPALIVE (RFC 4271 §4.4): a header with no body, sent to keep the hold timer from expiring.
 * @category Wire codec
 */
export interface KeepaliveMessage {
  /** Tells the message kinds apart. */
  readonly type: "keepalive";
}

/**
 * ROUTE-REFRESH (RFC 2918, RFC 7313): asks the peer to send its routes of one family again.
 * @category Wire codec
 */
export interface RouteRefreshMessage {
  /** Tells the message kinds apart. */
  readonly type: "route-refresh";
  /** Address Family Identifier of the family. */
  readonly afi: number;
  /** Subsequent Address Family Identifier of the family. */
  readonly safi: number;
  /**
   * RFC 7313 message subtype: 0 a normal request, 1 Begin-of-Route-Refresh, 2 End-of-Route-Refresh.
   * Other values decode as they are; the RFC says a receiver ignores such a message.
   */
  readonly subtype: number;
  /** ORF entries (RFC 5291) after AFI/SAFI, kept raw; omitted when none. */
  readonly orf?: Uint8Array;
}

/**
 * Any BGP message, told apart by `type`.
 * @category Wire codec
 */
export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

/**
 * The `type` of each kind of message.
 * @category Wire codec
 */
export type BgpMessageType = BgpMessage["type"];
