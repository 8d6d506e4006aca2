import { resolveContext } from "../../src/wire/context.js";
import type { CodecContext, UpdateMessage } from "../../src/wire/types.js";
import { decodeUpdate, encodeUpdate } from "../../src/wire/update.js";
import { Writer } from "../../src/wire/writer.js";

export const AS2: CodecContext = resolveContext({ fourOctetAs: false });
export const AS4: CodecContext = resolveContext({ fourOctetAs: true });

export function decodeBody(bytes: readonly number[], ctx: CodecContext = AS4): UpdateMessage {
  const data = Uint8Array.from(bytes);
  return decodeUpdate(data, 0, data.length, ctx);
}

export function encodeBody(message: UpdateMessage, ctx: CodecContext = AS4): number[] {
  const writer = new Writer(8);
  encodeUpdate(writer, message, ctx);
  return [...writer.finish()];
}
