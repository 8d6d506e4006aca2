import type { HealthStatus } from "../health/status.js";
import type { PeerStatus } from "../speaker/peer.js";

/**
 * Where the numbers come from: a BgpSpeaker, and the HealthMonitors of its services.
 * @category Metrics
 */
export interface MetricsSources {
  /** Anything with `peerStatus()`: a BgpSpeaker. */
  readonly speaker?: {
    /** Every peer's state and counters, read at each scrape. */
    peerStatus(): readonly PeerStatus[];
  };
  /**
   * Anything with `status()`: HealthMonitors. A function is called at every scrape, so monitors
   * that come and go (a config reload) are followed without re-registering anything.
   */
  readonly monitors?: readonly HealthStatusSource[] | (() => readonly HealthStatusSource[]);
}

/**
 * Anything with a `status()` like `HealthMonitor`'s: one service's health for the metrics.
 * @category Metrics
 */
export interface HealthStatusSource {
  /** The service's state and counters, read at each scrape. */
  status(): HealthStatus;
}

/**
 * `PeerStatus` made JSON-safe: the NOTIFICATION data of the last error as hex.
 * @category Metrics
 */
export type PeerStatusJson = Omit<PeerStatus, "lastError"> & {
  /** Why the session last went down, with the NOTIFICATION data as hex; null if it never did. */
  readonly lastError:
    | (Omit<NonNullable<PeerStatus["lastError"]>, "data"> & {
        /** The NOTIFICATION data field as lower-case hex; absent when there was none. */
        readonly data?: string;
      })
    | null;
};

/**
 * Everything `/status` shows: one read of every source, as plain JSON-safe data.
 * @category Metrics
 */
export interface StatusReport {
  /** One entry per configured peer, as `peerStatus()` gives them. */
  readonly peers: readonly PeerStatusJson[];
  /** One entry per health monitor. */
  readonly services: readonly HealthStatus[];
}

export function monitorsOf(sources: MetricsSources): readonly HealthStatusSource[] {
  const monitors = sources.monitors;
  if (monitors === undefined) return [];
  return typeof monitors === "function" ? monitors() : monitors;
}

/**
 * Reads every source once: the same numbers the Prometheus registry exposes, as plain data.
 * @category Metrics
 */
export function collectStatus(sources: MetricsSources): StatusReport {
  return {
    peers: (sources.speaker?.peerStatus() ?? []).map(peerJson),
    services: monitorsOf(sources).map((monitor) => monitor.status()),
  };
}

function peerJson(status: PeerStatus): PeerStatusJson {
  const error = status.lastError;
  if (error === null) return { ...status, lastError: null };
  const { data, ...rest } = error;
  return {
    ...status,
    lastError: data === undefined ? rest : { ...rest, data: Buffer.from(data).toString("hex") },
  };
}
