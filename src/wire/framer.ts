import { HEADER_LENGTH, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from "./constants.js";
import { checkHeader } from "./header.js";

/**
 * Options for `new MessageFramer`.
 * @category Wire codec
 */
export interface MessageFramerOptions {
  /** The largest message accepted: 4096 until RFC 8654 extended messages are negotiated, then 65535. */
  maxMessageLength?: number;
}

/**
 * Cuts a TCP byte stream into whole BGP messages. Each message's marker and Length are checked as
 * soon as its 19-octet header is in (so a bad stream fails before we buffer up to 64 KiB of it);
 * the Type and body are `decodeMessage`'s job.
 *
 * Messages wholly inside one pushed chunk are returned as views of that chunk (no copy); only a
 * message split across chunks is assembled in an internal buffer, which grows by doubling and is
 * compacted rather than re-copied per chunk, so a stream costs O(bytes) however it is chunked.
 * @category Wire codec
 */
export class MessageFramer {
  #maxMessageLength: number;
  /** Bytes of an incomplete message carried between pushes: `pending[0, pendingLength)`. */
  #pending = new Uint8Array(0);
  #pendingLength = 0;

  constructor(options: MessageFramerOptions = {}) {
    this.#maxMessageLength = MessageFramer.#checkMax(options.maxMessageLength ?? MAX_MESSAGE_LENGTH);
  }

  static #checkMax(value: number): number {
    if (!Number.isInteger(value) || value < HEADER_LENGTH || value > MAX_EXTENDED_MESSAGE_LENGTH) {
      throw new RangeError(`maximum message length ${value} is not in 19..65535`);
    }
    return value;
  }

  /** The largest message accepted, in octets (4096 to 65535); a longer one throws 1/2 Bad Message Length. */
  get maxMessageLength(): number {
    return this.#maxMessageLength;
  }

  /** Switch to 65535 once both OPENs carried the extended message capability (RFC 8654). */
  set maxMessageLength(value: number) {
    this.#maxMessageLength = MessageFramer.#checkMax(value);
  }

  /** Octets held back waiting for the rest of a message. */
  get buffered(): number {
    return this.#pendingLength;
  }

  /**
   * Feed the next chunk; returns the whole messages it completes, in order, each including its
   * header. Throws BgpError (Connection Not Synchronized, Bad Message Length) on a bad header;
   * the stream is unusable after that.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const messages: Uint8Array[] = [];
    let offset = 0;
    if (this.#pendingLength > 0) {
      offset = this.#completePending(chunk, messages);
      if (this.#pendingLength > 0) return messages;
    }
    // Fast path: messages inside this chunk, as views.
    const end = chunk.length;
    while (end - offset >= HEADER_LENGTH) {
      const length = checkHeader(chunk, offset, this.#maxMessageLength);
      if (end - offset < length) break;
      messages.push(chunk.subarray(offset, offset + length));
      offset += length;
    }
    if (offset < end) this.#append(chunk, offset, end);
    return messages;
  }

  /** Top up the pending message from `chunk`; returns how many chunk octets were used. */
  #completePending(chunk: Uint8Array, messages: Uint8Array[]): number {
    let used = 0;
    if (this.#pendingLength < HEADER_LENGTH) {
      used = Math.min(HEADER_LENGTH - this.#pendingLength, chunk.length);
      this.#append(chunk, 0, used);
      if (this.#pendingLength < HEADER_LENGTH) return used;
    }
    const length = checkHeader(this.#pending, 0, this.#maxMessageLength);
    const take = Math.min(length - this.#pendingLength, chunk.length - used);
    this.#append(chunk, used, used + take);
    used += take;
    if (this.#pendingLength === length) {
      // A copy: the buffer is reused for the next partial message.
      messages.push(this.#pending.slice(0, length));
      this.#pendingLength = 0;
    }
    return used;
  }

  #append(chunk: Uint8Array, start: number, end: number): void {
    const need = this.#pendingLength + (end - start);
    if (need > this.#pending.length) {
      const grown = new Uint8Array(Math.max(need, this.#pending.length * 2, 256));
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(chunk.subarray(start, end), this.#pendingLength);
    this.#pendingLength = need;
  }
}
