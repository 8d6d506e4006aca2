import type { Clock } from "../../src/clock.js";

/** A manual clock: timers fire only when the test advances time, in due order. */
export class FakeClock implements Clock {
  private current = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { atMs: number; callback: () => void }>();

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { atMs: this.current + delayMs, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Runs every timer due up to `targetMs`, letting the async work each one starts settle. */
  async advanceTo(targetMs: number): Promise<void> {
    for (;;) {
      await settle();
      let next: [number, { atMs: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (next === undefined || entry[1].atMs < next[1].atMs) next = entry;
      if (next === undefined || next[1].atMs > targetMs) break;
      this.timers.delete(next[0]);
      this.current = Math.max(this.current, next[1].atMs);
      next[1].callback();
    }
    this.current = targetMs;
  }
}

/** Lets promise chains started by a timer run to completion (they only await resolved promises). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
