/**
 * Addresses as canonical strings <-> wire bytes, on the hot path of every UPDATE, so written by
 * hand rather than through ip-num (which the edges use to validate what users type).
 * IPv6 text is RFC 5952: lower case, leading zeros dropped, the longest run of two or more zero
 * groups (the first when tied) shown as "::", and IPv4-mapped addresses as ::ffff:a.b.c.d.
 * @module
 */

const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const HEX16: readonly string[] = Array.from({ length: 65536 }, (_, i) => i.toString(16));

/** Four bytes at `offset` as a dotted quad. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${DECIMAL[bytes[offset]]}.${DECIMAL[bytes[offset + 1]]}.${DECIMAL[bytes[offset + 2]]}.${DECIMAL[bytes[offset + 3]]}`;
}

/** A 32-bit number as a dotted quad (BGP identifiers, ORIGINATOR_ID). */
export function formatIpv4Number(value: number): string {
  return `${DECIMAL[(value >>> 24) & 0xff]}.${DECIMAL[(value >>> 16) & 0xff]}.${DECIMAL[(value >>> 8) & 0xff]}.${DECIMAL[value & 0xff]}`;
}

const HEX_COLON: readonly string[] = Array.from({ length: 65536 }, (_, i) => `${i.toString(16)}:`);
const GROUPS = new Int32Array(8);

/**
 * Sixteen bytes at `offset` as RFC 5952 text. The NLRI hot loop calls this once per IPv6 prefix,
 * so it builds the text from a "group:" table in few pieces, with no intermediate array.
 */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const g = GROUPS;
  let bestStart = -1;
  let bestLength = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const value = (bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1];
    g[i] = value;
    if (value !== 0) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = i;
    // RFC 5952 §4.2.3: the longest run of zero groups, the first when tied.
    if (i - runStart + 1 > bestLength) {
      bestLength = i - runStart + 1;
      bestStart = runStart;
    }
  }
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (bestStart === 0 && bestLength === 5 && g[5] === 0xffff)
    return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  // RFC 5952 §4.2.2: "::" MUST NOT be used to shorten just one 16-bit 0 field.
  if (bestLength < 2) {
    return (
      HEX_COLON[g[0]] +
      HEX_COLON[g[1]] +
      HEX_COLON[g[2]] +
      HEX_COLON[g[3]] +
      HEX_COLON[g[4]] +
      HEX_COLON[g[5]] +
      HEX_COLON[g[6]] +
      HEX16[g[7]]
    );
  }
  let text = bestStart === 0 ? ":" : "";
  for (let i = 0; i < bestStart; i++) text += HEX_COLON[g[i]];
  const after = bestStart + bestLength;
  if (after === 8) return `${text}:`;
  for (let i = after; i < 8; i++) text += `:${HEX16[g[i]]}`;
  return text;
}

/**
 * Parse a dotted quad in text[0, end) into `out` at `offset`. Returns false (writing nothing useful) when the text
 * is not exactly four decimal octets without leading zeros.
 */
export function parseIpv4Into(text: string, out: Uint8Array, offset = 0, end = text.length): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 46; /* "." ends the last octet */
    if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // leading zero
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) return false;
    } else if (c === 46) {
      if (digits === 0 || part > 3) return false;
      out[offset + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

const QUAD = new Uint8Array(4);

/** The value of one hexadecimal digit's char code, or -1 if it is not one. */
export function hexDigitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parse IPv6 text in text[0, end) (any valid form, an embedded dotted quad included) into 16 bytes
 * of `out` at `offset`, without slicing or arrays on the common path. False when it is not IPv6.
 */
export function parseIpv6Into(text: string, out: Uint8Array, offset = 0, end = text.length): boolean {
  if (end < 2 || end > 45) return false;
  const g = GROUPS;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58 /* : */) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    let digits = 0;
    for (; i < end; i++) {
      const d = hexDigitValue(text.charCodeAt(i));
      if (d < 0) break;
      value = (value << 4) | d;
      digits++;
    }
    if (i < end && text.charCodeAt(i) === 46 /* . */) {
      // A dotted quad may end the address, standing for the last two groups.
      if (count > 6 || !parseIpv4Into(text.slice(groupStart, end), QUAD, 0)) return false;
      g[count++] = (QUAD[0] << 8) | QUAD[1];
      g[count++] = (QUAD[2] << 8) | QUAD[3];
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    g[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) {
      return false; // a single trailing colon
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  out.fill(0, offset, offset + 16);
  const shift = gap < 0 ? 0 : 8 - count;
  for (let j = 0; j < count; j++) {
    const at = offset + 2 * (gap >= 0 && j >= gap ? j + shift : j);
    out[at] = g[j] >>> 8;
    out[at + 1] = g[j] & 0xff;
  }
  return true;
}

/** Dotted quad -> 4 bytes, or throw TypeError. */
export function ipv4ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(4);
  if (!parseIpv4Into(text, out)) throw new TypeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  return out;
}

/** IPv6 text -> 16 bytes, or throw TypeError. */
export function ipv6ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  if (!parseIpv6Into(text, out)) throw new TypeError(`not an IPv6 address: ${JSON.stringify(text)}`);
  return out;
}

/** Dotted quad -> unsigned 32-bit number, or throw TypeError. */
export function ipv4ToNumber(text: string): number {
  const b = ipv4ToBytes(text);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export function isIpv4(text: string): boolean {
  return parseIpv4Into(text, new Uint8Array(4));
}

export function isIpv6(text: string): boolean {
  return parseIpv6Into(text, new Uint8Array(16));
}

/**
 * Any valid address text -> its canonical form; throws TypeError otherwise.
 * @category Wire codec
 */
export function canonicalAddress(text: string): string {
  if (text.includes(":")) return formatIpv6(ipv6ToBytes(text));
  return formatIpv4(ipv4ToBytes(text));
}
