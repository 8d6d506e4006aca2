/**
 * BFD constants (RFC 5880 §4.1, RFC 5881 §4). IANA registry:
 * https://www.iana.org/assignments/bfd-parameters/bfd-parameters.xhtml
 * @module
 */

/** RFC 5881 §4: single-hop control packets go to this UDP port. */
export const BFD_CONTROL_PORT = 3784;
/** RFC 5881 §4: "The source port MUST be in the range 49152 through 65535." */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;
/** RFC 5881 §5: sent with TTL / Hop Limit 255, so a receiver can tell the packet is on-link. */
export const BFD_TTL = 255;
/** RFC 5880 §4.1: the version this document describes. */
export const BFD_VERSION = 1;
/** Length of the mandatory section; the authentication section follows it. */
export const BFD_HEADER_LENGTH = 24;

/**
 * A session state (RFC 5880 §4.1 State field, §6.2), by its RFC name.
 * @category BFD
 */
export type BfdState = "AdminDown" | "Down" | "Init" | "Up";

/** The State field's value on the wire for each state (RFC 5880 §4.1). */
export const BfdStateCode: { readonly [S in BfdState]: number } = {
  AdminDown: 0,
  Down: 1,
  Init: 2,
  Up: 3,
};

export const BFD_STATES: readonly BfdState[] = ["AdminDown", "Down", "Init", "Up"];

/**
 * Diagnostic codes (RFC 5880 §4.1).
 * @category BFD
 */
export const BfdDiag = {
  /** No diagnostic: the session has not gone down. */
  NONE: 0,
  /** No packet from the neighbor for the detection time. */
  CONTROL_DETECTION_TIME_EXPIRED: 1,
  /** Echo packets stopped coming back (Echo mode; not used here). */
  ECHO_FUNCTION_FAILED: 2,
  /** The neighbor said its session went down. */
  NEIGHBOR_SIGNALED_SESSION_DOWN: 3,
  /** The forwarding plane was reset. */
  FORWARDING_PLANE_RESET: 4,
  /** The path is down. */
  PATH_DOWN: 5,
  /** A path further along is down. */
  CONCATENATED_PATH_DOWN: 6,
  /** The session was disabled by configuration (AdminDown). */
  ADMINISTRATIVELY_DOWN: 7,
  /** The reverse of a concatenated path is down. */
  REVERSE_CONCATENATED_PATH_DOWN: 8,
} as const;

const DIAG_TEXT: readonly string[] = [
  "no diagnostic",
  "control detection time expired",
  "echo function failed",
  "neighbor signaled session down",
  "forwarding plane reset",
  "path down",
  "concatenated path down",
  "administratively down",
  "reverse concatenated path down",
];

/**
 * The RFC's words for a diagnostic code.
 * @category BFD
 */
export function describeDiag(diag: number): string {
  return DIAG_TEXT[diag] ?? `diagnostic ${diag}`;
}

/**
 * Authentication types (RFC 5880 §4.1).
 * @category BFD
 */
export const BfdAuthType = {
  /** Simple Password (§4.2): decoded, never accepted or sent here. */
  SIMPLE_PASSWORD: 1,
  /** Keyed MD5 (§4.3). */
  KEYED_MD5: 2,
  /** Meticulous Keyed MD5 (§4.3): the sequence number rises with every packet. */
  METICULOUS_KEYED_MD5: 3,
  /** Keyed SHA1 (§4.4). */
  KEYED_SHA1: 4,
  /** Meticulous Keyed SHA1 (§4.4): the sequence number rises with every packet. */
  METICULOUS_KEYED_SHA1: 5,
} as const;

/**
 * The authentication types this library signs and checks, by their option names.
 * @category BFD
 */
export type BfdAuthName = "keyed-sha1" | "meticulous-keyed-sha1" | "keyed-md5";

export const AUTH_TYPE_BY_NAME: Readonly<Record<BfdAuthName, number>> = {
  "keyed-md5": BfdAuthType.KEYED_MD5,
  "keyed-sha1": BfdAuthType.KEYED_SHA1,
  "meticulous-keyed-sha1": BfdAuthType.METICULOUS_KEYED_SHA1,
};
