import { secondsToMs } from "../clock.js";
import type { FsmConfig, FsmEvent, TimerName } from "./types.js";

/** RFC 4271 §8.2.2: "a large value ... A HoldTimer value of 4 minutes is suggested" (in OpenSent). */
export const LARGE_HOLD_TIME_MS = 240_000;

/**
 * RFC 4271 §10: "jitter SHOULD be applied to the timers associated with MinASOriginationInterval,
 * Keepalive, MinRouteAdvertisementInterval, and ConnectRetry ... the base value of each timer is
 * multiplied by a random factor which is uniformly distributed in the range from 0.75 to 1.0".
 */
export function jitter(ms: number, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ms * (0.75 + 0.25 * r));
}

export function connectRetryMs(config: FsmConfig): number {
  return jitter(secondsToMs(config.connectRetry), config.random);
}

/**
 * The KeepaliveTime for a hold time, in seconds (RFC 4271 §4.4: "A reasonable maximum time between
 * KEEPALIVE messages would be one third of the Hold Time interval"): what `negotiated.keepaliveTime`
 * reports and the KeepaliveTimer runs on.
 */
export function keepaliveTimeOf(holdTime: number): number {
  return holdTime / 3;
}

/** The KeepaliveTimer's next run: the KeepaliveTime, jittered (§10). */
export function keepaliveMs(keepaliveTime: number, random: () => number): number {
  return jitter(secondsToMs(keepaliveTime), random);
}

/**
 * The IdleHold time before the next automatic start (RFC 4271 §8.1.1, DampPeerOscillations):
 * the base doubled per consecutive flap, capped. `flapCount` counts from 1.
 */
export function idleHoldMs(config: FsmConfig, flapCount: number): number {
  const base = secondsToMs(config.idleHold);
  const cap = Math.max(base, secondsToMs(config.idleHoldMax));
  const exponent = Math.min(Math.max(flapCount - 1, 0), 30);
  return Math.min(cap, base * 2 ** exponent);
}

/** The event each timer raises when it expires (RFC 4271 §8.1.3, events 9–13). */
export const TIMER_EXPIRED: { readonly [T in TimerName]: Extract<FsmEvent, { type: `${T}Timer_Expires` }> } =
  Object.freeze({
    ConnectRetry: { type: "ConnectRetryTimer_Expires" },
    Hold: { type: "HoldTimer_Expires" },
    Keepalive: { type: "KeepaliveTimer_Expires" },
    DelayOpen: { type: "DelayOpenTimer_Expires" },
    IdleHold: { type: "IdleHoldTimer_Expires" },
  });
