/**
 * Bulk receive: a BIRD originates N routes (default 1,000,000 IPv4 /24s from a static protocol;
 * `--family ipv6` for 200,000 IPv6 /48s) to our speaker in its own process on loopback. Time from the
 * speaker's "established" until its Adj-RIB-In holds all N, and the memory per route held (RSS and
 * heap after a full GC, minus before the session, over N). Median of --runs, a fresh BIRD each run.
 *
 * Then, in the same run, the same table from BIRD into a second BIRD (announce.bench.ts --senders
 * bird, as a child process): what BIRD itself needs to receive it, the row the speaker is judged by.
 *
 *   npx tsx bench/bulk/receive.bench.ts [--family ipv4|ipv6] [--count N] [--runs 3] [--no-bird]
 *                                       [--prefixes counting|scattered]   (prefixes.ts)
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startChild } from "./child.js";
import { bulkEndpoint, startBirdOriginator } from "./daemons.js";
import { type BulkFamily, usePrefixSet } from "./prefixes.js";
import { arg, fmtMb, median, printTable } from "./report.js";

const family = arg("family", "ipv4") as BulkFamily;
const prefixSet = usePrefixSet(arg("prefixes", "counting"), family);
const count = Number(arg("count", family === "ipv4" ? "1000000" : "200000"));
const runs = Number(arg("runs", "3"));

const BIRD = { ...bulkEndpoint(20, 10), asn: 65020 };
const SPEAKER = { ...bulkEndpoint(21, 11), asn: 65021 };

interface Trial {
  seconds: number;
  /** CPU seconds (user + system, all threads) of the speaker process, Established to done. */
  cpuSeconds: number;
  rssPerRoute: number;
  heapPerRoute: number;
  maxRss: number;
}

async function trial(): Promise<Trial> {
  const bird = await startBirdOriginator({
    family,
    count,
    local: BIRD,
    neighbor: SPEAKER,
    passive: true,
    ipv6NextHop: "2001:db8:113::20",
  });
  // BULK_CPU_PROF=DIR writes a V8 CPU profile of the speaker process there (node --cpu-prof);
  // BULK_NODE_FLAGS adds node flags to it (say "--trace-gc"; NODE_OPTIONS refuses some).
  const prof = process.env.BULK_CPU_PROF;
  const extra = process.env.BULK_NODE_FLAGS?.split(" ").filter((f) => f !== "") ?? [];
  const flags = ["--expose-gc", ...(prof ? ["--cpu-prof", "--cpu-prof-dir", prof] : []), ...extra];
  const child = startChild("./speaker-receiver.ts", { family, count, ...SPEAKER, bird: BIRD }, flags);
  try {
    // BIRD 2.0.12 leaves its last UPDATE queued until its event loop wakes (3 s poll timeout); a CLI
    // request every 10 ms wakes it, as in announce.bench.ts.
    let finished = false;
    const poke = (async () => {
      while (!finished) {
        await bird.ctl.command("show status");
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const done = await child.next("done", 300_000).finally(() => {
      finished = true;
    });
    await poke;
    child.send({ type: "stop" });
    return {
      seconds: Number(done.seconds),
      cpuSeconds: Number(done.cpuSeconds),
      rssPerRoute: Number(done.rssPerRoute),
      heapPerRoute: Number(done.heapPerRoute),
      maxRss: Number(done.maxRss),
    };
  } finally {
    await child.stop();
    await bird.stop();
  }
}

const trials: Trial[] = [];
for (let run = 1; run <= runs; run++) {
  try {
    const t = await trial();
    process.stderr.write(
      `run ${run}: ${t.seconds.toFixed(2)} s, CPU ${t.cpuSeconds.toFixed(2)} s, ${t.rssPerRoute.toFixed(0)} B/route RSS, ${t.heapPerRoute.toFixed(0)} B/route heap, peak RSS ${fmtMb(t.maxRss)}\n`,
    );
    trials.push(t);
  } catch (err) {
    process.stderr.write(`run ${run}: FAILED ${(err as Error).message}\n`);
  }
}

interface BirdRow {
  runs: number;
  seconds: number;
  all: number[];
  receiverCpu: number;
}
let birdRow: BirdRow | null = null;
if (!process.argv.includes("--no-bird")) {
  const out = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(new URL("./announce.bench.ts", import.meta.url)),
      "--senders",
      "bird",
      "--family",
      family,
      "--count",
      String(count),
      "--runs",
      String(runs),
      "--prefixes",
      prefixSet,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 900_000 },
  );
  const line = out.stdout.split("\n").find((l) => l.startsWith("BULK_SUMMARY "));
  if (line === undefined) process.stderr.write("BIRD-to-BIRD row: no result from announce.bench.ts\n");
  else birdRow = (JSON.parse(line.slice("BULK_SUMMARY ".length)) as { bird: BirdRow }).bird;
}

const m = (f: (t: Trial) => number) => median(trials.map(f));
console.log(
  `\nBulk receive: ${count.toLocaleString("en")} ${family} routes (${prefixSet} set) from BIRD into the speaker, median of ${runs}\n`,
);
printTable(
  [
    "runs",
    "Established -> all in Adj-RIB-In (s)",
    "routes/s",
    "speaker CPU (s)",
    "RSS per route",
    "heap per route",
    "peak RSS",
  ],
  [
    [
      `${trials.length}`,
      `${m((t) => t.seconds).toFixed(2)} (${trials.map((t) => t.seconds.toFixed(2)).join(", ")})`,
      Math.round(count / m((t) => t.seconds)).toLocaleString("en"),
      m((t) => t.cpuSeconds).toFixed(2),
      `${m((t) => t.rssPerRoute).toFixed(0)} B`,
      `${m((t) => t.heapPerRoute).toFixed(0)} B`,
      fmtMb(m((t) => t.maxRss)),
    ],
  ],
);
if (birdRow !== null && birdRow.runs > 0) {
  console.log(`\nThe same table received by BIRD from BIRD (same run), against the speaker\n`);
  printTable(
    ["receiver", "runs", "Established -> all received (s)", "x BIRD receiving", "receiver CPU (s)"],
    [
      [
        "BIRD",
        `${birdRow.runs}`,
        `${birdRow.seconds.toFixed(2)} (${birdRow.all.map((x) => x.toFixed(2)).join(", ")})`,
        "1.00",
        birdRow.receiverCpu.toFixed(2),
      ],
      [
        "speaker",
        `${trials.length}`,
        `${m((t) => t.seconds).toFixed(2)}`,
        (m((t) => t.seconds) / birdRow.seconds).toFixed(2),
        m((t) => t.cpuSeconds).toFixed(2),
      ],
    ],
  );
}
process.exit(0);
