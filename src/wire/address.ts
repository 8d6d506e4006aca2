/**
 * Addresses as canonical strings <-> wire bytes, on the hot path of every UPDATE, so written by
 * hand rather than through ip-num (which the edges use to validate what users type).
 * IPv6 text is RFC 5952: lower case, leading zeros dropped, the longest run of two or more zero
 * groups (the first when tied) shown as "::", and IPv4-mapped addresses as ::ffff:a.b.c.d.
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

/** Sixteen bytes at `offset` as RFC 5952 text. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1];
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  // RFC 5952 §4.2.2: "::" MUST NOT shorten just one 16-bit 0 field.
  if (bestLength < 2) bestStart = -1;
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += i === 0 ? "::" : ":";
      i += bestLength - 1;
      continue;
    }
    text += HEX16[groups[i]];
    if (i < 7) text += ":";
  }
  return text;
}

/**
 * Parse a dotted quad into `out` at `offset`. Returns false (writing nothing useful) when the text
 * is not exactly four decimal octets without leading zeros.
 */
export function parseIpv4Into(text: string, out: Uint8Array, offset = 0): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; /* "." ends the last octet */
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

/** Parse IPv6 text (any valid form, including an embedded dotted quad) into 16 bytes at `offset`. */
export function parseIpv6Into(text: string, out: Uint8Array, offset = 0): boolean {
  if (text.length < 2 || text.length > 45) return false;
  const groups: number[] = [];
  let doubleColonAt = -1;
  let i = 0;
  if (text.startsWith("::")) {
    doubleColonAt = 0;
    i = 2;
    if (text.length === 2) {
      out.fill(0, offset, offset + 16);
      return true;
    }
  } else if (text[0] === ":") {
    return false;
  }
  while (i < text.length) {
    // A dotted quad may end the address.
    let j = i;
    let hexDigits = 0;
    let value = 0;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      value = (value << 4) | d;
      hexDigits++;
      j++;
    }
    if (j < text.length && text[j] === ".") {
      const quad = new Uint8Array(4);
      if (!parseIpv4Into(text.slice(i), quad, 0)) return false;
      groups.push((quad[0] << 8) | quad[1], (quad[2] << 8) | quad[3]);
      i = text.length;
      break;
    }
    if (hexDigits === 0 || hexDigits > 4) return false;
    groups.push(value);
    i = j;
    if (i === text.length) break;
    if (text[i] !== ":") return false;
    i++;
    if (text[i] === ":") {
      if (doubleColonAt >= 0) return false;
      doubleColonAt = groups.length;
      i++;
      if (i === text.length) break;
    } else if (i === text.length) {
      return false; // trailing single colon
    }
  }
  if (doubleColonAt >= 0) {
    if (groups.length > 7) return false;
    const zeros = 8 - groups.length;
    groups.splice(doubleColonAt, 0, ...new Array<number>(zeros).fill(0));
  } else if (groups.length !== 8) {
    return false;
  }
  for (let g = 0; g < 8; g++) {
    out[offset + 2 * g] = groups[g] >>> 8;
    out[offset + 2 * g + 1] = groups[g] & 0xff;
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

/** Any valid address text -> its canonical form; throws TypeError otherwise. */
export function canonicalAddress(text: string): string {
  if (text.includes(":")) return formatIpv6(ipv6ToBytes(text));
  return formatIpv4(ipv4ToBytes(text));
}
