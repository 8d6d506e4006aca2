/**
 * Cost of one /metrics scrape: `registry.metrics()` over a speaker with P peers (configured, not
 * started: the numbers are read the same way whatever the session does) and S health monitors
 * with a few rounds recorded. Reported: median time per scrape over --runs scrapes, and the size
 * of the exposition.
 *
 *   npx tsx bench/metrics.bench.ts [--runs 200]
 */
import { BgpSpeaker, HealthMonitor } from "../src/index.js";
import { createMetricsRegistry } from "../src/metrics/index.js";
import { arg, median, printTable } from "./bulk/report.js";

const runs = Number(arg("runs", "200"));

async function measure(peers: number, services: number): Promise<[string, string, string, string]> {
  const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2" });
  for (let i = 0; i < peers; i++) {
    speaker.addPeer({ address: `198.51.${100 + (i >> 8)}.${i & 255}`, asn: 65000 + (i % 100) });
  }
  const monitors = Array.from(
    { length: services },
    (_, i) =>
      new HealthMonitor({
        name: `service-${i}`,
        checks: { http: async () => ({ ok: true, reason: "200", durationMs: 3 }) },
        intervalSec: 0.01,
        fastIntervalSec: 0.01,
        rise: 1,
      }),
  );
  for (const monitor of monitors) monitor.start();
  await new Promise((resolve) => setTimeout(resolve, 100)); // a few rounds each
  const registry = createMetricsRegistry({ speaker, monitors });
  for (let i = 0; i < 20; i++) await registry.metrics(); // warm
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    bytes = (await registry.metrics()).length;
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  for (const monitor of monitors) await monitor.stop();
  await speaker.close();
  return [
    String(peers),
    String(services),
    `${median(times).toFixed(2)} ms`,
    `${(bytes / 1024).toFixed(1)} KiB`,
  ];
}

const rows: [string, string, string, string][] = [];
for (const [peers, services] of [
  [1, 1],
  [10, 10],
  [100, 10],
  [1000, 100],
] as const) {
  rows.push(await measure(peers, services));
}
printTable(["peers", "services", "scrape (median)", "exposition"], rows);
