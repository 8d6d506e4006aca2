import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from "./constants.js";
import type { CodecContext } from "./types.js";

/** What a fresh session assumes before the OPENs are exchanged: 2-octet AS, no ADD-PATH, 4096 octets. */
export const DEFAULT_CODEC_CONTEXT: CodecContext = Object.freeze({
  fourOctetAs: false,
  addPath: Object.freeze([]),
  extendedMessage: false,
});

/** Fill what a partial context leaves out from the default. */
export function resolveContext(partial?: Partial<CodecContext>): CodecContext {
  if (partial === undefined) return DEFAULT_CODEC_CONTEXT;
  return {
    fourOctetAs: partial.fourOctetAs ?? DEFAULT_CODEC_CONTEXT.fourOctetAs,
    addPath: partial.addPath ?? DEFAULT_CODEC_CONTEXT.addPath,
    extendedMessage: partial.extendedMessage ?? DEFAULT_CODEC_CONTEXT.extendedMessage,
  };
}

/** The largest whole message, header included, that the context allows. */
export function maxMessageLength(ctx: CodecContext): number {
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}
