/**
 * Growing the typed arrays the route tables keep their columns in.
 * @module
 */

type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** A typed array of the same kind, `length` long, holding a copy of `old` and zeros after it. */
export function grown<T extends Column>(old: T, length: number): T {
  const next = new (old.constructor as new (length: number) => T)(length);
  next.set(old);
  return next;
}
