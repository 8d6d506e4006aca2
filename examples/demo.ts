/**
 * `npm run demo`: the whole job end to end with nothing but Node.
 *
 *   a web service (127.0.0.3) whose health flips every few seconds
 *        |  checked over HTTP every 0.25 s, rise 2 / fall 2
 *   the announcer: a BgpSpeaker (AS 65001, 127.0.0.2) gated by a HealthMonitor
 *        |  a real BGP session over loopback
 *   the "router": a second BgpSpeaker (AS 65000, 127.0.0.1) that prints what it learns
 *
 * It ends by itself after DEMO_SECONDS (default 24) or on Ctrl-C, withdrawing and closing cleanly.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AnnounceAttributes,
  BgpSpeaker,
  checkHttp,
  HealthGatedAnnouncer,
  HealthMonitor,
} from "../src/index.js";

const RUN_SECONDS = Number(process.env.DEMO_SECONDS ?? 24);
const FLIP_SECONDS = 5;
const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(2).padStart(6)}s`;
const say = (who: string, text: string) => console.log(`${stamp()}  ${who.padEnd(9)} ${text}`);

// 1. The service: healthy, then unhealthy, then healthy again, every FLIP_SECONDS.
let healthy = true;
let flippedAt = Date.now();
const service = http.createServer((_req, res) => {
  res.writeHead(healthy ? 200 : 503, { "X-Server-Location": "demo-site-1" }).end(healthy ? "ok\n" : "sick\n");
});
await new Promise<void>((resolve) => service.listen(0, "127.0.0.3", resolve));
const servicePort = (service.address() as AddressInfo).port;
say("service", `listening on http://127.0.0.3:${servicePort}/ (healthy)`);
const flipper = setInterval(() => {
  healthy = !healthy;
  flippedAt = Date.now();
  say("service", healthy ? "is healthy again (HTTP 200)" : "turns unhealthy (HTTP 503)");
}, FLIP_SECONDS * 1000);

// 2. The router: a speaker that listens and prints every route it learns or loses.
const router = new BgpSpeaker({
  asn: 65000,
  routerId: "198.51.100.1",
  listen: { host: "127.0.0.1", port: 0 },
  holdTime: 9,
});
router.addPeer({ address: "127.0.0.2", asn: 65001, passive: true, name: "announcer" });
router.on("established", (e) =>
  say("router", `session with ${e.peer} Established (${e.negotiated.families.join(", ")})`),
);
router.on("route", (e) => {
  const since = `${Date.now() - flippedAt} ms after the last health flip`;
  if (e.type === "announce") {
    const med = e.attributes?.med === undefined ? "" : ` MED ${e.attributes.med}`;
    say("router", `+ ${e.prefix} via ${e.nextHop}${med}  (${since})`);
  } else {
    say("router", `- ${e.prefix} withdrawn  (${since})`);
  }
});
await router.start();

// 3. The announcer: a speaker, a health monitor and the gate between them.
const announcer = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", holdTime: 9, connectRetry: 1 });
announcer.addPeer({
  address: "127.0.0.1",
  asn: 65000,
  port: router.listenPort!,
  localAddress: "127.0.0.2",
  name: "router",
});
const monitor = new HealthMonitor({
  name: "web",
  checks: {
    http: (signal) => checkHttp({ url: `http://127.0.0.3:${servicePort}/`, timeoutSec: 0.5, signal }),
  },
  intervalSec: 0.25,
  fastIntervalSec: 0.1,
  rise: 2,
  fall: 2,
});
const gated = new HealthGatedAnnouncer<AnnounceAttributes>(announcer, [
  {
    source: monitor,
    prefixes: [
      { prefix: "203.0.113.1/32", up: { med: 100, communities: ["65001:100"] } },
      { prefix: "2001:db8:ac::1/128", up: { med: 100, nextHop: "2001:db8:100::2" } },
    ],
  },
]);
monitor.on("event", (e) => say("health", `${e.type}: ${e.reason}`));
gated.on("action", (a) => say("announcer", `${a.action} ${a.prefix}`));
await announcer.start();
monitor.start();

// 4. Stop after RUN_SECONDS or on Ctrl-C: withdraw, Cease, close, exit 0.
let stopping = false;
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say("demo", `stopping (${why})`);
  clearInterval(flipper);
  await monitor.stop();
  gated.withdrawAll(why);
  await new Promise((r) => setTimeout(r, 200)); // let the withdrawals reach the router
  await announcer.close({ shutdownMessage: "demo finished" });
  await router.close();
  await new Promise<void>((resolve) => service.close(() => resolve()));
  const status = router.peerStatus()[0];
  say(
    "demo",
    `router saw ${status.updatesIn} UPDATEs, last session end: ${status.lastError?.message ?? "none"}`,
  );
  process.exit(0);
}
process.once("SIGINT", () => void stop("Ctrl-C"));
process.once("SIGTERM", () => void stop("SIGTERM"));
setTimeout(() => void stop(`${RUN_SECONDS} s elapsed`), RUN_SECONDS * 1000);
