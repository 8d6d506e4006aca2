/**
 * NOTIFICATION message body (RFC 4271 §4.5), after the 19-octet header:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Error code    | Error subcode |   Data (variable)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Shutdown communication (RFC 9003 §2), the Data of Cease / Administrative Shutdown and
 * Cease / Administrative Reset:
 *   | Length (1) | Shutdown Communication (Length octets of UTF-8, at most 255) |
 * @module
 */

import { CeaseSubcode, ErrorCode } from "./constants.js";
import { copyOf } from "./reader.js";
import type { NotificationMessage } from "./types.js";
import { checkUint, type Writer } from "./writer.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function carriesShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.CEASE &&
    (subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || subcode === CeaseSubcode.ADMINISTRATIVE_RESET)
  );
}

/** The RFC 9003 shutdown communication in `data`, or undefined when it is not well-formed. */
export function decodeShutdownCommunication(data: Uint8Array): string | undefined {
  if (data.length === 0) return undefined;
  const length = data[0];
  // RFC 9003 §2: a length that overruns the data or text that is not UTF-8 is an invalid shutdown
  // communication, which the receiver logs; the NOTIFICATION itself is still valid.
  if (1 + length > data.length) return undefined;
  try {
    return utf8.decode(data.subarray(1, 1 + length));
  } catch {
    return undefined;
  }
}

/** Length-prefixed UTF-8, cut to 255 octets on a character boundary. */
export function encodeShutdownCommunication(text: string): Uint8Array {
  const out = new Uint8Array(1 + Math.min(255, text.length * 3));
  // encodeInto writes only whole characters, so the cut never splits one.
  const { written } = encoder.encodeInto(text, out.subarray(1, 256));
  out[0] = written;
  return out.slice(0, 1 + written);
}

export function decodeNotification(bytes: Uint8Array, start: number, end: number): NotificationMessage {
  // The header check guarantees at least the two code octets (length >= 21).
  const code = bytes[start];
  const subcode = bytes[start + 1];
  // A copy: the data outlives the socket chunk it came in, which the caller may reuse.
  const data = copyOf(bytes, start + 2, end);
  if (carriesShutdownCommunication(code, subcode)) {
    // Trailing octets after the stated length are ignored: the message is still a valid NOTIFICATION.
    const shutdownMessage = decodeShutdownCommunication(data);
    if (shutdownMessage !== undefined) return { type: "notification", code, subcode, data, shutdownMessage };
  }
  return { type: "notification", code, subcode, data };
}

/** How many octets `encodeNotification` writes: the body, without the header. */
export function notificationBodyLength(message: NotificationMessage): number {
  if (message.data.length > 0 || message.shutdownMessage === undefined) return 2 + message.data.length;
  return 2 + encodeShutdownCommunication(message.shutdownMessage).length;
}

export function encodeNotification(writer: Writer, message: NotificationMessage): void {
  writer.u8(checkUint(message.code, 8, "error code")).u8(checkUint(message.subcode, 8, "error subcode"));
  if (message.data.length > 0) writer.bytes(message.data);
  else if (message.shutdownMessage !== undefined) {
    writer.bytes(encodeShutdownCommunication(message.shutdownMessage));
  }
}

// RFC 4271 §4.5 and its updates (RFC 4486, 5492, 6608, 7313, 8538, 9234; BFD Down from RFC 9384).
const NAMES: Readonly<Record<number, readonly [string, Readonly<Record<number, string>>]>> = {
  1: [
    "Message Header Error",
    { 1: "Connection Not Synchronized", 2: "Bad Message Length", 3: "Bad Message Type" },
  ],
  2: [
    "OPEN Message Error",
    {
      1: "Unsupported Version Number",
      2: "Bad Peer AS",
      3: "Bad BGP Identifier",
      4: "Unsupported Optional Parameter",
      5: "Authentication Failure (deprecated)",
      6: "Unacceptable Hold Time",
      7: "Unsupported Capability",
      11: "Role Mismatch",
    },
  ],
  3: [
    "UPDATE Message Error",
    {
      1: "Malformed Attribute List",
      2: "Unrecognized Well-known Attribute",
      3: "Missing Well-known Attribute",
      4: "Attribute Flags Error",
      5: "Attribute Length Error",
      6: "Invalid ORIGIN Attribute",
      7: "AS Routing Loop (deprecated)",
      8: "Invalid NEXT_HOP Attribute",
      9: "Optional Attribute Error",
      10: "Invalid Network Field",
      11: "Malformed AS_PATH",
    },
  ],
  4: ["Hold Timer Expired", {}],
  5: [
    "Finite State Machine Error",
    {
      0: "Unspecified Error",
      1: "Receive Unexpected Message in OpenSent State",
      2: "Receive Unexpected Message in OpenConfirm State",
      3: "Receive Unexpected Message in Established State",
    },
  ],
  6: [
    "Cease",
    {
      1: "Maximum Number of Prefixes Reached",
      2: "Administrative Shutdown",
      3: "Peer De-configured",
      4: "Administrative Reset",
      5: "Connection Rejected",
      6: "Other Configuration Change",
      7: "Connection Collision Resolution",
      8: "Out of Resources",
      9: "Hard Reset",
      10: "BFD Down",
    },
  ],
  7: ["ROUTE-REFRESH Message Error", { 1: "Invalid Message Length" }],
  8: ["Send Hold Timer Expired", {}],
};

/**
 * "Cease / Administrative Shutdown", "OPEN Message Error / Bad Peer AS", … for logs.
 * @category Wire codec
 */
export function describeNotification(code: number, subcode: number): string {
  const entry = NAMES[code];
  if (entry === undefined) return `Unknown error code ${code} / subcode ${subcode}`;
  const [name, subcodes] = entry;
  const subName = subcodes[subcode];
  if (subName !== undefined) return `${name} / ${subName}`;
  // RFC 4271 §4.5: "If no appropriate Error Subcode is defined, then a zero (Unspecific) value is
  // used for the Error Subcode field."
  if (subcode === 0) {
    const bare = code === ErrorCode.HOLD_TIMER_EXPIRED || code === ErrorCode.SEND_HOLD_TIMER_EXPIRED;
    return bare ? name : `${name} / Unspecific`;
  }
  return `${name} / Unknown subcode ${subcode}`;
}
