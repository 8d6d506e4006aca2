/**
 * Bulk announce: N prefixes (default 1,000,000 IPv4 /24s; `--family ipv6` for 200,000 IPv6 /48s) sent
 * to one receiving BIRD on loopback by each sender in turn, each in its own process:
 *   bird     a second BIRD, routes from a static protocol
 *   gobgp    GoBGP, global RIB preloaded with `gobgp mrt inject global`
 *   exabgp   ExaBGP, routes as static config
 *   replay   the receiver's ceiling: the exact octets our speaker sends for the table, recorded once
 *            (ceiling.ts) and written from memory in one go by a sender that does nothing else
 *   speaker  our BgpSpeaker, routes given to announce() before the session starts
 *   replay-bird  (not in the default list) the same for the octets the sending BIRD of `bird` sends
 * Every sender holds its full table before the receiver's protocol is enabled. Time runs from the
 * receiver's Established (BIRD's own state-change timestamp, ms) until its import counter reaches N
 * (polled every 10 ms over BIRD's control socket). CPU is user + system seconds of the sender and of
 * the receiving BIRD over that time (/proc/PID/stat). Peak RSS is the sender's own (VmHWM for daemons,
 * resourceUsage().maxRSS for the node children). A fresh receiver for every run; the median of --runs.
 * "x ceiling" is each sender's median over replay's.
 *
 *   npx tsx bench/bulk/announce.bench.ts [--family ipv4|ipv6] [--count N] [--runs 3]
 *                                        [--prefixes counting|scattered]   (prefixes.ts)
 *                                        [--senders bird,gobgp,exabgp,replay,speaker]
 */
import { sleep } from "../../test/interop/harness/process.js";
import { importStats, protocolState } from "./bird-ctl.js";
import { ipv6NextHopOf, prepareReplay, type ReplayFiles } from "./ceiling.js";
import { startChild } from "./child.js";
import {
  bulkEndpoint,
  procCpuSeconds,
  procRss,
  RECEIVER,
  type Running,
  type SenderEndpoint,
  startBirdOriginator,
  startExabgp,
  startGobgp,
  startReceiver,
} from "./daemons.js";
import { type BulkFamily, usePrefixSet } from "./prefixes.js";
import { arg, fmtMb, median, printTable } from "./report.js";

const family = arg("family", "ipv4") as BulkFamily;
const prefixSet = usePrefixSet(arg("prefixes", "counting"), family);
const count = Number(arg("count", family === "ipv4" ? "1000000" : "200000"));
const runs = Number(arg("runs", "3"));
const senderNames = arg("senders", "bird,gobgp,exabgp,replay,speaker").split(",");

type SenderKind = "bird" | "gobgp" | "exabgp" | "replay" | "replay-bird" | "speaker";
const ENDPOINTS: Record<SenderKind, SenderEndpoint> = {
  bird: { name: "from_bird", ...bulkEndpoint(11, 1), asn: 65011 },
  gobgp: { name: "from_gobgp", ...bulkEndpoint(12, 2), asn: 65012 },
  exabgp: { name: "from_exabgp", ...bulkEndpoint(13, 3), asn: 65013 },
  speaker: { name: "from_speaker", ...bulkEndpoint(14, 4), asn: 65014 },
  replay: { name: "from_replay", ...bulkEndpoint(15, 5), asn: 65015 },
  "replay-bird": { name: "from_replay_bird", ...bulkEndpoint(16, 6), asn: 65016 },
};

interface Sender {
  /**
   * Called on every poll. BIRD 2.0.12 as a sender leaves its last UPDATE queued until its event loop
   * wakes (poll timeout: 3 s); a CLI request wakes it, so the ceiling shows BIRD's real speed.
   */
  poke?(): Promise<unknown>;
  /** The sender's process, for its CPU time. */
  readonly pid: number;
  /** Throws when the sender has reported that its session failed. */
  check?(): void;
  /** Peak RSS in bytes, read before it stops. */
  peakRss(): Promise<number>;
  stop(): Promise<void>;
}

async function startSender(kind: SenderKind): Promise<Sender> {
  const e = ENDPOINTS[kind];
  const local = { address: e.address, port: e.port, asn: e.asn };
  const daemon = (r: Running): Sender => ({
    pid: r.pid,
    peakRss: async () => procRss(r.pid).peak,
    stop: () => r.stop(),
  });
  switch (kind) {
    case "bird": {
      const bird = await startBirdOriginator({
        family,
        count,
        local,
        neighbor: RECEIVER,
        passive: true,
        ipv6NextHop: ipv6NextHopOf(e),
      });
      return { ...daemon(bird), poke: () => bird.ctl.command("show status") };
    }
    case "gobgp":
      return daemon(await startGobgp({ family, count, local }));
    case "exabgp":
      return daemon(
        await startExabgp({
          family,
          count,
          local,
          nextHop: family === "ipv4" ? e.address : ipv6NextHopOf(e),
        }),
      );
    case "speaker": {
      // BULK_CPU_PROF=DIR writes a V8 CPU profile of the speaker process there (node --cpu-prof).
      const prof = process.env.BULK_CPU_PROF;
      const flags = prof ? ["--cpu-prof", "--cpu-prof-dir", prof] : [];
      const child = startChild("./speaker-sender.ts", { family, count, ...local, receiver: RECEIVER }, flags);
      await child.next("ready", 300_000);
      let rss = 0;
      if (prof) {
        void child
          .next("established", 600_000)
          .then((m) =>
            process.stderr.write(`speaker established at ${Number(m.perfMs).toFixed(0)} ms of its profile\n`),
          );
      }
      return {
        pid: child.pid,
        async peakRss() {
          child.send({ type: "stop" });
          rss = Number((await child.next("done", 30_000)).maxRss);
          return rss;
        },
        stop: () => child.stop(),
      };
    }
    case "replay":
    case "replay-bird": {
      const files = replayFiles.get(kind);
      if (files === undefined) throw new Error(`${kind}: no recording`);
      const child = startChild("./replay-sender.ts", { ...local, receiver: RECEIVER, ...files });
      await child.next("ready", 60_000);
      let failure: string | undefined;
      child.next("down", 900_000).then(
        (m) => {
          failure = String(m.reason);
        },
        () => {}, // exited or timed out: nothing was reported
      );
      return {
        pid: child.pid,
        check() {
          if (failure !== undefined) throw new Error(failure);
        },
        async peakRss() {
          child.send({ type: "stop" });
          return Number((await child.next("done", 30_000)).maxRss);
        },
        stop: () => child.stop(),
      };
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown sender ${never}`);
    }
  }
}

interface Trial {
  seconds: number;
  peakRss: number;
  /** CPU seconds (user + system) of the sender and of the receiving BIRD, Established to done. */
  senderCpu: number;
  receiverCpu: number;
}

async function trial(kind: SenderKind): Promise<Trial> {
  const e = ENDPOINTS[kind];
  const receiver = await startReceiver([e]);
  let sender: Sender | undefined;
  try {
    sender = await startSender(kind);
    await receiver.ctl.command(`enable ${e.name}`);
    // ExaBGP may still be parsing its config when enabled: allow for that before Established.
    const establishDeadline = Date.now() + (kind === "exabgp" ? 600_000 : 60_000);
    let establishedAt: number | undefined;
    // CPU counters read at the first poll that sees Established (up to 10 ms late).
    let cpu0 = { sender: 0, receiver: 0 };
    for (;;) {
      const s = await protocolState(receiver.ctl, e.name);
      if (establishedAt === undefined && s.state === "Established") {
        establishedAt = s.sinceMs;
        cpu0 = { sender: procCpuSeconds(sender.pid), receiver: procCpuSeconds(receiver.pid) };
      }
      sender.check?.();
      if (establishedAt !== undefined && s.imported >= count) {
        const seconds = (Date.now() - establishedAt) / 1000;
        const senderCpu = procCpuSeconds(sender.pid) - cpu0.sender;
        const receiverCpu = procCpuSeconds(receiver.pid) - cpu0.receiver;
        if (kind === "replay" || kind === "replay-bird") {
          // The ceiling counts only if BIRD took every replayed NLRI, exactly once, and nothing else.
          const stats = await importStats(receiver.ctl, e.name);
          if (
            stats.imported !== count ||
            stats.received !== count ||
            stats.rejected + stats.filtered + stats.ignored
          )
            throw new Error(
              `${kind}: BIRD holds ${JSON.stringify(stats)}, expected ${count} received and imported`,
            );
        }
        const peakRss = await sender.peakRss();
        return { seconds, peakRss, senderCpu, receiverCpu };
      }
      if (establishedAt === undefined && Date.now() > establishDeadline)
        throw new Error(`${kind}: no session`);
      if (establishedAt !== undefined && Date.now() - establishedAt > 300_000) {
        throw new Error(`${kind}: only ${s.imported} of ${count} routes after 300 s`);
      }
      await sender.poke?.();
      if (process.env.BULK_DEBUG)
        process.stderr.write(`${Date.now() - (establishedAt ?? 0)} ${s.state} ${s.imported}\n`);
      await sleep(10);
    }
  } finally {
    await sender?.stop();
    await receiver.stop();
  }
}

for (const name of senderNames) if (!(name in ENDPOINTS)) throw new Error(`unknown sender ${name}`);
// The replays need their recordings before the first run: made once, used by every run.
const replayFiles = new Map<SenderKind, ReplayFiles>();
if (senderNames.includes("replay"))
  replayFiles.set("replay", await prepareReplay(ENDPOINTS.replay, family, count, "speaker"));
if (senderNames.includes("replay-bird"))
  replayFiles.set("replay-bird", await prepareReplay(ENDPOINTS["replay-bird"], family, count, "bird"));

const results = new Map<string, Trial[]>();
for (let run = 1; run <= runs; run++) {
  for (const name of senderNames) {
    const kind = name as SenderKind;
    try {
      const t = await trial(kind);
      process.stderr.write(
        `run ${run} ${kind}: ${t.seconds.toFixed(2)} s, CPU ${t.senderCpu.toFixed(2)} s (receiver ${t.receiverCpu.toFixed(2)} s), peak RSS ${fmtMb(t.peakRss)}\n`,
      );
      results.set(kind, [...(results.get(kind) ?? []), t]);
    } catch (err) {
      process.stderr.write(`run ${run} ${kind}: FAILED ${(err as Error).message}\n`);
    }
  }
}

const bird = median((results.get("bird") ?? []).map((t) => t.seconds));
const ceiling = median((results.get("replay") ?? []).map((t) => t.seconds));
console.log(
  `\nBulk announce: ${count.toLocaleString("en")} ${family} prefixes (${prefixSet} set) to BIRD on loopback, median of ${runs}\n`,
);
printTable(
  [
    "sender",
    "runs",
    "Established -> all in BIRD (s)",
    "routes/s",
    "x BIRD-to-BIRD",
    "x ceiling",
    "sender CPU (s)",
    "receiver CPU (s)",
    "sender peak RSS",
  ],
  senderNames.map((name) => {
    const ts = results.get(name) ?? [];
    const s = median(ts.map((t) => t.seconds));
    return [
      name,
      `${ts.length}`,
      ts.length ? `${s.toFixed(2)} (${ts.map((t) => t.seconds.toFixed(2)).join(", ")})` : "failed",
      ts.length ? Math.round(count / s).toLocaleString("en") : "-",
      ts.length && bird ? (s / bird).toFixed(2) : "-",
      ts.length && ceiling ? (s / ceiling).toFixed(2) : "-",
      ts.length ? median(ts.map((t) => t.senderCpu)).toFixed(2) : "-",
      ts.length ? median(ts.map((t) => t.receiverCpu)).toFixed(2) : "-",
      ts.length ? fmtMb(median(ts.map((t) => t.peakRss))) : "-",
    ];
  }),
);
// For receive.bench.ts: the medians as one machine-readable line.
const summary = Object.fromEntries(
  senderNames.map((name) => {
    const ts = results.get(name) ?? [];
    return [
      name,
      {
        runs: ts.length,
        seconds: median(ts.map((t) => t.seconds)),
        all: ts.map((t) => t.seconds),
        senderCpu: median(ts.map((t) => t.senderCpu)),
        receiverCpu: median(ts.map((t) => t.receiverCpu)),
      },
    ];
  }),
);
console.log(`BULK_SUMMARY ${JSON.stringify(summary)}`);
process.exit(0);
