import { sign } from "./auth.js";
import { BFD_HEADER_LENGTH, BFD_STATES, BFD_VERSION, BfdAuthType, BfdStateCode } from "./constants.js";
import { BfdError } from "./error.js";
import type { BfdAuthKey, BfdAuthSection, BfdControlPacket } from "./types.js";

/*
 * RFC 5880 §4.1, the Generic BFD Control Packet:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       My Discriminator                        |
 *  |                      Your Discriminator                       |
 *  |                    Desired Min TX Interval                    |
 *  |                   Required Min RX Interval                    |
 *  |                 Required Min Echo RX Interval                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Auth Type   |   Auth Len    |    Authentication Data...     |   (when A is set)
 *
 * Keyed MD5 / SHA1 (§4.3, §4.4), Auth Len 24 / 28:
 *  |   Auth Type   |   Auth Len    |  Auth Key ID  |   Reserved    |
 *  |                        Sequence Number                        |
 *  |                 Auth Key/Digest (16 or 20 octets)...          |
 *
 * Simple Password (§4.2), Auth Len 4–19:
 *  |   Auth Type   |   Auth Len    |  Auth Key ID  |  Password...  |
 */

const FLAG_POLL = 0x20;
const FLAG_FINAL = 0x10;
const FLAG_CPI = 0x08;
const FLAG_AUTH = 0x04;
const FLAG_DEMAND = 0x02;
const FLAG_MULTIPOINT = 0x01;

/** Auth Len of each authentication type (simple password: 3 + its 1–16 octets). */
function authLength(auth: BfdAuthSection): number {
  if (auth.type === BfdAuthType.SIMPLE_PASSWORD) return 3 + auth.password.length;
  return auth.type === BfdAuthType.KEYED_MD5 || auth.type === BfdAuthType.METICULOUS_KEYED_MD5 ? 24 : 28;
}

/** Octets the packet takes on the wire. */
export function encodingLength(packet: BfdControlPacket): number {
  return BFD_HEADER_LENGTH + (packet.auth === undefined ? 0 : authLength(packet.auth));
}

/**
 * Encode a control packet. With `key`, the keyed digest is computed and written (the digest in
 * `packet.auth` is then ignored); without it, the auth section is written as given.
 * @category BFD
 */
export function encodeControl(packet: BfdControlPacket, key?: BfdAuthKey): Uint8Array {
  const length = encodingLength(packet);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out[0] = (BFD_VERSION << 5) | (packet.diag & 0x1f);
  out[1] =
    (BfdStateCode[packet.state] << 6) |
    (packet.poll ? FLAG_POLL : 0) |
    (packet.final ? FLAG_FINAL : 0) |
    (packet.controlPlaneIndependent ? FLAG_CPI : 0) |
    (packet.auth === undefined ? 0 : FLAG_AUTH) |
    (packet.demand ? FLAG_DEMAND : 0);
  out[2] = packet.detectMult;
  out[3] = length;
  view.setUint32(4, packet.myDiscriminator);
  view.setUint32(8, packet.yourDiscriminator);
  view.setUint32(12, packet.desiredMinTxUs);
  view.setUint32(16, packet.requiredMinRxUs);
  view.setUint32(20, packet.requiredMinEchoRxUs);
  const auth = packet.auth;
  if (auth !== undefined) {
    out[24] = auth.type;
    out[25] = authLength(auth);
    out[26] = auth.keyId;
    if (auth.type === BfdAuthType.SIMPLE_PASSWORD) {
      out.set(auth.password, 27);
    } else {
      // out[27]: Reserved, "MUST be set to zero on transmit"
      view.setUint32(28, auth.sequence);
      if (key === undefined) out.set(auth.digest, 32);
      else sign(out, key);
    }
  }
  return out;
}

/**
 * Decode one control packet and apply the reception checks of RFC 5880 §6.8.6 that need no
 * session: anything they refuse throws BfdError ("the packet MUST be discarded"). Octets after
 * the Length field's end (UDP padding) are ignored. The digest is not checked here: that needs
 * the session's key and sequence state.
 * @category BFD
 */
export function decodeControl(bytes: Uint8Array): BfdControlPacket {
  if (bytes.length < BFD_HEADER_LENGTH) {
    throw new BfdError(`BFD packet of ${bytes.length} octets is shorter than the 24-octet header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[0] >>> 5;
  // "If the version number is not correct (1), the packet MUST be discarded."
  if (version !== BFD_VERSION) throw new BfdError(`BFD version ${version}, expected 1`);
  const flags = bytes[1];
  const hasAuth = (flags & FLAG_AUTH) !== 0;
  const length = bytes[3];
  // "If the Length field is less than the minimum correct value (24 if the A bit is clear, or 26
  // if the A bit is set), the packet MUST be discarded."
  if (length < (hasAuth ? 26 : 24)) throw new BfdError(`BFD Length ${length} is too short`);
  // "If the Length field is greater than the payload of the encapsulating protocol, the packet
  // MUST be discarded."
  if (length > bytes.length) {
    throw new BfdError(`BFD Length ${length} exceeds the ${bytes.length} octets received`);
  }
  const detectMult = bytes[2];
  // "If the Detect Mult field is zero, the packet MUST be discarded."
  if (detectMult === 0) throw new BfdError("BFD Detect Mult is zero");
  // "If the Multipoint (M) bit is nonzero, the packet MUST be discarded."
  if ((flags & FLAG_MULTIPOINT) !== 0) throw new BfdError("BFD Multipoint bit is set");
  const myDiscriminator = view.getUint32(4);
  // "If the My Discriminator field is zero, the packet MUST be discarded."
  if (myDiscriminator === 0) throw new BfdError("BFD My Discriminator is zero");
  const yourDiscriminator = view.getUint32(8);
  const state = BFD_STATES[flags >>> 6];
  // "If the Your Discriminator field is zero and the State field is not Down or AdminDown, the
  // packet MUST be discarded."
  if (yourDiscriminator === 0 && state !== "Down" && state !== "AdminDown") {
    throw new BfdError(`BFD Your Discriminator is zero in state ${state}`);
  }
  const poll = (flags & FLAG_POLL) !== 0;
  const final = (flags & FLAG_FINAL) !== 0;
  // §6.5: "A system MUST NOT set the Poll and Final bits at the same time" is a sender's rule;
  // a receiver is not told to discard, so both are passed on as received.
  const packet: BfdControlPacket = {
    diag: bytes[0] & 0x1f,
    state,
    poll,
    final,
    controlPlaneIndependent: (flags & FLAG_CPI) !== 0,
    demand: (flags & FLAG_DEMAND) !== 0,
    detectMult,
    myDiscriminator,
    yourDiscriminator,
    desiredMinTxUs: view.getUint32(12),
    requiredMinRxUs: view.getUint32(16),
    requiredMinEchoRxUs: view.getUint32(20),
  };
  if (!hasAuth) return packet;
  return { ...packet, auth: decodeAuth(bytes, view, length) };
}

function decodeAuth(bytes: Uint8Array, view: DataView, length: number): BfdAuthSection {
  const type = bytes[24];
  const authLen = bytes[25];
  if (BFD_HEADER_LENGTH + authLen !== length) {
    throw new BfdError(`BFD Auth Len ${authLen} does not fill the packet Length ${length}`);
  }
  switch (type) {
    case BfdAuthType.SIMPLE_PASSWORD:
      // §4.2: "The password is a binary string, and MUST be from 1 to 16 bytes in length."
      if (authLen < 4 || authLen > 19) throw new BfdError(`BFD simple password Auth Len ${authLen}`);
      return { type, keyId: bytes[26], password: bytes.slice(27, 24 + authLen) };
    case BfdAuthType.KEYED_MD5:
    case BfdAuthType.METICULOUS_KEYED_MD5:
    case BfdAuthType.KEYED_SHA1:
    case BfdAuthType.METICULOUS_KEYED_SHA1: {
      // §4.3: "Auth Len: ... MUST be 24"; §4.4: "MUST be 28".
      const expected = type <= BfdAuthType.METICULOUS_KEYED_MD5 ? 24 : 28;
      if (authLen !== expected) {
        throw new BfdError(`BFD auth type ${type} has Auth Len ${authLen}, expected ${expected}`);
      }
      return {
        type,
        keyId: bytes[26],
        sequence: view.getUint32(28),
        digest: bytes.slice(32, 24 + authLen),
      };
    }
    default:
      throw new BfdError(`BFD auth type ${type} is unknown`);
  }
}
