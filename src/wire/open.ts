/**
 * OPEN message body (RFC 4271 §4.2), after the 19-octet header:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+
 *   |    Version    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     My Autonomous System      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Hold Time           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         BGP Identifier                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Opt Parm Len  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |             Optional Parameters (variable)                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Each optional parameter: Parm. Type (1), Parm. Length (1), Parm. Value.
 *
 * RFC 9072 extended form, used when the parameters exceed 255 octets:
 *   | Non-Ext OP Len (1) = 255 | Non-Ext OP Type (1) = 255 | Extended Opt. Parm. Length (2) |
 * and then each parameter is Parm. Type (1), Parm. Length (2), Parm. Value.
 *
 * The codec checks structure only; hold time, peer AS and identifier are the state machine's call.
 * @module
 */

import { formatIpv4, ipv4ToNumber } from "./address.js";
import { capabilityLength, decodeCapabilities, encodeCapability } from "./capabilities/index.js";
import { BGP_VERSION, OpenParameterType } from "./constants.js";
import { BgpError } from "./errors.js";
import { copyOf, Reader } from "./reader.js";
import type { Capability, OpenMessage, UnknownOpenParameter } from "./types.js";
import { checkUint, Writer } from "./writer.js";

/** Version, My AS, Hold Time, BGP Identifier, Opt Parm Len. */
export const OPEN_FIXED_LENGTH = 10;

const overrun = () => BgpError.malformedOpen("optional parameter overruns the optional parameters");

/** Decode the OPEN body in `bytes[start, end)` (the header already validated its length >= 29). */
export function decodeOpen(bytes: Uint8Array, start: number, end: number): OpenMessage {
  const reader = new Reader(bytes, start, end, () => BgpError.malformedOpen("OPEN is truncated"));
  const version = reader.u8();
  // RFC 4271 §6.2: "If the version number in the Version field of the received OPEN message is not
  // supported, then the Error Subcode MUST be set to Unsupported Version Number. The Data field is
  // a 2-octet unsigned integer, which indicates the largest, locally-supported version number less
  // than the version the remote BGP peer bid ..." We support only 4, so 4 it is either way.
  if (version !== BGP_VERSION) throw BgpError.unsupportedVersionNumber(version, BGP_VERSION);
  const myAsn = reader.u16();
  const holdTime = reader.u16();
  const bgpIdentifier = formatIpv4(reader.view(4));
  let paramsLength = reader.u8();
  let extended = false;
  // RFC 9072 §2: "if the one-octet "Optional Parameters Length" field ... is non-zero, a BGP speaker
  // MUST use the value of the octet following [it] ... If the value of the "Non-Ext OP Type" field
  // is 255, then the encoding described above is used for the Optional Parameters length."
  if (
    paramsLength !== 0 &&
    reader.remaining > 0 &&
    bytes[reader.offset] === OpenParameterType.EXTENDED_LENGTH
  ) {
    reader.u8();
    paramsLength = reader.u16();
    extended = true;
  }
  // The Optional Parameters Length must account for exactly the rest of the message; RFC 4271
  // names no subcode for a mismatch, so it is OPEN Message Error / Unspecific (as FRR and BIRD do).
  if (paramsLength !== reader.remaining) {
    throw BgpError.malformedOpen(
      `optional parameters length ${paramsLength} but ${reader.remaining} octets follow`,
    );
  }
  const params = new Reader(bytes, reader.offset, end, overrun);
  const capabilities: Capability[] = [];
  const unknownParameters: UnknownOpenParameter[] = [];
  while (params.remaining > 0) {
    const parameterType = params.u8();
    const length = extended ? params.u16() : params.u8();
    params.need(length);
    const valueStart = params.offset;
    params.offset += length;
    if (parameterType === OpenParameterType.CAPABILITIES) {
      // RFC 5492 §4: one parameter may carry several capabilities, or each its own parameter.
      decodeCapabilities(bytes, valueStart, valueStart + length, capabilities);
    } else {
      // Kept raw: RFC 4271 §6.2 makes an unrecognised parameter Unsupported Optional Parameter
      // (2/4), but whether to refuse the peer is the state machine's decision.
      unknownParameters.push({ parameterType, data: copyOf(bytes, valueStart, valueStart + length) });
    }
  }
  const open: OpenMessage = { type: "open", version, myAsn, holdTime, bgpIdentifier, capabilities };
  return unknownParameters.length > 0 ? { ...open, unknownParameters } : open;
}

/** The optional parameters an OPEN is sent with: all capabilities in one Capabilities parameter. */
function optionalParameters(message: OpenMessage): { type: number; value: Uint8Array }[] {
  // RFC 5492 §4 allows one parameter per capability or many per parameter; one it is.
  const params: { type: number; value: Uint8Array }[] = [];
  if (message.capabilities.length > 0) {
    const caps = new Writer(64);
    for (const capability of message.capabilities) encodeCapability(caps, capability);
    params.push({ type: OpenParameterType.CAPABILITIES, value: caps.finish() });
  }
  for (const p of message.unknownParameters ?? []) {
    params.push({ type: checkUint(p.parameterType, 8, "parameter type"), value: p.data });
  }
  return params;
}

/** RFC 9072 §2: the extended encoding is for when the Optional Parameters exceed 255 octets. */
function needsExtendedParameters(params: readonly { value: Uint8Array }[]): boolean {
  let plainLength = 0;
  for (const p of params) plainLength += 2 + p.value.length;
  return plainLength > 255 || params.some((p) => p.value.length > 255);
}

/** How many octets `encodeOpen` writes: the body, without the header. Encodes nothing. */
export function openBodyLength(message: OpenMessage): number {
  const values: number[] = [];
  if (message.capabilities.length > 0) {
    let capabilities = 0;
    for (const capability of message.capabilities) capabilities += capabilityLength(capability);
    values.push(capabilities);
  }
  for (const p of message.unknownParameters ?? []) values.push(p.data.length);
  let plainLength = 0;
  for (const length of values) plainLength += 2 + length;
  // The same choice as encodeOpen (needsExtendedParameters).
  if (plainLength <= 255 && values.every((length) => length <= 255)) return OPEN_FIXED_LENGTH + plainLength;
  let length = OPEN_FIXED_LENGTH + 3;
  for (const value of values) length += 3 + value;
  return length;
}

/** Append the OPEN body to `writer`. */
export function encodeOpen(writer: Writer, message: OpenMessage): void {
  writer.u8(checkUint(message.version, 8, "version"));
  writer.u16(checkUint(message.myAsn, 16, "My Autonomous System"));
  writer.u16(checkUint(message.holdTime, 16, "hold time"));
  writer.u32(ipv4ToNumber(message.bgpIdentifier));
  const params = optionalParameters(message);
  if (!needsExtendedParameters(params)) {
    let plainLength = 0;
    for (const p of params) plainLength += 2 + p.value.length;
    writer.u8(plainLength);
    for (const p of params) writer.u8(p.type).u8(p.value.length).bytes(p.value);
    return;
  }
  writer.u8(255).u8(OpenParameterType.EXTENDED_LENGTH);
  const at = writer.reserve16();
  for (const p of params) {
    if (p.value.length > 0xffff) throw new RangeError(`optional parameter of ${p.value.length} octets`);
    writer.u8(p.type).u16(p.value.length).bytes(p.value);
  }
  writer.fill16(at);
}
