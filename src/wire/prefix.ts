/*
 * NLRI and withdrawn-route entries (RFC 4271 §4.3, RFC 4760 §5), with the ADD-PATH path
 * identifier in front when it was negotiated for the family (RFC 7911 §3):
 *
 *   +--------------------------------+
 *   | Path Identifier (4 octets)     |   only with ADD-PATH
 *   +--------------------------------+
 *   | Length (1 octet, in bits)      |
 *   +--------------------------------+
 *   | Prefix (ceil(Length / 8) octets)|
 *   +--------------------------------+
 *
 * This is the hot loop of every UPDATE, so IPv4 is parsed and formatted by hand with lookup
 * tables; ip-num only validates what users type (`canonicalPrefix`).
 */
import { Validator } from "ip-num";
import { formatIpv6, hexDigitValue, parseIpv4Into, parseIpv6Into } from "./address.js";
import { BgpError } from "./errors.js";
import type { AddressFamily, Nlri } from "./types.js";
import type { Writer } from "./writer.js";

const DECIMAL_DOT: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}.`);
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const SLASH_LENGTH: readonly string[] = Array.from({ length: 129 }, (_, i) => `/${i}`);
const SCRATCH_V6 = new Uint8Array(16);

/**
 * Decode the NLRI entries in bytes[start, end) (the UPDATE's Withdrawn Routes or NLRI field, or
 * the NLRI of an MP attribute). Throws 3/10 Invalid Network Field on a prefix that cannot be
 * parsed: RFC 7606 §5.3 leaves no softer handling when the NLRI cannot be located.
 */
export function decodeNlri(
  bytes: Uint8Array,
  start: number,
  end: number,
  family: AddressFamily,
  addPath: boolean,
): Nlri[] {
  return family === "ipv4-unicast"
    ? decodeIpv4Nlri(bytes, start, end, addPath)
    : decodeIpv6Nlri(bytes, start, end, addPath);
}

function decodeIpv4Nlri(bytes: Uint8Array, start: number, end: number, addPath: boolean): Nlri[] {
  const out: Nlri[] = [];
  let o = start;
  while (o < end) {
    let pathId = 0;
    if (addPath) {
      if (o + 5 > end) throw BgpError.invalidNetworkField("path identifier runs past the end of the field");
      pathId = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
      o += 4;
    }
    const length = bytes[o++];
    // RFC 4271 §6.3: "The NLRI field in the UPDATE message is checked for syntactic validity. If the
    // field is syntactically incorrect, then the Error Subcode is set to Invalid Network Field."
    if (length > 32) throw BgpError.invalidNetworkField(`IPv4 prefix length ${length} exceeds 32`);
    const size = (length + 7) >> 3;
    if (o + size > end) throw BgpError.invalidNetworkField("prefix runs past the end of the field");
    let address = 0;
    if (size > 0) {
      address = bytes[o] << 24;
      if (size > 1) {
        address |= bytes[o + 1] << 16;
        if (size > 2) {
          address |= bytes[o + 2] << 8;
          if (size > 3) address |= bytes[o + 3];
        }
      }
      // RFC 4271 §4.3: "the value of trailing bits is irrelevant", so they are cleared.
      address &= -1 << (32 - length);
    }
    o += size;
    const prefix = formatIpv4Prefix(address, length);
    out.push(addPath ? { prefix, pathId } : { prefix });
  }
  return out;
}

function decodeIpv6Nlri(bytes: Uint8Array, start: number, end: number, addPath: boolean): Nlri[] {
  const out: Nlri[] = [];
  const scratch = SCRATCH_V6;
  let o = start;
  while (o < end) {
    let pathId = 0;
    if (addPath) {
      if (o + 5 > end) throw BgpError.invalidNetworkField("path identifier runs past the end of the field");
      pathId = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
      o += 4;
    }
    const length = bytes[o++];
    if (length > 128) throw BgpError.invalidNetworkField(`IPv6 prefix length ${length} exceeds 128`);
    const size = (length + 7) >> 3;
    if (o + size > end) throw BgpError.invalidNetworkField("prefix runs past the end of the field");
    scratch.fill(0);
    for (let i = 0; i < size; i++) scratch[i] = bytes[o + i];
    // RFC 4271 §4.3: "the value of trailing bits is irrelevant", so they are cleared.
    if ((length & 7) !== 0) scratch[size - 1] &= 0xff << (8 - (length & 7));
    o += size;
    const prefix = formatIpv6(scratch, 0) + SLASH_LENGTH[length];
    out.push(addPath ? { prefix, pathId } : { prefix });
  }
  return out;
}

/**
 * Check the NLRI entries in bytes[start, end) exactly as `decodeNlri` does (the same errors at the
 * same entry) without building them: the receive path turns them into text only when asked.
 * Returns how many entries there are.
 */
export function checkNlri(
  bytes: Uint8Array,
  start: number,
  end: number,
  family: AddressFamily,
  addPath: boolean,
): number {
  const maxLength = family === "ipv4-unicast" ? 32 : 128;
  let o = start;
  let count = 0;
  while (o < end) {
    if (addPath) {
      if (o + 5 > end) throw BgpError.invalidNetworkField("path identifier runs past the end of the field");
      o += 4;
    }
    const length = bytes[o++];
    if (length > maxLength) {
      const name = family === "ipv4-unicast" ? "IPv4" : "IPv6";
      throw BgpError.invalidNetworkField(`${name} prefix length ${length} exceeds ${maxLength}`);
    }
    const size = (length + 7) >> 3;
    if (o + size > end) throw BgpError.invalidNetworkField("prefix runs past the end of the field");
    o += size;
    count++;
  }
  return count;
}

/** The canonical text of an IPv4 prefix held as a number: what the decoder builds for it. */
export function formatIpv4Prefix(address: number, length: number): string {
  return (
    DECIMAL_DOT[address >>> 24] +
    DECIMAL_DOT[(address >>> 16) & 0xff] +
    DECIMAL_DOT[(address >>> 8) & 0xff] +
    DECIMAL[address & 0xff] +
    SLASH_LENGTH[length]
  );
}

/** The canonical (RFC 5952) text of the IPv6 prefix in bytes[offset, offset + 16): what the decoder builds. */
export function formatIpv6Prefix(bytes: Uint8Array, offset: number, length: number): string {
  return formatIpv6(bytes, offset) + SLASH_LENGTH[length];
}

/**
 * Write one NLRI entry. Under ADD-PATH a missing `pathId` is written as 0. Throws TypeError when
 * the prefix is not valid text of the family or has host bits set.
 */
export function encodeNlri(writer: Writer, nlri: Nlri, family: AddressFamily, addPath: boolean): void {
  if (addPath) writer.u32(nlri.pathId ?? 0);
  if (family === "ipv4-unicast") encodeIpv4Prefix(writer, nlri.prefix);
  else encodeIpv6Prefix(writer, nlri.prefix);
}

/**
 * Write one prefix (length octet and significant octets, no path identifier) from its canonical
 * text: what the UPDATE packer writes per route, with no Nlri object around it. Throws TypeError
 * as `encodeNlri` does.
 */
export function encodePrefix(writer: Writer, prefix: string, family: AddressFamily): void {
  if (family === "ipv4-unicast") encodeIpv4Prefix(writer, prefix);
  else encodeIpv6Prefix(writer, prefix);
}

function badPrefix(text: string, family: string, why = "not a valid prefix"): TypeError {
  return new TypeError(`${why} (${family}): ${JSON.stringify(text)}`);
}

/** Parse the prefix length after the slash at `slash`, or -1. Decimal without leading zeros. */
function parseLength(text: string, slash: number, max: number): number {
  const n = text.length;
  if (slash < 0 || slash + 1 >= n || n - slash > 4) return -1;
  let length = 0;
  for (let i = slash + 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    length = length * 10 + (c - 48);
  }
  if (n - slash > 2 && text.charCodeAt(slash + 1) === 48) return -1;
  return length <= max ? length : -1;
}

/** "a.b.c.d/len", canonical (no leading zeros), host bits zero; written as length + octets. */
function encodeIpv4Prefix(writer: Writer, text: string): void {
  const n = text.length;
  let address = 0;
  let dots = 0;
  let value = 0;
  let digits = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) throw badPrefix(text, "ipv4-unicast");
      value = value * 10 + (c - 48);
      if (value > 255) throw badPrefix(text, "ipv4-unicast");
      digits++;
    } else if (c === 46 /* . */ && digits > 0 && dots < 3) {
      address = (address << 8) | value;
      dots++;
      value = 0;
      digits = 0;
    } else if (c === 47 /* / */) {
      break;
    } else {
      throw badPrefix(text, "ipv4-unicast");
    }
  }
  if (dots !== 3 || digits === 0) throw badPrefix(text, "ipv4-unicast");
  address = (address << 8) | value;
  const length = parseLength(text, i, 32);
  if (length < 0) throw badPrefix(text, "ipv4-unicast");
  // Host bits must be zero: the text must name exactly the prefix that goes on the wire.
  if (length < 32 && (address & (-1 >>> length)) !== 0)
    throw badPrefix(text, "ipv4-unicast", "host bits set");
  // The length octet and the significant octets, in as few writes as fit (one for a /17-/24).
  if (length > 24) writer.u8(length).u32(address);
  else if (length > 16) writer.u32((length << 24) | (address >>> 8));
  else if (length > 8) writer.u8(length).u16(address >>> 16);
  else if (length > 0) writer.u16((length << 8) | (address >>> 24));
  else writer.u8(0);
}

const GROUPS6 = new Int32Array(8);
const FULL6 = new Int32Array(8);

/**
 * "x:x::/len": the 16-bit groups are read in one pass straight from the text and written as they
 * are (no 16-octet scratch, one write per group), since this runs once per IPv6 route sent. Text
 * with an embedded dotted quad, or anything this pass does not take, goes to the general parser.
 */
function encodeIpv6Prefix(writer: Writer, text: string): void {
  const slash = text.lastIndexOf("/");
  const length = parseLength(text, slash, 128);
  if (length < 0) throw badPrefix(text, "ipv6-unicast");
  const g = GROUPS6;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (slash >= 2 && text.charCodeAt(0) === 58 /* : */ && text.charCodeAt(1) === 58) {
    gap = 0;
    i = 2;
  }
  while (i < slash) {
    let value = 0;
    let digits = 0;
    let c = 0;
    for (; i < slash; i++) {
      c = text.charCodeAt(i);
      const d = hexDigitValue(c);
      if (d < 0) break;
      value = (value << 4) | d;
      digits++;
    }
    if (digits === 0 || digits > 4 || count === 8) {
      encodeIpv6PrefixGeneral(writer, text, slash, length);
      return;
    }
    g[count++] = value;
    if (i === slash) break;
    if (c !== 58) {
      encodeIpv6PrefixGeneral(writer, text, slash, length);
      return;
    }
    i++;
    if (i < slash && text.charCodeAt(i) === 58) {
      if (gap >= 0) throw badPrefix(text, "ipv6-unicast");
      gap = count;
      i++;
    } else if (i === slash) {
      throw badPrefix(text, "ipv6-unicast"); // a single trailing colon
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) throw badPrefix(text, "ipv6-unicast");
  const full = FULL6;
  const zeros = gap < 0 ? 0 : 8 - count;
  for (let k = 0, j = 0; k < 8; k++) full[k] = gap >= 0 && k >= gap && k < gap + zeros ? 0 : g[j++];
  // Host bits must be zero: the text must name exactly the prefix that goes on the wire.
  for (let k = length >> 4; k < 8; k++) {
    const inside = length - 16 * k;
    const host = inside <= 0 ? full[k] : full[k] & (0xffff >> inside);
    if (host !== 0) throw badPrefix(text, "ipv6-unicast", "host bits set");
  }
  const size = (length + 7) >> 3;
  writer.u8(length);
  for (let k = 0; k < size >> 1; k++) writer.u16(full[k]);
  if ((size & 1) !== 0) writer.u8(full[size >> 1] >>> 8);
}

/** The rare forms (an embedded dotted quad), through the general parser. */
function encodeIpv6PrefixGeneral(writer: Writer, text: string, slash: number, length: number): void {
  const scratch = SCRATCH_V6;
  if (!parseIpv6Into(text, scratch, 0, slash)) throw badPrefix(text, "ipv6-unicast");
  const size = (length + 7) >> 3;
  let host = (length & 7) === 0 ? 0 : scratch[size - 1] & (0xff >> (length & 7));
  for (let i = size; i < 16; i++) host |= scratch[i];
  if (host !== 0) throw badPrefix(text, "ipv6-unicast", "host bits set");
  writer.u8(length);
  for (let i = 0; i < size; i++) writer.u8(scratch[i]);
}

/** Octets one NLRI entry of this prefix takes on the wire (for packing UPDATEs). */
export function nlriLength(prefix: string, addPath: boolean): number {
  const length = parseLength(prefix, prefix.lastIndexOf("/"), 128);
  if (length < 0) throw new TypeError(`not a prefix: ${JSON.stringify(prefix)}`);
  return (addPath ? 5 : 1) + ((length + 7) >> 3);
}

/**
 * The IPv6 text is built from table pieces, which V8 keeps as a tree of concatenations (about five
 * 20-byte nodes for a /48) until something reads a character. Reading one here turns it into one
 * flat string while it is young: a held route then costs about 55 bytes less heap, and the send
 * path no longer flattens each prefix the first time it encodes it.
 */
function flatten(text: string): string {
  text.charCodeAt(0);
  return text;
}

/**
 * Validate a prefix a user typed and return its family and canonical text ("198.51.100.0/24",
 * "2001:db8::/32" in RFC 5952 form). Throws TypeError when it is not a prefix or has host bits set.
 * @category Wire codec
 */
export function canonicalPrefix(text: string): {
  /** The prefix's family. */
  family: AddressFamily;
  /** Its canonical text. */
  prefix: string;
} {
  return canonicalPrefixInto(text, null);
}

/** Write one NLRI entry (length octet, then the significant octets of `bytes`) at `out[0]`. */
function writeNlri(out: Uint8Array | null, bytes: Uint8Array, length: number): void {
  if (out === null) return;
  out[0] = length;
  const size = (length + 7) >> 3;
  for (let i = 0; i < size; i++) out[1 + i] = bytes[i];
}

/**
 * canonicalPrefix, and when `nlri` is given (17 octets at least) the prefix's wire NLRI entry is
 * written there from the same parse, so `announce()` reads the text once, not once to check it and
 * again to encode it.
 * @internal
 */
export function canonicalPrefixInto(
  text: string,
  nlri: Uint8Array | null,
): { family: AddressFamily; prefix: string } {
  if (typeof text !== "string") throw new TypeError(`prefix must be a string, got ${typeof text}`);
  const slash = text.lastIndexOf("/");
  // Fast path for well-formed input (announcing a million prefixes must stay cheap): the hand
  // parsers accept exactly the valid forms; anything they refuse goes to ip-num below, whose
  // checks name the problem.
  const scratch = SCRATCH_V6;
  if (!text.includes(":")) {
    const length = parseLength(text, slash, 32);
    if (length >= 0 && parseIpv4Into(text, scratch, 0, slash)) {
      const address = (scratch[0] << 24) | (scratch[1] << 16) | (scratch[2] << 8) | scratch[3] | 0;
      if (length < 32 && (address & (-1 >>> length)) !== 0)
        throw badPrefix(text, "ipv4-unicast", "host bits set");
      writeNlri(nlri, scratch, length);
      return { family: "ipv4-unicast", prefix: text };
    }
  } else {
    const length = parseLength(text, slash, 128);
    if (length >= 0 && parseIpv6Into(text, scratch, 0, slash)) {
      const size = (length + 7) >> 3;
      let host = (length & 7) === 0 ? 0 : scratch[size - 1] & (0xff >> (length & 7));
      for (let i = size; i < 16; i++) host |= scratch[i];
      if (host !== 0) throw badPrefix(text, "ipv6-unicast", "host bits set");
      writeNlri(nlri, scratch, length);
      return { family: "ipv6-unicast", prefix: flatten(formatIpv6(scratch) + SLASH_LENGTH[length]) };
    }
  }
  if (text.includes(":")) {
    if (!Validator.isValidIPv6CidrNotation(text)[0]) throw badPrefix(text, "ipv6-unicast");
    if (!Validator.isValidIPv6CidrRange(text)[0]) throw badPrefix(text, "ipv6-unicast", "host bits set");
    const bytes = new Uint8Array(16);
    const length = parseLength(text, slash, 128);
    if (length < 0 || !parseIpv6Into(text.slice(0, slash), bytes)) throw badPrefix(text, "ipv6-unicast");
    writeNlri(nlri, bytes, length);
    return { family: "ipv6-unicast", prefix: flatten(formatIpv6(bytes) + SLASH_LENGTH[length]) };
  }
  if (!Validator.isValidIPv4CidrNotation(text)[0]) throw badPrefix(text, "ipv4-unicast");
  if (!Validator.isValidIPv4CidrRange(text)[0]) throw badPrefix(text, "ipv4-unicast", "host bits set");
  const bytes = new Uint8Array(4);
  const length = parseLength(text, slash, 32);
  if (length < 0 || !parseIpv4Into(text.slice(0, slash), bytes)) throw badPrefix(text, "ipv4-unicast");
  writeNlri(nlri, bytes, length);
  return {
    family: "ipv4-unicast",
    prefix: `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}${SLASH_LENGTH[length]}`,
  };
}
