import { encodePathAttributes } from "../wire/attributes/index.js";
import { mpReachCodec } from "../wire/attributes/mp-reach.js";
import { AttributeCode, AttributeFlag, MARKER_LENGTH, MessageType } from "../wire/constants.js";
import { familyToAfiSafi } from "../wire/family.js";
import { encodePrefix } from "../wire/prefix.js";
import type { AddressFamily, CodecContext, PathAttributes } from "../wire/types.js";
import { Writer } from "../wire/writer.js";
import { NLRI_SLOT } from "./adj-rib-out.js";

/**
 * The flush's UPDATEs, written straight into one buffer: the same messages, byte for byte, that
 * `encodeMessage` writes for what `buildAnnouncements` / `buildWithdrawals` return, without
 * building them. The attributes of a group are encoded once and copied into each of its UPDATEs,
 * each prefix is written from its text as the run is filled, and a message ends when the next
 * prefix would overflow it (so NLRI octets are counted once, by writing them): no object per
 * route and no buffer per message, which is what the garbage collector spent its time on.
 *
 * RFC 4271 §4.3 layout, with the routes of other families inside MP_REACH_NLRI / MP_UNREACH_NLRI
 * (RFC 4760 §3, §4), which go first (RFC 7606 §5.1) and so sit between the fixed part and the other
 * attributes:
 *
 *   header (19) | withdrawn length (2) | withdrawn | attributes length (2) | attributes | NLRI
 *   MP attribute: flags (1) | type (1) | length (1 or 2) | AFI (2) | SAFI (1) | [next hop, reserved] | NLRI
 *
 * Under ADD-PATH every route goes with path identifier 1 (RFC 7911 §3), as in the builders.
 * @module
 */

/** Marker (16 × 0xff), a Length to fill in, type UPDATE. */
const UPDATE_HEADER = Uint8Array.from([
  ...new Array<number>(MARKER_LENGTH).fill(0xff),
  0,
  0,
  MessageType.UPDATE,
]);

/** The path identifier every route carries under ADD-PATH (one path per prefix). */
const PATH_ID = 1;

function beginMessage(writer: Writer): number {
  const start = writer.offset;
  writer.bytes(UPDATE_HEADER);
  return start;
}

function endMessage(writer: Writer, start: number, maxMessageLength: number): void {
  const length = writer.offset - start;
  if (length > maxMessageLength) {
    throw new RangeError(`update message of ${length} octets exceeds the maximum of ${maxMessageLength}`);
  }
  writer.setU8(start + MARKER_LENGTH, length >>> 8);
  writer.setU8(start + MARKER_LENGTH + 1, length & 0xff);
}

/**
 * Routes already in wire form: entry `ids[i]`'s NLRI octets (length octet first) start at
 * `ids[i] * NLRI_SLOT` in `nlri` (the Adj-RIB-Out keeps them so, see adj-rib-out.ts).
 */
export interface EncodedRoutes {
  readonly ids: readonly number[];
  readonly nlri: Uint8Array;
}

/** Prefixes as canonical text, or routes already in wire form. */
export type PackRoutes = readonly string[] | EncodedRoutes;

function routeCount(routes: PackRoutes): number {
  return isText(routes) ? routes.length : routes.ids.length;
}

function isText(routes: PackRoutes): routes is readonly string[] {
  return Array.isArray(routes);
}

/**
 * Write routes from `from` on while the writer stays at or below `end`; returns the index of the
 * first route not written. The first one is always written (a message carries at least one route).
 */
function writeRun(
  writer: Writer,
  routes: PackRoutes,
  from: number,
  family: AddressFamily,
  addPath: boolean,
  end: number,
): number {
  return isText(routes)
    ? writeTextRun(writer, routes, from, family, addPath, end)
    : writeEncodedRun(writer, routes, from, addPath, end);
}

function writeTextRun(
  writer: Writer,
  prefixes: readonly string[],
  from: number,
  family: AddressFamily,
  addPath: boolean,
  end: number,
): number {
  const n = prefixes.length;
  let i = from;
  for (; i < n; i++) {
    const at = writer.offset;
    if (addPath) writer.u32(PATH_ID);
    encodePrefix(writer, prefixes[i], family);
    if (writer.offset > end && i > from) {
      writer.truncate(at); // it goes first in the next message
      break;
    }
  }
  return i;
}

/** As writeTextRun, copying each route's octets: no parse, and the size is known before writing. */
function writeEncodedRun(
  writer: Writer,
  routes: EncodedRoutes,
  from: number,
  addPath: boolean,
  end: number,
): number {
  const { ids, nlri } = routes;
  const n = ids.length;
  const pathIdOctets = addPath ? 4 : 0;
  let i = from;
  for (; i < n; i++) {
    const at = ids[i] * NLRI_SLOT;
    const size = 1 + ((nlri[at] + 7) >> 3);
    if (writer.offset + pathIdOctets + size > end && i > from) break; // it goes first in the next message
    if (addPath) writer.u32(PATH_ID);
    writer.copy(nlri, at, size);
  }
  return i;
}

/** Begin an MP attribute with a 2-octet length (Extended Length); see endMpAttribute. */
function beginMpAttribute(writer: Writer, code: number): number {
  const at = writer.offset;
  writer
    .u8(AttributeFlag.OPTIONAL | AttributeFlag.EXTENDED_LENGTH)
    .u8(code)
    .u16(0);
  return at;
}

/**
 * Fill in the MP attribute's length. As `encodePathAttributes` does, the Extended Length bit is set
 * only when the value needs it (RFC 4271 §4.3): a short run gives back the second length octet.
 */
function endMpAttribute(writer: Writer, at: number): void {
  const length = writer.offset - at - 4;
  if (length > 255) {
    writer.setU8(at + 2, length >>> 8);
    writer.setU8(at + 3, length & 0xff);
    return;
  }
  writer.removeOctet(at + 3);
  writer.setU8(at, AttributeFlag.OPTIONAL);
  writer.setU8(at + 2, length);
}

function fill16(writer: Writer, at: number, value: number): void {
  writer.setU8(at, value >>> 8);
  writer.setU8(at + 1, value & 0xff);
}

/** The bytes `encodePathAttributes` writes for these attributes. */
function encodedAttributes(attributes: PathAttributes, ctx: CodecContext): Uint8Array {
  const writer = new Writer(256);
  encodePathAttributes(writer, attributes, ctx);
  return writer.finish();
}

/**
 * Write the UPDATEs announcing `routes` of `family`, which share `attributes` (every attribute
 * but the routes: for MP families `mpReach` with an empty `nlri`). Returns how many it wrote.
 */
export function packAnnouncements(
  writer: Writer,
  family: AddressFamily,
  attributes: PathAttributes,
  routes: PackRoutes,
  ctx: CodecContext,
  maxMessageLength: number,
): number {
  const addPath = ctx.addPath.includes(family);
  const n = routeCount(routes);
  let messages = 0;
  const { mpReach, ...others } = attributes;
  if (mpReach === undefined) {
    const encoded = encodedAttributes(attributes, ctx);
    for (let i = 0; i < n; messages++) {
      const start = beginMessage(writer);
      writer.u16(0).u16(encoded.length).bytes(encoded);
      i = writeRun(writer, routes, i, family, addPath, start + maxMessageLength);
      endMessage(writer, start, maxMessageLength);
    }
    return messages;
  }
  if (mpReach.family === null) throw new TypeError("cannot announce routes of a family kept raw");
  // AFI, SAFI, next hop and Reserved: what MP_REACH_NLRI holds before its routes.
  const fixed = new Writer(64);
  mpReachCodec.encode(fixed, { ...mpReach, nlri: [] }, ctx);
  const mpFixed = fixed.finish();
  const rest = encodedAttributes(others, ctx);
  for (let i = 0; i < n; messages++) {
    const start = beginMessage(writer);
    writer.u16(0);
    const attributesAt = writer.offset;
    writer.u16(0);
    const mpAt = beginMpAttribute(writer, AttributeCode.MP_REACH_NLRI);
    writer.bytes(mpFixed);
    i = writeRun(writer, routes, i, family, addPath, start + maxMessageLength - rest.length);
    endMpAttribute(writer, mpAt);
    writer.bytes(rest);
    fill16(writer, attributesAt, writer.offset - attributesAt - 2);
    endMessage(writer, start, maxMessageLength);
  }
  return messages;
}

/**
 * Write the UPDATEs withdrawing `prefixes` of `family`: in the Withdrawn Routes field for IPv4
 * (unless `viaMp`), in MP_UNREACH_NLRI otherwise. Returns how many it wrote.
 */
export function packWithdrawals(
  writer: Writer,
  family: AddressFamily,
  prefixes: readonly string[],
  ctx: CodecContext,
  maxMessageLength: number,
  viaMp = family !== "ipv4-unicast",
): number {
  const addPath = ctx.addPath.includes(family);
  const n = prefixes.length;
  let messages = 0;
  if (!viaMp) {
    for (let i = 0; i < n; messages++) {
      const start = beginMessage(writer);
      const withdrawnAt = writer.offset;
      writer.u16(0);
      // Two octets stay free for the Total Path Attribute Length (0) after the routes.
      i = writeRun(writer, prefixes, i, family, addPath, start + maxMessageLength - 2);
      fill16(writer, withdrawnAt, writer.offset - withdrawnAt - 2);
      writer.u16(0);
      endMessage(writer, start, maxMessageLength);
    }
    return messages;
  }
  const { afi, safi } = familyToAfiSafi(family);
  for (let i = 0; i < n; messages++) {
    const start = beginMessage(writer);
    writer.u16(0);
    const attributesAt = writer.offset;
    writer.u16(0);
    const mpAt = beginMpAttribute(writer, AttributeCode.MP_UNREACH_NLRI);
    writer.u16(afi).u8(safi);
    i = writeRun(writer, prefixes, i, family, addPath, start + maxMessageLength);
    endMpAttribute(writer, mpAt);
    fill16(writer, attributesAt, writer.offset - attributesAt - 2);
    endMessage(writer, start, maxMessageLength);
  }
  return messages;
}
