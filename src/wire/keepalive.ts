/**
 * KEEPALIVE (RFC 4271 §4.4): "A KEEPALIVE message consists of only the message header and has a
 * length of 19 octets." The header check rejects any other length with Bad Message Length.
 * @module
 */
import type { KeepaliveMessage } from "./types.js";

export const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: "keepalive" });

export function decodeKeepalive(): KeepaliveMessage {
  return { type: "keepalive" };
}
