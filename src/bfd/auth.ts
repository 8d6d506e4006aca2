import { createHash, timingSafeEqual } from "node:crypto";
import { BfdAuthType as T } from "./constants.js";
import type { BfdAuthKey } from "./types.js";

/**
 * Keyed MD5 and Keyed SHA1 (RFC 5880 §6.7.3, §6.7.4): the key, padded with zeros to the digest's
 * length, stands in the Auth Key/Digest field while the digest of the whole packet is computed;
 * then the digest replaces it. Pure functions over bytes, no I/O.
 * @module
 */

/** Octets of the Auth Key/Digest field for a keyed type (16 for MD5, 20 for SHA1). */
export function digestLength(type: number): number {
  return type === T.KEYED_MD5 || type === T.METICULOUS_KEYED_MD5 ? 16 : 20;
}

/** Whether the type's sequence number must grow by one with every packet. */
export function isMeticulous(type: number): boolean {
  return type === T.METICULOUS_KEYED_MD5 || type === T.METICULOUS_KEYED_SHA1;
}

/** Where the Auth Key/Digest field starts: after the 24-octet header and 8 octets of auth header. */
const DIGEST_OFFSET = 24 + 8;

function digestOf(packet: Uint8Array, type: number, key: Uint8Array): Buffer {
  const length = digestLength(type);
  const copy = Uint8Array.from(packet);
  copy.fill(0, DIGEST_OFFSET, DIGEST_OFFSET + length);
  copy.set(key.subarray(0, length), DIGEST_OFFSET);
  return createHash(length === 16 ? "md5" : "sha1")
    .update(copy)
    .digest();
}

/** Fill the digest of an encoded packet (its auth section already holds type, key ID and sequence). */
export function sign(packet: Uint8Array, key: BfdAuthKey): void {
  packet.set(digestOf(packet, key.type, key.key), DIGEST_OFFSET);
}

/** Whether the digest of a received packet (exactly its Length octets) matches `key`. */
export function verify(packet: Uint8Array, key: BfdAuthKey): boolean {
  const length = digestLength(key.type);
  if (packet.length < DIGEST_OFFSET + length) return false;
  const received = packet.subarray(DIGEST_OFFSET, DIGEST_OFFSET + length);
  return timingSafeEqual(received, digestOf(packet, key.type, key.key));
}
