/*
 * ORIGIN (type 1), RFC 4271 §4.3 and §5.1.1: well-known mandatory, one octet.
 *
 *   +--------+
 *   | origin |   0 = IGP, 1 = EGP, 2 = INCOMPLETE
 *   +--------+
 */

import { AttributeCode, AttributeFlag } from "../constants.js";
import { BgpError } from "../errors.js";
import type { Origin } from "../types.js";
import { type AttributeCodec, attributeBytes, lengthError } from "./codec.js";

const ORIGINS: readonly Origin[] = ["igp", "egp", "incomplete"];

export const originCodec: AttributeCodec<"origin"> = {
  code: AttributeCode.ORIGIN,
  name: "ORIGIN",
  key: "origin",
  flags: AttributeFlag.TRANSITIVE,
  malformed: "treat-as-withdraw",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.1: "The attribute is considered malformed if its length is not 1 or it has an
    // undefined value" ... "SHALL be handled using the approach of treat-as-withdraw".
    if (reader.remaining !== 1) throw lengthError(reader, at, AttributeCode.ORIGIN);
    const value = reader.u8();
    if (value >= ORIGINS.length) throw BgpError.invalidOrigin(attributeBytes(reader, at));
    return ORIGINS[value];
  },
  encode(writer, value) {
    const index = ORIGINS.indexOf(value);
    if (index < 0) throw new TypeError(`ORIGIN must be igp, egp or incomplete, got ${String(value)}`);
    writer.u8(index);
  },
  encodingLength: () => 1,
};
