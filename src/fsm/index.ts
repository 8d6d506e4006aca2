export { eventForDecodeError, initialSnapshot, step } from "./machine.js";
export { negotiate, negotiateHoldTime, resolveCollision } from "./negotiate.js";
export { announcedFamilies, buildOpen, MIN_HOLD_TIME_SEC, peerAsnOf, validateOpen } from "./open.js";
export { idleHoldMs, jitter, keepaliveMs, LARGE_HOLD_TIME_MS } from "./timers.js";
export type * from "./types.js";
