import type { Reader } from "../reader.js";
import type { Capability } from "../types.js";
import type { Writer } from "../writer.js";

type UnknownCapability = Extract<Capability, { name: "unknown" }>;

/** RFC 5492 §3: unrecognised capabilities are ignored, so we keep their bytes to log or pass on. */
export function decodeUnknownCapability(code: number, reader: Reader): UnknownCapability {
  return { name: "unknown", code, data: reader.copy(reader.remaining) };
}

export function encodeUnknownCapability(writer: Writer, value: UnknownCapability): void {
  writer.bytes(value.data);
}
