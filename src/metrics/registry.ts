import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { BFD_STATES } from "../bfd/constants.js";
import type { FsmState } from "../fsm/types.js";
import { CHECK_LATENCY_BUCKETS_SEC, type HealthStatus } from "../health/status.js";
import type { BfdPeerStatus } from "../speaker/bfd.js";
import type { PeerStatus } from "../speaker/peer.js";
import { packageVersion } from "../version.js";
import { ADDRESS_FAMILIES } from "../wire/family.js";
import { type HealthStatusSource, type MetricsSources, monitorsOf } from "./status.js";

/** RFC 4271 §8 states, one `bgp_peer_state` series each. */
const FSM_STATES: readonly FsmState[] = [
  "Idle",
  "Connect",
  "Active",
  "OpenSent",
  "OpenConfirm",
  "Established",
];
const HEALTH_STATES = ["init", "up", "down", "disabled"] as const;

/**
 * Options for `createMetricsRegistry`.
 * @category Metrics
 */
export interface MetricsRegistryOptions {
  /** Register into this registry (default: a new one). Metric names must not be taken there. */
  readonly registry?: Registry;
  /** Also register prom-client's process metrics (CPU, memory, event loop lag; default false). */
  readonly defaultMetrics?: boolean;
}

/**
 * A prom-client registry whose metrics are read from the speaker's `peerStatus()` and each
 * monitor's `status()` at scrape time: it keeps no numbers of its own, so it never drifts from
 * what the library reports, and building it late loses nothing.
 * @category Metrics
 */
export function createMetricsRegistry(
  sources: MetricsSources,
  options: MetricsRegistryOptions = {},
): Registry {
  checkOptions(sources, options);
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });

  // prom-client runs every metric's collect() synchronously at the start of a scrape: one read of
  // each source serves them all, and is dropped once that synchronous part is over.
  const readPeers = oncePerScrape(() => sources.speaker?.peerStatus() ?? []);

  new Gauge({
    name: "bgp_speaker_build_info",
    help: "Always 1; the labels say which bgp-speaker and Node.js are running",
    labelNames: ["version", "node_version"],
    registers,
  }).set({ version: packageVersion(), node_version: process.versions.node }, 1);

  new Gauge({
    name: "bgp_peer_info",
    help: "Always 1 per configured peer; the labels give its address and AS",
    labelNames: ["peer", "address", "peer_asn"],
    registers,
    collect() {
      this.reset();
      for (const p of readPeers()) this.set({ peer: p.name, address: p.address, peer_asn: p.asn }, 1);
    },
  });
  const peers: Series<PeerStatus> = { label: "peer", rows: readPeers, key: (p) => p.name, registers };
  stateGauge(
    peers,
    "bgp_peer_state",
    "1 for the peer's current RFC 4271 session state, 0 for the others",
    FSM_STATES,
    (p) => p.state,
  );
  const peerGauge = (name: string, help: string, value: (p: PeerStatus) => number) =>
    seriesGauge(peers, name, help, value);
  const peerCounter = (name: string, help: string, value: (p: PeerStatus) => number) =>
    seriesCounter(peers, name, help, value);
  peerGauge(
    "bgp_peer_uptime_seconds",
    "Seconds since the session reached Established (0 when it is not)",
    (p) => (p.uptimeMs ?? 0) / 1000,
  );
  peerCounter(
    "bgp_peer_established_transitions_total",
    "Times the session reached Established",
    (p) => p.establishedTransitions,
  );
  peerCounter("bgp_peer_messages_received_total", "BGP messages received", (p) => p.messagesIn);
  peerCounter("bgp_peer_messages_sent_total", "BGP messages sent", (p) => p.messagesOut);
  peerCounter("bgp_peer_updates_received_total", "UPDATE messages received", (p) => p.updatesIn);
  peerCounter("bgp_peer_updates_sent_total", "UPDATE messages sent", (p) => p.updatesOut);
  new Gauge({
    name: "bgp_peer_routes_announced",
    help: "Routes this session has announced to the peer and not withdrawn, per address family",
    labelNames: ["peer", "family"],
    registers,
    collect() {
      this.reset();
      for (const p of readPeers()) {
        for (const family of ADDRESS_FAMILIES) {
          this.set({ peer: p.name, family }, p.prefixesOutByFamily[family]);
        }
      }
    },
  });
  peerGauge("bgp_peer_routes_received", "Routes held in the Adj-RIB-In from the peer", (p) => p.prefixesIn);
  peerGauge(
    "bgp_peer_routes_pending",
    "Route changes waiting to be sent to the peer",
    (p) => p.pendingChanges,
  );
  registerBfdMetrics(readPeers, registers);

  registerHealthMetrics(sources, registers);
  return registry;
}

/** Bad arguments throw here, naming the option, never later in a scrape. */
function checkOptions(sources: MetricsSources, options: MetricsRegistryOptions): void {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null;
  if (!isObject(sources)) throw new TypeError("createMetricsRegistry: sources must be an object");
  if (
    sources.speaker !== undefined &&
    typeof (sources.speaker as { peerStatus?: unknown } | null)?.peerStatus !== "function"
  ) {
    throw new TypeError("sources.speaker must have peerStatus() (a BgpSpeaker)");
  }
  const monitors = sources.monitors;
  if (monitors !== undefined && typeof monitors !== "function") {
    if (!Array.isArray(monitors)) {
      throw new TypeError("sources.monitors must be an array of HealthMonitors or a function returning one");
    }
    monitors.forEach((monitor, i) => {
      if (typeof (monitor as Partial<HealthStatusSource> | null)?.status !== "function") {
        throw new TypeError(`sources.monitors[${i}] must have status() (a HealthMonitor)`);
      }
    });
  }
  if (!isObject(options)) throw new TypeError("createMetricsRegistry: options must be an object");
  if (
    options.registry !== undefined &&
    typeof (options.registry as { registerMetric?: unknown } | null)?.registerMetric !== "function"
  ) {
    throw new TypeError("options.registry must be a prom-client Registry");
  }
  if (options.defaultMetrics !== undefined && typeof options.defaultMetrics !== "boolean") {
    throw new TypeError("options.defaultMetrics must be true or false");
  }
}

/** `read`, called at most once per synchronous run of code (a scrape's collect() calls). */
function oncePerScrape<T>(read: () => T): () => T {
  let cached: { value: T } | null = null;
  return () => {
    if (cached === null) {
      cached = { value: read() };
      queueMicrotask(() => {
        cached = null;
      });
    }
    return cached.value;
  };
}

/** Rows read at scrape time (peers, services), each one series under `label`. */
interface Series<R> {
  readonly label: string;
  readonly rows: () => Iterable<R>;
  readonly key: (row: R) => string;
  readonly registers: Registry[];
}

/** A gauge with one series per row. */
function seriesGauge<R>(series: Series<R>, name: string, help: string, value: (row: R) => number): void {
  new Gauge({
    name,
    help,
    labelNames: [series.label],
    registers: series.registers,
    collect() {
      this.reset();
      for (const row of series.rows()) this.set({ [series.label]: series.key(row) }, value(row));
    },
  });
}

/** A counter with one series per row; its value is the source's running total. */
function seriesCounter<R>(series: Series<R>, name: string, help: string, value: (row: R) => number): void {
  new Counter({
    name,
    help,
    labelNames: [series.label],
    registers: series.registers,
    collect() {
      this.reset();
      for (const row of series.rows()) this.inc({ [series.label]: series.key(row) }, value(row));
    },
  });
}

/** A state set: per row, 1 for its current state and 0 for every other state. */
function stateGauge<R, S extends string>(
  series: Series<R>,
  name: string,
  help: string,
  states: readonly S[],
  current: (row: R) => S,
): void {
  new Gauge({
    name,
    help,
    labelNames: [series.label, "state"],
    registers: series.registers,
    collect() {
      this.reset();
      for (const row of series.rows()) {
        const key = series.key(row);
        const now = current(row);
        for (const state of states) this.set({ [series.label]: key, state }, now === state ? 1 : 0);
      }
    },
  });
}

/** BFD (RFC 5880) per peer that runs it; peers without `bfd` have no series here. */
function registerBfdMetrics(readPeers: () => readonly PeerStatus[], registers: Registry[]): void {
  const withBfd = function* () {
    for (const p of readPeers()) if (p.bfd !== null) yield { name: p.name, bfd: p.bfd };
  };
  const peers: Series<{ name: string; bfd: BfdPeerStatus }> = {
    label: "peer",
    rows: withBfd,
    key: (row) => row.name,
    registers,
  };
  stateGauge(
    peers,
    "bgp_peer_bfd_state",
    "1 for the peer's current BFD session state (RFC 5880 §4.1), 0 for the others",
    BFD_STATES,
    (row) => row.bfd.state,
  );
  const gauge = (name: string, help: string, value: (b: BfdPeerStatus) => number) =>
    seriesGauge(peers, name, help, (row) => value(row.bfd));
  const counter = (name: string, help: string, value: (b: BfdPeerStatus) => number) =>
    seriesCounter(peers, name, help, (row) => value(row.bfd));
  gauge(
    "bgp_peer_bfd_detection_time_seconds",
    "Silence after which the BFD session goes down: the neighbor's Detect Mult x the agreed interval (0 before it is heard)",
    (b) => b.detectionTimeMs / 1000,
  );
  gauge(
    "bgp_peer_bfd_remote_discriminator",
    "The neighbor's BFD discriminator (0 until it is heard)",
    (b) => b.remoteDiscriminator,
  );
  gauge("bgp_peer_bfd_diagnostic", "Why the BFD session last went down (RFC 5880 §4.1 code)", (b) => b.diag);
  counter("bgp_peer_bfd_packets_received_total", "BFD control packets received", (b) => b.packetsIn);
  counter("bgp_peer_bfd_packets_sent_total", "BFD control packets sent", (b) => b.packetsOut);
  counter(
    "bgp_peer_bfd_packets_discarded_total",
    "BFD control packets refused (authentication, sequence number, discriminator)",
    (b) => b.discarded,
  );
}

function registerHealthMetrics(sources: MetricsSources, registers: Registry[]): void {
  const read = oncePerScrape(() => monitorsOf(sources).map((monitor) => monitor.status()));
  const services: Series<HealthStatus> = { label: "service", rows: read, key: (s) => s.name, registers };
  stateGauge(
    services,
    "bgp_health_state",
    "1 for the service's published health state, 0 for the others",
    HEALTH_STATES,
    (s) => s.state,
  );
  const serviceGauge = (name: string, help: string, value: (s: HealthStatus) => number) =>
    seriesGauge(services, name, help, value);
  serviceGauge(
    "bgp_health_time_in_state_seconds",
    "Seconds since the service's health state was published",
    (s) => s.timeInStateMs / 1000,
  );
  serviceGauge(
    "bgp_health_consecutive_failures",
    "Failed check rounds in a row (0 after a passing round)",
    (s) => s.consecutiveFailures,
  );
  serviceGauge(
    "bgp_health_consecutive_successes",
    "Passing check rounds in a row (0 after a failing round)",
    (s) => s.consecutiveSuccesses,
  );
  serviceGauge(
    "bgp_health_flap_penalty",
    "RFC 2439 flap-dampening penalty (0 without dampening)",
    (s) => s.penalty,
  );
  serviceGauge("bgp_health_suppressed", "1 while flap dampening holds an UP back", (s) =>
    s.suppressed ? 1 : 0,
  );
  seriesCounter(
    services,
    "bgp_health_transitions_total",
    "Published health transitions (to up, down or disabled)",
    (s) => s.transitions,
  );
  new Counter({
    name: "bgp_health_rounds_total",
    help: "Rounds of health checks run, by result",
    labelNames: ["service", "result"],
    registers,
    collect() {
      this.reset();
      for (const s of read()) {
        this.inc({ service: s.name, result: "ok" }, s.rounds - s.failedRounds);
        this.inc({ service: s.name, result: "failed" }, s.failedRounds);
      }
    },
  });
  new CheckLatencyHistogram(read, registers);
}

type HistogramObject = Awaited<ReturnType<Histogram<string>["get"]>>;
/** prom-client's d.ts types `type` as an enum its JavaScript does not export; at run time it is this string. */
const HISTOGRAM_TYPE = "histogram" as unknown as HistogramObject["type"];
const LATENCY_NAME = "bgp_health_check_duration_seconds";
const LATENCY_HELP = "How long each health check took";

/**
 * The check-latency histogram, read from each monitor's own bucket counts at scrape time. A plain
 * prom-client Histogram only counts what it observes itself; this one reports the monitors'
 * numbers, so it covers rounds run before the registry was built and monitors added later.
 */
class CheckLatencyHistogram extends Histogram<"service" | "check" | "le"> {
  private readonly read: () => readonly HealthStatus[];

  constructor(read: () => readonly HealthStatus[], registers: Registry[]) {
    super({
      name: LATENCY_NAME,
      help: LATENCY_HELP,
      labelNames: ["service", "check"],
      buckets: [...CHECK_LATENCY_BUCKETS_SEC],
      registers,
    });
    this.read = read;
  }

  override async get(): Promise<HistogramObject> {
    const values: HistogramObject["values"] = [];
    const bucket = `${LATENCY_NAME}_bucket`;
    for (const service of this.read()) {
      for (const [check, { latency }] of Object.entries(service.checks)) {
        const labels = { service: service.name, check };
        CHECK_LATENCY_BUCKETS_SEC.forEach((bound, i) => {
          values.push({ labels: { ...labels, le: bound }, value: latency.counts[i], metricName: bucket });
        });
        values.push({ labels: { ...labels, le: "+Inf" }, value: latency.count, metricName: bucket });
        values.push({ labels, value: latency.sumSec, metricName: `${LATENCY_NAME}_sum` });
        values.push({ labels, value: latency.count, metricName: `${LATENCY_NAME}_count` });
      }
    }
    const collect = () => undefined;
    return {
      name: LATENCY_NAME,
      help: LATENCY_HELP,
      type: HISTOGRAM_TYPE,
      aggregator: "sum",
      collect,
      values,
    };
  }

  /** The registry formats from this (prom-client's own, undeclared in its types) when present. */
  getForPromString(): Promise<HistogramObject> {
    return this.get();
  }
}
