/**
 * ROUTE-REFRESH message body (RFC 2918 §3, Message Subtype from RFC 7313 §3.2):
 *    0       7      15      23      31
 *   +-------+-------+-------+-------+
 *   |      AFI      | Subtype| SAFI |
 *   +-------+-------+-------+-------+
 *   |  ORF entries (RFC 5291), subtype 0 only, variable
 *   +-------+-------+-------+-------+
 * Subtype: 0 normal request, 1 Begin-of-Route-Refresh, 2 End-of-Route-Refresh.
 * @module
 */
import { RouteRefreshSubtype } from "./constants.js";
import { BgpError } from "./errors.js";
import { copyOf } from "./reader.js";
import type { RouteRefreshMessage } from "./types.js";
import { checkUint, type Writer } from "./writer.js";

/** Decode the body `bytes[start, end)`; the header starts at `start - 19` (header check: length >= 23). */
export function decodeRouteRefresh(bytes: Uint8Array, start: number, end: number): RouteRefreshMessage {
  const afi = (bytes[start] << 8) | bytes[start + 1];
  const subtype = bytes[start + 2];
  const safi = bytes[start + 3];
  const rest = end - start - 4;
  if ((subtype === RouteRefreshSubtype.BEGIN || subtype === RouteRefreshSubtype.END) && rest !== 0) {
    // RFC 7313 §5: "If the length, excluding the fixed-size message header, of the received
    // ROUTE-REFRESH message with Message Subtype 1 and 2 is not 4, then the BGP speaker MUST send a
    // NOTIFICATION message with the Error Code of "ROUTE-REFRESH Message Error" and the subcode of
    // "Invalid Message Length". The Data field of the NOTIFICATION message MUST contain the
    // complete ROUTE-REFRESH message."
    throw BgpError.invalidRouteRefreshLength(copyOf(bytes, start - 19, end));
  }
  const message: RouteRefreshMessage = { type: "route-refresh", afi, safi, subtype };
  return rest > 0 ? { ...message, orf: copyOf(bytes, start + 4, end) } : message;
}

/** How many octets `encodeRouteRefresh` writes: the body, without the header. */
export function routeRefreshBodyLength(message: RouteRefreshMessage): number {
  return 4 + (message.orf === undefined ? 0 : message.orf.length);
}

export function encodeRouteRefresh(writer: Writer, message: RouteRefreshMessage): void {
  writer.u16(checkUint(message.afi, 16, "AFI"));
  writer.u8(checkUint(message.subtype, 8, "subtype"));
  writer.u8(checkUint(message.safi, 8, "SAFI"));
  if (message.orf !== undefined) writer.bytes(message.orf);
}
