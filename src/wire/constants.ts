/**
 * Numbers from the IANA BGP registries, as `as const` objects.
 * @module
 */

/** Header: 16-octet marker, 2-octet length, 1-octet type (RFC 4271 §4.1). */
export const HEADER_LENGTH = 19;
/** The header's marker: 16 octets of all ones (RFC 4271 §4.1). */
export const MARKER_LENGTH = 16;
/** RFC 4271 §4: the largest message without RFC 8654. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654: the largest message once extended messages are negotiated. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
/** RFC 6793: the 2-octet placeholder for a 4-octet AS. */
export const AS_TRANS = 23456;
/** The protocol version this library speaks (RFC 4271). */
export const BGP_VERSION = 4;

/** Message type codes ({@link https://www.iana.org/assignments/bgp-parameters/bgp-parameters.xhtml#bgp-parameters-1 | IANA}). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

/**
 * Path attribute type codes
 * ({@link https://www.iana.org/assignments/bgp-parameters/bgp-parameters.xhtml#bgp-parameters-2 | IANA}),
 * the numbers in `UnknownAttribute.code`, `PathAttributes.partial` and `UpdateProblem.attributeCode`.
 * @category Wire codec
 */
export const AttributeCode = {
  /** ORIGIN (RFC 4271), well-known mandatory. */
  ORIGIN: 1,
  /** AS_PATH (RFC 4271), well-known mandatory. */
  AS_PATH: 2,
  /** NEXT_HOP (RFC 4271), well-known mandatory for IPv4 NLRI. */
  NEXT_HOP: 3,
  /** MULTI_EXIT_DISC (RFC 4271), optional non-transitive. */
  MULTI_EXIT_DISC: 4,
  /** LOCAL_PREF (RFC 4271), well-known, iBGP only. */
  LOCAL_PREF: 5,
  /** ATOMIC_AGGREGATE (RFC 4271), well-known discretionary. */
  ATOMIC_AGGREGATE: 6,
  /** AGGREGATOR (RFC 4271), optional transitive. */
  AGGREGATOR: 7,
  /** COMMUNITIES (RFC 1997), optional transitive. */
  COMMUNITIES: 8,
  /** ORIGINATOR_ID (RFC 4456), optional non-transitive. */
  ORIGINATOR_ID: 9,
  /** CLUSTER_LIST (RFC 4456), optional non-transitive. */
  CLUSTER_LIST: 10,
  /** MP_REACH_NLRI (RFC 4760), optional non-transitive. */
  MP_REACH_NLRI: 14,
  /** MP_UNREACH_NLRI (RFC 4760), optional non-transitive. */
  MP_UNREACH_NLRI: 15,
  /** EXTENDED COMMUNITIES (RFC 4360), optional transitive. */
  EXTENDED_COMMUNITIES: 16,
  /** AS4_PATH (RFC 6793), optional transitive. */
  AS4_PATH: 17,
  /** AS4_AGGREGATOR (RFC 6793), optional transitive. */
  AS4_AGGREGATOR: 18,
  /** LARGE_COMMUNITY (RFC 8092), optional transitive. */
  LARGE_COMMUNITY: 32,
  /** Only to Customer (RFC 9234), optional transitive. */
  OTC: 35,
} as const;

/** Attribute flag bits (RFC 4271 §4.3). */
export const AttributeFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/**
 * Capability codes
 * ({@link https://www.iana.org/assignments/capability-codes/capability-codes.xhtml | IANA}), the
 * numbers in an `"unknown"` capability's `code`.
 * @category Wire codec
 */
export const CapabilityCode = {
  /** Multiprotocol extensions (RFC 4760). */
  MULTIPROTOCOL: 1,
  /** Route refresh (RFC 2918). */
  ROUTE_REFRESH: 2,
  /** Extended next hop encoding (RFC 8950). */
  EXTENDED_NEXT_HOP: 5,
  /** Extended message (RFC 8654). */
  EXTENDED_MESSAGE: 6,
  /** BGP role (RFC 9234). */
  ROLE: 9,
  /** Graceful restart (RFC 4724). */
  GRACEFUL_RESTART: 64,
  /** 4-octet AS numbers (RFC 6793). */
  FOUR_OCTET_AS: 65,
  /** ADD-PATH (RFC 7911). */
  ADD_PATH: 69,
  /** Enhanced route refresh (RFC 7313). */
  ENHANCED_ROUTE_REFRESH: 70,
  /** Long-lived graceful restart (RFC 9494). */
  LONG_LIVED_GRACEFUL_RESTART: 71,
  /** Host and domain name (draft-walton-bgp-hostname-capability). */
  FQDN: 73,
  /** Software version (draft-abraitis-bgp-version-capability). */
  SOFTWARE_VERSION: 75,
  /** ADD-PATH paths limit (draft-abraitis-idr-addpath-paths-limit). */
  PATHS_LIMIT: 76,
} as const;

/** OPEN optional parameter types (RFC 5492; 255 is RFC 9072's extended length marker). */
export const OpenParameterType = {
  CAPABILITIES: 2,
  EXTENDED_LENGTH: 255,
} as const;

/**
 * Address Family Identifiers
 * ({@link https://www.iana.org/assignments/address-family-numbers/address-family-numbers.xhtml | IANA})
 * this library decodes.
 * @category Wire codec
 */
export const Afi = {
  /** IP version 4. */
  IPV4: 1,
  /** IP version 6. */
  IPV6: 2,
} as const;

/**
 * Subsequent Address Family Identifiers
 * ({@link https://www.iana.org/assignments/safi-namespace/safi-namespace.xhtml | IANA}) this library
 * decodes.
 * @category Wire codec
 */
export const Safi = {
  /** Unicast forwarding. */
  UNICAST: 1,
} as const;

/**
 * NOTIFICATION error codes
 * ({@link https://www.iana.org/assignments/bgp-parameters/bgp-parameters.xhtml#bgp-parameters-3 | IANA}),
 * as in `BgpError.code` and `NotificationMessage.code`.
 * @category Wire codec
 */
export const ErrorCode = {
  /** Message Header Error (RFC 4271 §6.1); subcodes in `HeaderErrorSubcode`. */
  MESSAGE_HEADER: 1,
  /** OPEN Message Error (RFC 4271 §6.2); subcodes in `OpenErrorSubcode`. */
  OPEN_MESSAGE: 2,
  /** UPDATE Message Error (RFC 4271 §6.3); subcodes in `UpdateErrorSubcode`. */
  UPDATE_MESSAGE: 3,
  /** Hold Timer Expired (RFC 4271 §6.5): nothing heard from the peer for the hold time. */
  HOLD_TIMER_EXPIRED: 4,
  /** Finite State Machine Error (RFC 4271 §6.6); subcodes in `FsmErrorSubcode`. */
  FSM: 5,
  /** Cease (RFC 4271 §6.7): the session is closed on purpose; subcodes in `CeaseSubcode`. */
  CEASE: 6,
  /** ROUTE-REFRESH Message Error (RFC 7313); subcodes in `RouteRefreshErrorSubcode`. */
  ROUTE_REFRESH_MESSAGE: 7,
  /** Send Hold Timer Expired (RFC 9687): the peer stopped reading what we sent. */
  SEND_HOLD_TIMER_EXPIRED: 8,
} as const;

/**
 * Message Header Error subcodes (RFC 4271 §6.1).
 * @category Wire codec
 */
export const HeaderErrorSubcode = {
  /** The marker is not all ones. */
  CONNECTION_NOT_SYNCHRONIZED: 1,
  /** The length field is out of range for the message type; the data is the length. */
  BAD_MESSAGE_LENGTH: 2,
  /** The type code is unknown; the data is the type. */
  BAD_MESSAGE_TYPE: 3,
} as const;

/**
 * OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9234). 5 is deprecated.
 * @category Wire codec
 */
export const OpenErrorSubcode = {
  /** The version is not 4; the data is the largest version we speak. */
  UNSUPPORTED_VERSION_NUMBER: 1,
  /** The peer's AS is not the one configured. */
  BAD_PEER_AS: 2,
  /** The BGP Identifier is invalid (0.0.0.0, or ours on an iBGP session). */
  BAD_BGP_IDENTIFIER: 3,
  /** An optional parameter we do not recognise. */
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  /** Hold time 1 or 2 seconds, which RFC 4271 forbids. */
  UNACCEPTABLE_HOLD_TIME: 6,
  /** A capability we require is missing (RFC 5492); the data lists it. */
  UNSUPPORTED_CAPABILITY: 7,
  /** The two BGP roles do not fit together (RFC 9234). */
  ROLE_MISMATCH: 11,
} as const;

/**
 * UPDATE Message Error subcodes (RFC 4271 §6.3). 7 is deprecated.
 * @category Wire codec
 */
export const UpdateErrorSubcode = {
  /** The attribute or withdrawn-routes lengths do not add up, or an attribute repeats. */
  MALFORMED_ATTRIBUTE_LIST: 1,
  /** A well-known attribute we do not recognise. */
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  /** ORIGIN, AS_PATH or NEXT_HOP is missing. */
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  /** An attribute's flags conflict with its type. */
  ATTRIBUTE_FLAGS_ERROR: 4,
  /** An attribute's length is wrong for its type. */
  ATTRIBUTE_LENGTH_ERROR: 5,
  /** ORIGIN has a value other than 0, 1 or 2. */
  INVALID_ORIGIN_ATTRIBUTE: 6,
  /** NEXT_HOP is not a usable address. */
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  /** An optional attribute's value is malformed. */
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  /** The NLRI field is malformed. */
  INVALID_NETWORK_FIELD: 10,
  /** AS_PATH is malformed. */
  MALFORMED_AS_PATH: 11,
} as const;

/**
 * Finite State Machine Error subcodes (RFC 6608).
 * @category Wire codec
 */
export const FsmErrorSubcode = {
  /** No more specific reason. */
  UNSPECIFIED: 0,
  /** A message other than OPEN or NOTIFICATION arrived in OpenSent. */
  UNEXPECTED_MESSAGE_IN_OPENSENT: 1,
  /** A message other than KEEPALIVE or NOTIFICATION arrived in OpenConfirm. */
  UNEXPECTED_MESSAGE_IN_OPENCONFIRM: 2,
  /** An OPEN arrived in Established. */
  UNEXPECTED_MESSAGE_IN_ESTABLISHED: 3,
} as const;

/**
 * Cease subcodes (RFC 4486, RFC 8538, RFC 9384).
 * @category Wire codec
 */
export const CeaseSubcode = {
  /** The peer sent more prefixes than its configured limit. */
  MAXIMUM_NUMBER_OF_PREFIXES_REACHED: 1,
  /** Shut down by the operator; may carry an RFC 9003 message. */
  ADMINISTRATIVE_SHUTDOWN: 2,
  /** The peer was removed from the configuration. */
  PEER_DE_CONFIGURED: 3,
  /** Reset by the operator; may carry an RFC 9003 message. */
  ADMINISTRATIVE_RESET: 4,
  /** The connection was not accepted (unknown peer, or not now). */
  CONNECTION_REJECTED: 5,
  /** A configuration change needs the session restarted. */
  OTHER_CONFIGURATION_CHANGE: 6,
  /** This connection lost a collision (RFC 4271 §6.8). */
  CONNECTION_COLLISION_RESOLUTION: 7,
  /** Out of resources, e.g. the send queue overflowed. */
  OUT_OF_RESOURCES: 8,
  /** Hard Reset (RFC 8538): graceful restart does not apply. */
  HARD_RESET: 9,
  /** BFD saw the path go down (RFC 9384). */
  BFD_DOWN: 10,
} as const;

/**
 * ROUTE-REFRESH Message Error subcodes (RFC 7313).
 * @category Wire codec
 */
export const RouteRefreshErrorSubcode = {
  /** The ROUTE-REFRESH message has a wrong length; the data is the message. */
  INVALID_MESSAGE_LENGTH: 1,
} as const;

/**
 * ROUTE-REFRESH message subtypes (RFC 7313 §3.2; 0 is the plain request of RFC 2918).
 * @category Wire codec
 */
export const RouteRefreshSubtype = {
  /** Please send the family's routes again. */
  REQUEST: 0,
  /** Beginning of Route Refresh (BoRR). */
  BEGIN: 1,
  /** End of Route Refresh (EoRR). */
  END: 2,
} as const;

/**
 * Well-known communities (RFC 1997, RFC 8326, RFC 7999).
 * @category Wire codec
 */
export const WellKnownCommunity = {
  /** GRACEFUL_SHUTDOWN (RFC 8326): the route is about to go; peers lower its preference. */
  GRACEFUL_SHUTDOWN: "65535:0",
  /** BLACKHOLE (RFC 7999): drop traffic to this prefix. */
  BLACKHOLE: "65535:666",
  /** NO_EXPORT (RFC 1997): do not advertise outside the AS or confederation. */
  NO_EXPORT: "65535:65281",
  /** NO_ADVERTISE (RFC 1997): do not advertise to any peer. */
  NO_ADVERTISE: "65535:65282",
  /** NO_EXPORT_SUBCONFED (RFC 1997): do not advertise to eBGP peers, even inside a confederation. */
  NO_EXPORT_SUBCONFED: "65535:65283",
  /** NO_PEER (RFC 3765): do not advertise to bilateral peers. */
  NO_PEER: "65535:65284",
} as const;
