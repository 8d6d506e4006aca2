/**
 * `bgp-speaker/metrics`: a Prometheus registry (prom-client) and a small HTTP status server over
 * the numbers the speaker and the health monitors keep. Kept out of the main entry point, so
 * `import { BgpSpeaker } from "bgp-speaker"` never loads prom-client.
 * @module
 */
export { createMetricsRegistry, type MetricsRegistryOptions } from "./registry.js";
export { type SelfHealth, type StatusServer, type StatusServerOptions, startStatusServer } from "./server.js";
export {
  collectStatus,
  type HealthStatusSource,
  type MetricsSources,
  type PeerStatusJson,
  type StatusReport,
} from "./status.js";
