// Public exports only.
export { BgpError } from "./errors.js";
export * from "./wire/constants.js";
export type * from "./wire/types.js";
