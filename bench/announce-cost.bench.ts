/**
 * announce() call cost: a million `speaker.announce()` calls (IPv4 /24s, one next hop) on a speaker
 * with `--peers` peers (default 2) configured but not started, so nothing is sent: this is the bookkeeping alone
 * (prefix parsing, attribute normalisation, Adj-RIB-Out per peer). Then the same million again (an
 * idempotent re-announce), then a million withdraws. Each run is a fresh process started with
 * --expose-gc; memory is measured after a full GC, relative to before the first call (the prefix
 * strings are made beforehand). Median of --runs.
 *
 *   npx tsx bench/announce-cost.bench.ts [--count 1000000] [--runs 3] [--peers 2] [--family ipv4|ipv6]
 */
import { startChild } from "./bulk/child.js";
import { type BulkFamily, prefixOf } from "./bulk/prefixes.js";
import { arg, median, printTable } from "./bulk/report.js";

interface Measured {
  announceNs: number;
  reannounceNs: number;
  withdrawNs: number;
  heapPerRoute: number;
  rssPerRoute: number;
  heapAfterWithdraw: number;
  maxRss: number;
}

async function measure(count: number, peers: number, family: BulkFamily): Promise<Measured> {
  const { BgpSpeaker } = await import("../src/index.js");
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const settle = () => {
    for (let i = 0; i < 3; i++) gc();
    return process.memoryUsage();
  };
  const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2" });
  for (let i = 0; i < peers; i++) speaker.addPeer({ address: `127.0.1.${i + 2}`, asn: 65100 + i });
  const prefixes = Array.from({ length: count }, (_, i) => prefixOf(family, i));
  const attrs = { nextHop: family === "ipv4" ? "198.51.100.1" : "2001:db8:100::1" };
  // Warm the code paths on other prefixes so the timing is of optimised code.
  for (let i = 0; i < 20_000; i++) speaker.announce(prefixOf(family, count + i), attrs);
  for (let i = 0; i < 20_000; i++) speaker.withdraw(prefixOf(family, count + i));
  const before = settle();
  // CPU time of the process (user + system, GC threads included): the machine is shared, so
  // wall-clock time measures the other jobs as much as this one.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t = cpuMs();
  for (let i = 0; i < count; i++) speaker.announce(prefixes[i], attrs);
  const announceNs = ((cpuMs() - t) * 1e6) / count;
  const after = settle();
  t = cpuMs();
  for (let i = 0; i < count; i++) speaker.announce(prefixes[i], attrs);
  const reannounceNs = ((cpuMs() - t) * 1e6) / count;
  t = cpuMs();
  for (let i = 0; i < count; i++) speaker.withdraw(prefixes[i]);
  const withdrawNs = ((cpuMs() - t) * 1e6) / count;
  const afterWithdraw = settle();
  // Keep the prefix strings alive to here, so that the withdraw figure is not their own collection.
  if (prefixes.length !== count) throw new Error("prefixes changed");
  return {
    announceNs,
    reannounceNs,
    withdrawNs,
    heapPerRoute: (after.heapUsed - before.heapUsed) / count,
    rssPerRoute: (after.rss - before.rss) / count,
    heapAfterWithdraw: afterWithdraw.heapUsed - before.heapUsed,
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
}

if (process.argv[2]?.startsWith("{")) {
  const { count, peers, family } = JSON.parse(process.argv[2]) as {
    count: number;
    peers: number;
    family: BulkFamily;
  };
  const m = await measure(count, peers, family);
  process.stdout.write(`${JSON.stringify({ type: "done", ...m })}\n`);
  process.exit(0);
}

const count = Number(arg("count", "1000000"));
const runs = Number(arg("runs", "3"));
const peers = Number(arg("peers", "2"));
const family = arg("family", "ipv4");
if (family !== "ipv4" && family !== "ipv6") {
  console.error(`--family must be ipv4 or ipv6, got ${family}`);
  process.exit(2);
}
const results: Measured[] = [];
for (let run = 1; run <= runs; run++) {
  // BULK_CPU_PROF=DIR writes a V8 CPU profile of each measuring process there (node --cpu-prof).
  const prof = process.env.BULK_CPU_PROF;
  const flags = ["--expose-gc", ...(prof ? ["--cpu-prof", "--cpu-prof-dir", prof] : [])];
  const child = startChild("../announce-cost.bench.ts", { count, peers, family }, flags);
  try {
    const m = (await child.next("done", 300_000)) as unknown as Measured;
    process.stderr.write(`run ${run}: ${JSON.stringify(m)}\n`);
    results.push(m);
  } finally {
    await child.stop();
  }
}
const md = (f: (m: Measured) => number) => median(results.map(f));
console.log(
  `\nannounce() call cost: ${count.toLocaleString("en")} ${family === "ipv4" ? "IPv4 /24s" : "IPv6 /48s"}, ${peers} peers configured (not connected), median of ${runs}\n`,
);
printTable(
  ["call", "CPU ns/call", "calls per CPU-second"],
  [
    [
      "announce (new prefix)",
      md((m) => m.announceNs).toFixed(0),
      Math.round(1e9 / md((m) => m.announceNs)).toLocaleString("en"),
    ],
    [
      "announce (same again)",
      md((m) => m.reannounceNs).toFixed(0),
      Math.round(1e9 / md((m) => m.reannounceNs)).toLocaleString("en"),
    ],
    [
      "withdraw",
      md((m) => m.withdrawNs).toFixed(0),
      Math.round(1e9 / md((m) => m.withdrawNs)).toLocaleString("en"),
    ],
  ],
);
console.log("");
printTable(
  ["heap growth per route", "RSS growth per route", "heap left after withdrawing all", "peak RSS"],
  [
    [
      `${md((m) => m.heapPerRoute).toFixed(0)} B`,
      `${md((m) => m.rssPerRoute).toFixed(0)} B`,
      `${(md((m) => m.heapAfterWithdraw) / 1024 / 1024).toFixed(1)} MB`,
      `${(md((m) => m.maxRss) / 1024 / 1024).toFixed(0)} MB`,
    ],
  ],
);
process.exit(0);
