import type { BfdState } from "./constants.js";

/**
 * The authentication section of a control packet (RFC 5880 §4.2–§4.4). Simple Password carries
 * the password itself; the keyed types carry a sequence number and a digest (MD5: 16 octets,
 * SHA1: 20).
 * @category BFD
 */
export type BfdAuthSection =
  | {
      /** Simple Password. */
      readonly type: 1;
      /** Auth Key ID: which key the sender used (0–255). */
      readonly keyId: number;
      /** The password, 1–16 octets. */
      readonly password: Uint8Array;
    }
  | {
      /** Keyed MD5, Meticulous Keyed MD5, Keyed SHA1, Meticulous Keyed SHA1 (see `BfdAuthType`). */
      readonly type: 2 | 3 | 4 | 5;
      /** Auth Key ID: which key the sender used (0–255). */
      readonly keyId: number;
      /** Sequence Number, 32 bits, against replay. */
      readonly sequence: number;
      /** The digest as sent (16 octets MD5, 20 SHA1). */
      readonly digest: Uint8Array;
    };

/**
 * One BFD Control packet (RFC 5880 §4.1) as plain data. Intervals are in microseconds, as on the
 * wire. The A bit is `auth !== undefined`; the Multipoint bit is always clear (a set one is
 * refused on receipt).
 * @category BFD
 */
export interface BfdControlPacket {
  /** Diagnostic: why the sender's session last went down (see `BfdDiag`). */
  readonly diag: number;
  /** The sender's session state. */
  readonly state: BfdState;
  /** P bit: the sender asks for a Final (a Poll Sequence). */
  readonly poll: boolean;
  /** F bit: the answer to a Poll. */
  readonly final: boolean;
  /** C bit: the sender's BFD does not share fate with its control plane. */
  readonly controlPlaneIndependent: boolean;
  /** D bit: the sender wants Demand mode. */
  readonly demand: boolean;
  /** Detect Mult: the sender's detection time is this times the negotiated interval. */
  readonly detectMult: number;
  /** My Discriminator: the sender's nonzero id for the session. */
  readonly myDiscriminator: number;
  /** Your Discriminator: the receiver's id as the sender knows it, or 0 while it does not. */
  readonly yourDiscriminator: number;
  /** Desired Min TX Interval (µs). */
  readonly desiredMinTxUs: number;
  /** Required Min RX Interval (µs): how fast the sender accepts packets. */
  readonly requiredMinRxUs: number;
  /** Required Min Echo RX Interval (µs): 0 when the sender takes no echo packets. */
  readonly requiredMinEchoRxUs: number;
  /** The authentication section, when the A bit is set. */
  readonly auth?: BfdAuthSection;
}

/**
 * A key to sign and check packets with (RFC 5880 §6.7).
 * @category BFD
 */
export interface BfdAuthKey {
  /** 2 Keyed MD5, 4 Keyed SHA1, 5 Meticulous Keyed SHA1 (3, Meticulous Keyed MD5, works too). */
  readonly type: 2 | 3 | 4 | 5;
  /** Auth Key ID sent with each packet (0–255). */
  readonly keyId: number;
  /** 1–16 octets for MD5, 1–20 for SHA1. */
  readonly key: Uint8Array;
}
