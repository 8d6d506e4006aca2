/**
 * Message header (RFC 4271 §4.1):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                                                               |
 *   +                                                               +
 *   |                           Marker                              |
 *   +                                                               +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Length               |      Type     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * @module
 */

import { HEADER_LENGTH, MARKER_LENGTH, MessageType } from "./constants.js";
import { BgpError } from "./errors.js";

/** The smallest whole message of each type (RFC 4271 §4.2–4.5, RFC 2918 §3). */
const MIN_LENGTH: Readonly<Record<number, number>> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: 19,
  [MessageType.ROUTE_REFRESH]: 23,
};

/**
 * Check the marker and Length of the header at `offset` (at least 19 octets must be there) and
 * return the Length. The Type is checked later, by `checkMessageType`, once the whole message is in.
 */
export function checkHeader(bytes: Uint8Array, offset: number, maxLength: number): number {
  // RFC 4271 §6.1: "If the Marker field of the message header is not as expected, then a
  // synchronization error has occurred and the Error Subcode MUST be set to Connection Not
  // Synchronized."
  for (let i = offset; i < offset + MARKER_LENGTH; i++) {
    if (bytes[i] !== 0xff) throw BgpError.connectionNotSynchronized();
  }
  const length = (bytes[offset + MARKER_LENGTH] << 8) | bytes[offset + MARKER_LENGTH + 1];
  // RFC 4271 §6.1: "if the Length field of the message header is less than 19 or greater than
  // 4096 ... the Error Subcode MUST be set to Bad Message Length. The Data field MUST contain the
  // erroneous Length field." (RFC 8654 raises 4096 to 65535 once extended messages are agreed.)
  if (length < HEADER_LENGTH) throw BgpError.badMessageLength(length, "message shorter than its header");
  if (length > maxLength) throw BgpError.badMessageLength(length, `message longer than ${maxLength}`);
  return length;
}

/** Check the Type against the Length; the header was checked by `checkHeader`. */
export function checkMessageType(type: number, length: number): void {
  const min = MIN_LENGTH[type];
  // RFC 4271 §6.1: "If the Type field of the message header is not recognized, then the Error
  // Subcode MUST be set to Bad Message Type. The Data field MUST contain the erroneous Type field."
  if (min === undefined) throw BgpError.badMessageType(type);
  // RFC 4271 §6.1: "if the Length field of an OPEN message is less than the minimum length of the
  // OPEN message, or ... of a KEEPALIVE message is not equal to 19 ..." -> Bad Message Length.
  if (length < min || (type === MessageType.KEEPALIVE && length !== HEADER_LENGTH)) {
    throw BgpError.badMessageLength(length, `message of type ${type} has a bad length`);
  }
}
