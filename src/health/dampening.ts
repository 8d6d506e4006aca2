import { positiveNumber, rejectUnknownKeys, requireObject, seconds } from "./options.js";

/**
 * Route flap dampening after RFC 2439: "a penalty is added for each flap ... the penalty decays
 * exponentially ... when it exceeds the suppress limit the route is suppressed ... it is reused when
 * the penalty falls below the reuse limit". Defaults are the RFC 2439 §4.2 examples scaled the way
 * vendors ship them (1000 per flap, half-life 15 min, suppress 2000, reuse 750, max suppress 60 min).
 * @module
 */

/**
 * Route flap dampening settings; every field is optional and defaults to the values above.
 * @category Health
 */
export interface DampeningOptions {
  /** Added on each flap (health going up -> down). */
  readonly penalty?: number;
  /** Seconds for the penalty to decay to half (default 900). */
  readonly halfLifeSec?: number;
  /** UP is held back while the penalty is above this (default 2000). */
  readonly suppressThreshold?: number;
  /** A suppressed UP is released once the penalty decays to this (default 750). */
  readonly reuseThreshold?: number;
  /** "The maximum time a route can be suppressed": the penalty is capped so it decays to reuse in this time. */
  readonly maxSuppressSec?: number;
}

/** The defaults of {@link DampeningOptions} (the values above): the one source for the class and the CLI. */
export const DAMPENING_DEFAULTS = Object.freeze({
  penalty: 1000,
  halfLifeSec: 900,
  suppressThreshold: 2000,
  reuseThreshold: 750,
  maxSuppressSec: 3600,
} as const satisfies Required<DampeningOptions>);

/** Penalty bookkeeping in integer milliseconds; pure. */
export class Dampening {
  readonly penaltyPerFlap: number;
  readonly halfLifeMs: number;
  readonly suppressThreshold: number;
  readonly reuseThreshold: number;
  /** RFC 2439 §4.2 "ceiling": the highest penalty that still decays to reuse within max suppress time. */
  readonly ceiling: number;
  private value = 0;
  private atMs = 0;
  private releaseAt: number | undefined;

  constructor(options: DampeningOptions) {
    requireObject("dampening", options);
    rejectUnknownKeys("dampening", options, [
      "penalty",
      "halfLifeSec",
      "suppressThreshold",
      "reuseThreshold",
      "maxSuppressSec",
    ]);
    this.penaltyPerFlap = positiveNumber("dampening.penalty", options.penalty ?? DAMPENING_DEFAULTS.penalty);
    this.halfLifeMs = seconds("dampening.halfLifeSec", options.halfLifeSec ?? DAMPENING_DEFAULTS.halfLifeSec);
    this.suppressThreshold = positiveNumber(
      "dampening.suppressThreshold",
      options.suppressThreshold ?? DAMPENING_DEFAULTS.suppressThreshold,
    );
    this.reuseThreshold = positiveNumber(
      "dampening.reuseThreshold",
      options.reuseThreshold ?? DAMPENING_DEFAULTS.reuseThreshold,
    );
    const maxSuppressMs = seconds(
      "dampening.maxSuppressSec",
      options.maxSuppressSec ?? DAMPENING_DEFAULTS.maxSuppressSec,
    );
    if (!(this.reuseThreshold > 0 && this.reuseThreshold < this.suppressThreshold)) {
      throw new RangeError("dampening needs 0 < reuseThreshold < suppressThreshold");
    }
    this.ceiling = this.reuseThreshold * 2 ** (maxSuppressMs / this.halfLifeMs);
    if (this.ceiling <= this.suppressThreshold) {
      throw new RangeError(
        "dampening.maxSuppressSec too short: the penalty could never reach suppressThreshold",
      );
    }
  }

  penaltyAt(nowMs: number): number {
    return this.value * 2 ** (-(nowMs - this.atMs) / this.halfLifeMs);
  }

  get suppressed(): boolean {
    return this.releaseAt !== undefined;
  }

  /** When suppression ends, if suppressed. */
  get releaseAtMs(): number | undefined {
    return this.releaseAt;
  }

  /** Records a flap; returns true when this flap started suppression. */
  flap(nowMs: number): boolean {
    this.value = Math.min(this.penaltyAt(nowMs) + this.penaltyPerFlap, this.ceiling);
    this.atMs = nowMs;
    const wasSuppressed = this.suppressed;
    if (wasSuppressed || this.value > this.suppressThreshold) {
      // Solve value * 2^(-t/halfLife) = reuse for t; whole milliseconds, rounded up so the penalty
      // really is at or below reuse at the release instant.
      this.releaseAt = nowMs + Math.ceil(this.halfLifeMs * Math.log2(this.value / this.reuseThreshold));
    }
    return !wasSuppressed && this.suppressed;
  }

  /** Ends suppression when its time has come; returns true when it did. */
  release(nowMs: number): boolean {
    if (this.releaseAt === undefined || nowMs < this.releaseAt) return false;
    this.releaseAt = undefined;
    return true;
  }
}
