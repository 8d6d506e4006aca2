// BFD (RFC 5880/5881): codec, sans-IO state machine, session driver, node:dgram transport.
export { digestLength, isMeticulous, sign, verify } from "./auth.js";
export { decodeControl, encodeControl, encodingLength } from "./codec.js";
export {
  AUTH_TYPE_BY_NAME,
  BFD_CONTROL_PORT,
  type BfdAuthName,
  BfdAuthType,
  BfdDiag,
  type BfdState,
  BfdStateCode,
  describeDiag,
} from "./constants.js";
export { BfdError } from "./error.js";
export {
  type BfdAction,
  type BfdEvent,
  BfdMachine,
  type BfdMachineConfig,
  type BfdNotice,
  type BfdSnapshot,
  type BfdTimerName,
  SLOW_TX_US,
} from "./machine.js";
export { BfdSession, type BfdSessionEvents, type BfdSessionStats } from "./session.js";
export {
  type BfdFamily,
  BfdTransport,
  type BfdTransportOptions,
  type BfdTransportStats,
} from "./transport.js";
export type { BfdAuthKey, BfdAuthSection, BfdControlPacket } from "./types.js";
