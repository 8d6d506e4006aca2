export {
  type AnnouncerAction,
  type GatedPrefixes,
  type GateSource,
  HealthGatedAnnouncer,
  type PrefixAction,
  type PrefixPolicy,
  type RouteSpeaker,
} from "./announcer.js";
export { type CommandCheckOptions, checkCommand } from "./command-check.js";
export type { DampeningOptions } from "./dampening.js";
export { type ExitHandler, type ExitHandlerOptions, installExitHandler, type ProcessLike } from "./exit.js";
export {
  type GateEvent,
  type GateOptions,
  type GatePhase,
  HealthGate,
  type ReleasedEvent,
  type RoundResult,
  type SuppressedEvent,
  type TransitionEvent,
} from "./gate.js";
export { checkHttp, type HttpCheckOptions } from "./http-check.js";
export {
  HealthMonitor,
  type HealthMonitorEvents,
  type HealthMonitorOptions,
  type RoundReport,
} from "./monitor.js";
export { parseProcNetTcp, type SocketRow, TcpState } from "./proc-net-tcp.js";
export {
  checkSocketTable,
  judgeSocketTable,
  type SocketTableCheckOptions,
  type SocketTableJudgeOptions,
} from "./socket-table-check.js";
export {
  CHECK_LATENCY_BUCKETS_SEC,
  type CheckStatus,
  type HealthStatus,
  type LatencyHistogram,
} from "./status.js";
export { checkTcp, type TcpCheckOptions } from "./tcp-check.js";
export type { CheckBaseOptions, CheckFn, CheckResult, GateState, HealthClock } from "./types.js";
