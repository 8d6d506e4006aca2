/**
 * The value, when it is an unsigned integer that fits `bits` bits. Encoding a value that does not
 * fit its field is the caller's bug, not a protocol error: TypeError when it is not an integer,
 * RangeError when it is out of range, each naming the field.
 */
export function checkUint(value: number, bits: number, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${what} must be an integer, got ${String(value)}`);
  }
  if (value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${what} ${value} does not fit ${bits} bits (0..${2 ** bits - 1})`);
  }
  return value;
}

/**
 * A growable byte writer. Lengths that precede their contents are reserved first and filled in
 * afterwards (`reserve16` / `fill16`), so no encoder computes a length twice.
 */
export class Writer {
  private buf: Uint8Array;
  offset = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  private grow(extra: number): void {
    const want = this.offset + extra;
    if (want <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < want) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.offset));
    this.buf = next;
  }

  u8(value: number): this {
    this.grow(1);
    this.buf[this.offset++] = value;
    return this;
  }

  u16(value: number): this {
    this.grow(2);
    const b = this.buf;
    const o = this.offset;
    b[o] = value >>> 8;
    b[o + 1] = value;
    this.offset = o + 2;
    return this;
  }

  u32(value: number): this {
    this.grow(4);
    const b = this.buf;
    const o = this.offset;
    b[o] = value >>> 24;
    b[o + 1] = value >>> 16;
    b[o + 2] = value >>> 8;
    b[o + 3] = value;
    this.offset = o + 4;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.grow(data.length);
    this.buf.set(data, this.offset);
    this.offset += data.length;
    return this;
  }

  /** Append `length` octets of `data` from `start` (a few octets: a loop, no subarray object). */
  copy(data: Uint8Array, start: number, length: number): this {
    this.grow(length);
    const b = this.buf;
    const o = this.offset;
    for (let i = 0; i < length; i++) b[o + i] = data[start + i];
    this.offset = o + length;
    return this;
  }

  /** Reserve a 1-octet length; returns its position for `fill8`. */
  reserve8(): number {
    this.grow(1);
    return this.offset++;
  }

  /** Reserve a 2-octet length; returns its position for `fill16`. */
  reserve16(): number {
    this.grow(2);
    const at = this.offset;
    this.offset += 2;
    return at;
  }

  /** Write at `at` the number of bytes written since `at + 1`. */
  fill8(at: number): number {
    const length = this.offset - at - 1;
    this.buf[at] = length;
    return length;
  }

  /** Write at `at` the number of bytes written since `at + 2`. */
  fill16(at: number): number {
    const length = this.offset - at - 2;
    this.buf[at] = length >>> 8;
    this.buf[at + 1] = length;
    return length;
  }

  /** Overwrite one byte already written (used to set a flag found to be needed later). */
  setU8(at: number, value: number): void {
    this.buf[at] = value;
  }

  getU8(at: number): number {
    return this.buf[at];
  }

  /** Insert one zero octet at `at`, moving what follows one place on (a length that needs a second octet). */
  insertOctet(at: number): void {
    this.grow(1);
    this.buf.copyWithin(at + 1, at, this.offset);
    this.buf[at] = 0;
    this.offset++;
  }

  /** Remove the octet at `at`, moving what follows one place back (a length that fits one octet). */
  removeOctet(at: number): void {
    this.buf.copyWithin(at, at + 1, this.offset);
    this.offset--;
  }

  /** Drop everything after `length` (undo a speculative write). */
  truncate(length: number): void {
    this.offset = length;
  }

  /**
   * The bytes written so far, without a copy: a view of the writer's buffer, for a writer that is
   * dropped afterwards (writing on would change what the view shows).
   */
  view(): Uint8Array {
    return this.buf.subarray(0, this.offset);
  }

  /** The bytes written so far, as a copy sized exactly. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.offset);
  }
}
