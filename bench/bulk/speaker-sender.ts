/**
 * Child process of announce.bench.ts: one BgpSpeaker, passive, listening on its own 127.x address,
 * with `count` routes announced before the receiver connects. Reports when it is ready, how long the
 * announce() calls took, and at the end its peak RSS (process.resourceUsage().maxRSS).
 */
import { BgpSpeaker } from "../../src/index.js";
import { reply, untilStopped } from "./child.js";
import { type BulkFamily, prefixOf } from "./prefixes.js";

interface Args {
  family: BulkFamily;
  count: number;
  address: string;
  port: number;
  asn: number;
  receiver: { address: string; port: number; asn: number };
}

const args = JSON.parse(process.argv[2]) as Args;
const speaker = new BgpSpeaker({
  asn: args.asn,
  routerId: args.address,
  listen: { host: args.address, port: args.port },
  holdTime: 240,
});
speaker.addPeer({
  address: args.receiver.address,
  asn: args.receiver.asn,
  port: args.receiver.port,
  localAddress: args.address,
  passive: true,
  families: [args.family === "ipv4" ? "ipv4-unicast" : "ipv6-unicast"],
});
// perfMs: ms since this process started, to cut a --cpu-prof profile at the session start.
speaker.on("established", () => reply({ type: "established", at: Date.now(), perfMs: performance.now() }));
speaker.on("down", (e) => reply({ type: "down", reason: JSON.stringify(e.reason) }));
const nextHop = args.family === "ipv4" ? args.address : `2001:db8:113::${args.address.split(".")[3]}`;
const t0 = performance.now();
for (let i = 0; i < args.count; i++) speaker.announce(prefixOf(args.family, i), { nextHop });
const announceMs = performance.now() - t0;
await speaker.start();
reply({ type: "ready", announceMs, rss: process.memoryUsage().rss });
await untilStopped();
const status = speaker.peerStatus()[0];
await speaker.close();
reply({ type: "done", maxRss: process.resourceUsage().maxRSS * 1024, prefixesOut: status?.prefixesOut ?? 0 });
process.exit(0);
