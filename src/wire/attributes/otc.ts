/*
 * OTC, Only To Customer (type 35), RFC 9234 §5: optional transitive, one AS number.
 *
 *   +-------------------------------+
 *   | AS (4 octets)                 |
 *   +-------------------------------+
 */
import { AttributeCode, AttributeFlag } from "../constants.js";
import { checkUint } from "../writer.js";
import { type AttributeCodec, lengthError } from "./codec.js";

export const otcCodec: AttributeCodec<"otc"> = {
  code: AttributeCode.OTC,
  name: "OTC",
  key: "otc",
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 9234 §5: an OTC attribute whose length is not 4 is malformed, and the UPDATE is handled
    // with RFC 7606 "treat-as-withdraw".
    if (reader.remaining !== 4) throw lengthError(reader, at, AttributeCode.OTC);
    return reader.u32();
  },
  encode(writer, value) {
    writer.u32(checkUint(value, 32, "OTC"));
  },
  encodingLength: () => 4,
};
