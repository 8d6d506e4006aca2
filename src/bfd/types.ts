import type { BfdState } from "./constants.js";

/**
 * The authentication section of a control packet (RFC 5880 §4.2–§4.4). Simple Password carries
 * the password itself; the keyed types carry a sequence number and a digest (MD5: 16 octets,
 * SHA1: 20).
 */
export type BfdAuthSection =
  | { readonly type: 1; readonly keyId: number; readonly password: Uint8Array }
  | {
      readonly type: 2 | 3 | 4 | 5;
      readonly keyId: number;
      readonly sequence: number;
      readonly digest: Uint8Array;
    };

/**
 * One BFD Control packet (RFC 5880 §4.1) as plain data. Intervals are in microseconds, as on the
 * wire. The A bit is `auth !== undefined`; the Multipoint bit is always clear (a set one is
 * refused on receipt).
 */
export interface BfdControlPacket {
  readonly diag: number;
  readonly state: BfdState;
  readonly poll: boolean;
  readonly final: boolean;
  readonly controlPlaneIndependent: boolean;
  readonly demand: boolean;
  readonly detectMult: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly requiredMinEchoRxUs: number;
  readonly auth?: BfdAuthSection;
}

/** A key to sign and check packets with (RFC 5880 §6.7). */
export interface BfdAuthKey {
  /** 2 Keyed MD5, 4 Keyed SHA1, 5 Meticulous Keyed SHA1 (3, Meticulous Keyed MD5, works too). */
  readonly type: 2 | 3 | 4 | 5;
  readonly keyId: number;
  /** 1–16 octets for MD5, 1–20 for SHA1. */
  readonly key: Uint8Array;
}
