/*
 * MULTI_EXIT_DISC (type 4, optional non-transitive) and LOCAL_PREF (type 5, well-known),
 * RFC 4271 §4.3 and §5.1.4-5: one 4-octet unsigned integer each.
 *
 *   +-------------------------------+
 *   | value (4 octets)              |
 *   +-------------------------------+
 */
import { AttributeCode, AttributeFlag } from "../constants.js";
import { checkUint } from "../writer.js";
import { type AttributeCodec, lengthError } from "./codec.js";

export const medCodec: AttributeCodec<"med"> = {
  code: AttributeCode.MULTI_EXIT_DISC,
  name: "MULTI_EXIT_DISC",
  key: "med",
  flags: AttributeFlag.OPTIONAL,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.4: malformed "if its length is not 4" ... "treat-as-withdraw".
    if (reader.remaining !== 4) throw lengthError(reader, at, AttributeCode.MULTI_EXIT_DISC);
    return reader.u32();
  },
  encode(writer, value) {
    writer.u32(checkUint(value, 32, "MULTI_EXIT_DISC"));
  },
  encodingLength: () => 4,
};

export const localPrefCodec: AttributeCodec<"localPref"> = {
  code: AttributeCode.LOCAL_PREF,
  name: "LOCAL_PREF",
  key: "localPref",
  flags: AttributeFlag.TRANSITIVE,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.5: malformed "if its length is not 4" ... "treat-as-withdraw".
    if (reader.remaining !== 4) throw lengthError(reader, at, AttributeCode.LOCAL_PREF);
    return reader.u32();
  },
  encode(writer, value) {
    writer.u32(checkUint(value, 32, "LOCAL_PREF"));
  },
  encodingLength: () => 4,
};
