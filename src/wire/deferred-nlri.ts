/**
 * NLRI decoded on demand, for the receive path. A session's UPDATEs are checked as strictly as
 * `decodeMessage` checks them (`checkNlri` throws the same errors), but each NLRI field stays
 * bytes until something reads it: the Adj-RIB-In files routes straight from the octets, so a
 * million routes received cost no prefix string and no `Nlri` object unless someone asks.
 *
 * The message keeps its documented shape: `nlri` and `withdrawnRoutes` (of the UPDATE, of
 * MP_REACH_NLRI / MP_UNREACH_NLRI) are enumerable properties that decode the field the first time
 * they are read and then hold the array like any other property. `decodeMessage` never defers.
 * @module
 */
import { checkNlri, decodeNlri } from "./prefix.js";
import { copyOf } from "./reader.js";
import type { AddressFamily, CodecContext, Nlri } from "./types.js";

/** A checked NLRI field of a received message: where its entries lie, and how to read them. */
export interface NlriField {
  readonly family: AddressFamily;
  /** The entries carry ADD-PATH path identifiers (RFC 7911). */
  readonly addPath: boolean;
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** A codec context that asks the UPDATE decoder to defer its NLRI (see this module). */
export interface DeferringContext extends CodecContext {
  readonly deferNlri: true;
}

/** The receive path's context: `ctx`, with NLRI deferred. */
export function deferringContext(ctx: CodecContext): DeferringContext {
  return {
    fourOctetAs: ctx.fourOctetAs,
    addPath: ctx.addPath,
    extendedMessage: ctx.extendedMessage,
    deferNlri: true,
  };
}

export function defersNlri(ctx: CodecContext): ctx is DeferringContext {
  return (ctx as Partial<DeferringContext>).deferNlri === true;
}

const EMPTY = new Uint8Array(0);

/** Where the deferred fields of an object are kept: a symbol, so JSON and equality never see it. */
const FIELDS = Symbol("deferred NLRI fields");

type WithFields = { [FIELDS]?: Record<string, NlriField> };

/**
 * Check bytes[start, end) as NLRI of `family` and make `target[key]` its entries, decoded on the
 * first read. Throws what `decodeNlri` would throw on the same bytes.
 */
export function deferNlri(
  target: object,
  key: "nlri" | "withdrawnRoutes",
  bytes: Uint8Array,
  start: number,
  end: number,
  family: AddressFamily,
  addPath: boolean,
): void {
  checkNlri(bytes, start, end, family, addPath);
  // A copy, as everything a decoded message keeps: a view would hold the whole socket chunk for as
  // long as someone holds the message (one copy per field costs a memcpy, not an object per route).
  const own = end > start ? copyOf(bytes, start, end) : EMPTY;
  const field: NlriField = { family, addPath, bytes: own, start: 0, end: own.length };
  const holder = target as WithFields;
  if (holder[FIELDS] === undefined) {
    Object.defineProperty(target, FIELDS, { value: { [key]: field }, enumerable: false });
  } else {
    holder[FIELDS][key] = field;
  }
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get(): readonly Nlri[] {
      const entries = decodeNlri(own, 0, own.length, family, addPath);
      Object.defineProperty(target, key, {
        value: entries,
        enumerable: true,
        writable: false,
        configurable: false,
      });
      return entries;
    },
  });
}

/** The deferred field behind `target[key]`, if it was deferred (read or not). */
export function deferredField(target: object, key: "nlri" | "withdrawnRoutes"): NlriField | undefined {
  return (target as WithFields)[FIELDS]?.[key];
}

/** Whether `target[key]` has entries, without decoding a deferred field. */
export function hasEntries(target: object, key: "nlri" | "withdrawnRoutes"): boolean {
  const field = deferredField(target, key);
  if (field !== undefined) return field.end > field.start;
  const entries = (target as Record<string, readonly Nlri[] | undefined>)[key];
  return entries !== undefined && entries.length > 0;
}
