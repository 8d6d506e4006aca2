/*
 * ATOMIC_AGGREGATE (type 6), RFC 4271 §4.3 and §5.1.6: well-known discretionary, no value.
 *
 *   (attribute length 0)
 */
import { AttributeCode, AttributeFlag } from "../constants.js";
import { type AttributeCodec, lengthError } from "./codec.js";

export const atomicAggregateCodec: AttributeCodec<"atomicAggregate"> = {
  code: AttributeCode.ATOMIC_AGGREGATE,
  name: "ATOMIC_AGGREGATE",
  key: "atomicAggregate",
  flags: AttributeFlag.TRANSITIVE,
  malformed: "attribute-discard",
  decode(reader, _ctx, at) {
    // RFC 7606 §7.6: "The attribute SHALL be considered malformed if its length is not 0" ...
    // "SHALL be handled using the approach of attribute discard".
    if (reader.remaining !== 0)
      throw lengthError(reader, at, AttributeCode.ATOMIC_AGGREGATE, "attribute-discard");
    return true;
  },
  encode() {
    // No value.
  },
  encodingLength: () => 0,
};
