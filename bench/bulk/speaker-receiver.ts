/**
 * Child process of receive.bench.ts (run with --expose-gc): one BgpSpeaker connects to a BIRD that
 * originates `count` routes, and measures the time from its own "established" event until its
 * Adj-RIB-In holds them all (peerStatus().prefixesIn, O(1)), and the memory they take: RSS and heap
 * after a full GC, minus the same before the session started, divided by the routes held.
 */
import { BgpSpeaker } from "../../src/index.js";
import { reply, untilStopped } from "./child.js";
import type { BulkFamily } from "./prefixes.js";

interface Args {
  family: BulkFamily;
  count: number;
  address: string;
  asn: number;
  bird: { address: string; port: number; asn: number };
}

const args = JSON.parse(process.argv[2]) as Args;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

const settle = async (): Promise<NodeJS.MemoryUsage> => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage();
};

const speaker = new BgpSpeaker({ asn: args.asn, routerId: args.address, holdTime: 240, connectRetry: 1 });
speaker.addPeer({
  address: args.bird.address,
  asn: args.bird.asn,
  port: args.bird.port,
  localAddress: args.address,
  families: [args.family === "ipv4" ? "ipv4-unicast" : "ipv6-unicast"],
});
let establishedAt: number | undefined;
let cpuAtEstablished: NodeJS.CpuUsage | undefined;
speaker.on("established", () => {
  establishedAt ??= performance.now();
  cpuAtEstablished ??= process.cpuUsage();
});
speaker.on("down", (e) => reply({ type: "down", reason: JSON.stringify(e.reason) }));

const before = await settle();
await speaker.start();
const done = await new Promise<number>((resolve) => {
  const timer = setInterval(() => {
    if (establishedAt === undefined) return;
    if ((speaker.peerStatus()[0]?.prefixesIn ?? 0) >= args.count) {
      clearInterval(timer);
      resolve(performance.now());
    }
  }, 5);
});
const seconds = (done - (establishedAt ?? done)) / 1000;
const cpu = process.cpuUsage(cpuAtEstablished);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const held = speaker.peerStatus()[0]?.prefixesIn ?? 0;
const after = await settle();
reply({
  type: "done",
  seconds,
  cpuSeconds,
  held,
  rssPerRoute: (after.rss - before.rss) / held,
  heapPerRoute: (after.heapUsed - before.heapUsed) / held,
  rssBefore: before.rss,
  rssAfter: after.rss,
  maxRss: process.resourceUsage().maxRSS * 1024,
});
await untilStopped();
await speaker.close();
process.exit(0);
