/**
 * Whole messages: the 19-octet header (see header.ts) and a body decoded by its type's codec.
 * `decodeMessage` takes exactly one message; `MessageFramer` cuts a TCP stream into them.
 * @module
 */
import createDebug from "debug";
import { HEADER_LENGTH, MARKER_LENGTH, MessageType } from "./constants.js";
import { maxMessageLength, resolveContext } from "./context.js";
import type { DeferringContext } from "./deferred-nlri.js";
import { BgpError } from "./errors.js";
import { checkHeader, checkMessageType } from "./header.js";
import { decodeKeepalive } from "./keepalive.js";
import { decodeNotification, encodeNotification, notificationBodyLength } from "./notification.js";
import { decodeOpen, encodeOpen, openBodyLength } from "./open.js";
import { decodeRouteRefresh, encodeRouteRefresh, routeRefreshBodyLength } from "./route-refresh.js";
import type { BgpMessage, CodecContext } from "./types.js";
import { decodeUpdate, encodeUpdate, updateBodyLength } from "./update.js";
import { Writer } from "./writer.js";

const debug = createDebug("bgp:wire");

/**
 * Decode exactly one whole message, header included. Throws `BgpError` (with the code, subcode
 * and data the NOTIFICATION must carry) on anything malformed, never anything else.
 * @category Wire codec
 */
export function decodeMessage(bytes: Uint8Array, ctx?: Partial<CodecContext>): BgpMessage {
  return decodeWith(bytes, resolveContext(ctx));
}

/**
 * The receive path's `decodeMessage`: the same checks and errors, with an UPDATE's NLRI left as
 * bytes until read (deferred-nlri.ts), for the Adj-RIB-In to file straight from the octets.
 */
export function decodeReceivedMessage(bytes: Uint8Array, ctx: DeferringContext): BgpMessage {
  return decodeWith(bytes, ctx);
}

function decodeWith(bytes: Uint8Array, context: CodecContext): BgpMessage {
  if (bytes.length < HEADER_LENGTH) {
    // Too short to hold a header: check what is there, then report the Length (or the byte count).
    for (let i = 0; i < Math.min(bytes.length, MARKER_LENGTH); i++) {
      if (bytes[i] !== 0xff) throw BgpError.connectionNotSynchronized();
    }
    const length = bytes.length >= MARKER_LENGTH + 2 ? (bytes[16] << 8) | bytes[17] : bytes.length;
    throw BgpError.badMessageLength(length, "message shorter than its header");
  }
  const length = checkHeader(bytes, 0, maxMessageLength(context));
  if (length !== bytes.length) {
    throw BgpError.badMessageLength(length, `Length field disagrees with the ${bytes.length} octets given`);
  }
  const type = bytes[HEADER_LENGTH - 1];
  checkMessageType(type, length);
  switch (type) {
    case MessageType.OPEN:
      return decodeOpen(bytes, HEADER_LENGTH, length);
    case MessageType.UPDATE:
      return decodeUpdate(bytes, HEADER_LENGTH, length, context);
    case MessageType.NOTIFICATION:
      return decodeNotification(bytes, HEADER_LENGTH, length);
    case MessageType.KEEPALIVE:
      return decodeKeepalive();
    case MessageType.ROUTE_REFRESH:
      return decodeRouteRefresh(bytes, HEADER_LENGTH, length);
    default:
      // checkMessageType already refused every other type.
      throw BgpError.badMessageType(type);
  }
}

const TYPE_CODE = {
  open: MessageType.OPEN,
  update: MessageType.UPDATE,
  notification: MessageType.NOTIFICATION,
  keepalive: MessageType.KEEPALIVE,
  "route-refresh": MessageType.ROUTE_REFRESH,
} as const;

/**
 * Encode one message with its header. Throws RangeError when the result is longer than the
 * context allows (4096 octets, or 65535 with RFC 8654 extended messages) or a field does not fit.
 * @category Wire codec
 */
export function encodeMessage(message: BgpMessage, ctx?: Partial<CodecContext>): Uint8Array {
  const context = resolveContext(ctx);
  const writer = new Writer(message.type === "update" ? 4096 : 64);
  for (let i = 0; i < MARKER_LENGTH; i++) writer.u8(0xff);
  const lengthAt = writer.reserve16();
  writer.u8(TYPE_CODE[message.type]);
  switch (message.type) {
    case "open":
      encodeOpen(writer, message);
      break;
    case "update":
      encodeUpdate(writer, message, context);
      break;
    case "notification":
      encodeNotification(writer, message);
      break;
    case "keepalive":
      break;
    case "route-refresh":
      encodeRouteRefresh(writer, message);
      break;
    default: {
      const unreachable: never = message;
      throw new TypeError(`not a BGP message: ${JSON.stringify(unreachable)}`);
    }
  }
  const length = writer.offset;
  const max = maxMessageLength(context);
  if (length > max) {
    throw new RangeError(`${message.type} message of ${length} octets exceeds the maximum of ${max}`);
  }
  writer.setU8(lengthAt, length >>> 8);
  writer.setU8(lengthAt + 1, length & 0xff);
  if (debug.enabled) debug("encoded %s, %d octets", message.type, length);
  return writer.finish();
}

/** An UPDATE with no routes and no attributes: the header and the two 2-octet length fields. */
export const EMPTY_UPDATE_LENGTH = HEADER_LENGTH + 4;

/**
 * How many octets `encodeMessage(message, ctx)` returns, header included, computed without
 * encoding: what packing code asks before it builds a message. For a message `encodeMessage`
 * refuses, the result is unspecified (this does not check the fields or the size limit).
 * @category Wire codec
 */
export function encodingLength(message: BgpMessage, ctx?: Partial<CodecContext>): number {
  switch (message.type) {
    case "open":
      return HEADER_LENGTH + openBodyLength(message);
    case "update":
      return HEADER_LENGTH + updateBodyLength(message, resolveContext(ctx));
    case "notification":
      return HEADER_LENGTH + notificationBodyLength(message);
    case "keepalive":
      return HEADER_LENGTH;
    case "route-refresh":
      return HEADER_LENGTH + routeRefreshBodyLength(message);
    default: {
      const unreachable: never = message;
      throw new TypeError(`not a BGP message: ${JSON.stringify(unreachable)}`);
    }
  }
}
