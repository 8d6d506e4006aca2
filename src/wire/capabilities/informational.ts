/**
 * Capabilities that only inform (nothing in the session depends on them), so a malformed one is
 * kept raw as "unknown" rather than failing the OPEN (RFC 5492 §3 lets a speaker ignore it).
 *
 * FQDN / hostname (draft-walton-bgp-hostname-capability), code 73:
 *   | Hostname Length (1) | Hostname (variable) | Domain Name Length (1) | Domain Name (variable) |
 * Software version (draft-ietf-idr-software-version), code 75:
 *   | Version Length (1) | Software Version (UTF-8, variable) |
 * @module
 */
import { CapabilityCode } from "../constants.js";
import type { Reader } from "../reader.js";
import type { Writer } from "../writer.js";
import type { CapabilityCodec } from "./codec.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** One length-prefixed UTF-8 string, or null if it overruns the value or is not UTF-8. */
function readShortString(reader: Reader): string | null {
  if (reader.remaining < 1) return null;
  const length = reader.u8();
  if (length > reader.remaining) return null;
  try {
    return utf8.decode(reader.view(length));
  } catch {
    return null;
  }
}

/** Octets of `text` in UTF-8 (lone surrogates count 3, as TextEncoder writes U+FFFD). */
function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 4;
        i++;
      } else length += 3;
    } else length += 3;
  }
  return length;
}

function writeShortString(writer: Writer, text: string, what: string): void {
  const bytes = encoder.encode(text);
  if (bytes.length > 255) throw new RangeError(`${what} is ${bytes.length} octets, more than 255`);
  writer.u8(bytes.length).bytes(bytes);
}

export const fqdnCapability: CapabilityCodec<"fqdn"> = {
  code: CapabilityCode.FQDN,
  name: "fqdn",
  decode(reader) {
    const hostname = readShortString(reader);
    if (hostname === null) return null;
    const domainName = readShortString(reader);
    if (domainName === null || reader.remaining !== 0) return null;
    return { name: "fqdn", hostname, domainName };
  },
  encode(writer, value) {
    writeShortString(writer, value.hostname, "hostname");
    writeShortString(writer, value.domainName, "domain name");
  },
  encodingLength: (value) => 2 + utf8Length(value.hostname) + utf8Length(value.domainName),
};

export const softwareVersionCapability: CapabilityCodec<"software-version"> = {
  code: CapabilityCode.SOFTWARE_VERSION,
  name: "software-version",
  decode(reader) {
    const version = readShortString(reader);
    if (version === null || reader.remaining !== 0) return null;
    return { name: "software-version", version };
  },
  encode(writer, value) {
    writeShortString(writer, value.version, "software version");
  },
  encodingLength: (value) => 1 + utf8Length(value.version),
};
