import { BgpError } from "./errors.js";

/**
 * A plain Uint8Array copy of bytes[start, end). Not `slice()`: on a Node Buffer that returns a view
 * into the (possibly pooled) input instead of a copy, which keeps the whole socket chunk alive and
 * changes when the caller reuses the buffer.
 */
export function copyOf(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

/**
 * A bounds-checked cursor over bytes. Running off the end throws the BgpError the caller chose
 * (`overrun`), so every decoder reports the NOTIFICATION that fits where it is reading.
 */
export class Reader {
  readonly bytes: Uint8Array;
  offset: number;
  /** One past the last readable byte. */
  readonly end: number;
  private readonly overrun: () => BgpError;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, overrun?: () => BgpError) {
    this.bytes = bytes;
    this.offset = start;
    this.end = end;
    this.overrun = overrun ?? (() => BgpError.malformedAttributeList("unexpected end of data"));
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throw the overrun error unless `count` more bytes can be read. */
  need(count: number): void {
    if (this.offset + count > this.end) throw this.overrun();
  }

  u8(): number {
    if (this.offset + 1 > this.end) throw this.overrun();
    return this.bytes[this.offset++];
  }

  u16(): number {
    if (this.offset + 2 > this.end) throw this.overrun();
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 2;
    return (b[o] << 8) | b[o + 1];
  }

  u32(): number {
    if (this.offset + 4 > this.end) throw this.overrun();
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  /** A view (not a copy) of the next `count` bytes. */
  view(count: number): Uint8Array {
    if (this.offset + count > this.end) throw this.overrun();
    const v = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return v;
  }

  /** A copy of the next `count` bytes, for data that outlives the input buffer. */
  copy(count: number): Uint8Array {
    const start = this.offset;
    this.need(count);
    this.offset += count;
    return copyOf(this.bytes, start, start + count);
  }

  /** A reader over the next `count` bytes, with its own overrun error; advances this one past them. */
  sub(count: number, overrun?: () => BgpError): Reader {
    if (this.offset + count > this.end) throw this.overrun();
    const r = new Reader(this.bytes, this.offset, this.offset + count, overrun ?? this.overrun);
    this.offset += count;
    return r;
  }
}
