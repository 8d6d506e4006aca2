/**
 * Robustness under hostile peers (issue 9): event-loop delay (perf_hooks.monitorEventLoopDelay,
 * p99 and max) and peak RSS of a speaker holding 100,000 routes while one configured peer:
 *
 * - refresh-flood:   reads normally and sends 2,000 ROUTE-REFRESH messages in one write, every
 *                    second for 10 s (20,000 requests);
 * - non-reading:     stops reading, keeps sending KEEPALIVEs and the same ROUTE-REFRESH flood, until
 *                    the session ends (Send Hold Time 10 s here; the default is 8 minutes);
 * - update-flood:    sends us 500,000 routes (500 per UPDATE) in one burst of writes;
 * - session-down:    sent us 100,000 routes (a "route" listener is attached), then closes its TCP
 *                    connection: the withdraw events of the whole Adj-RIB-In are delivered.
 *
 * Each scenario runs in a fresh process (its RSS is its own; the hostile peer is a raw socket in the
 * same process, a few KB). Loopback 127.0.64.0/24.
 *
 *   npx tsx bench/robustness.bench.ts [--routes 100000] [--scenario NAME]
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startChild } from "./bulk/child.js";
import { arg, printTable } from "./bulk/report.js";

interface Result {
  scenario: string;
  p99Ms: number;
  maxMs: number;
  peakRssMb: number;
  outcome: string;
}

async function run(scenario: string, routes: number): Promise<Result> {
  const { BgpSpeaker } = await import("../src/index.js");
  const { encodeMessage } = await import("../src/wire/message.js");
  const { decodeMessage } = await import("../src/wire/message.js");
  const { MessageFramer } = await import("../src/wire/framer.js");
  const { openFrom, waitFor, sleep } = await import("../test/session/helpers.js");
  const { connect } = await import("node:net");
  const host = "127.0.64.1";
  const address = "127.0.64.2";
  const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.1", listen: { host, port: 0 } });
  speaker.addPeer({
    address,
    asn: 65002,
    passive: true,
    families: ["ipv4-unicast"],
    ...(scenario === "non-reading" ? { sendHoldTime: 10 } : {}),
  });
  const prefix = (i: number) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`;
  const receives = scenario === "session-down" || scenario === "update-flood";
  if (!receives) for (let i = 0; i < routes; i++) speaker.announce(prefix(i));
  let withdrawn = 0;
  if (scenario === "session-down") {
    speaker.on("route", (e) => {
      if (e.type === "withdraw") withdrawn++;
    });
  }
  await speaker.start();
  // The hostile peer: a raw socket that counts the prefixes it is sent and keeps nothing.
  const socket = connect({ host, port: speaker.listenPort!, localAddress: address });
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  const framer = new MessageFramer({ maxMessageLength: 65535 });
  let received = 0;
  socket.on("data", (chunk: Buffer) => {
    for (const frame of framer.push(chunk)) {
      const m = decodeMessage(frame, { extendedMessage: true });
      if (m.type === "update") received += m.nlri.length;
    }
  });
  const raw = {
    socket,
    // Both sides offered 4-octet AS numbers.
    send: (m: Parameters<typeof encodeMessage>[0]) => socket.write(encodeMessage(m, { fourOctetAs: true })),
    write: (bytes: Uint8Array) => socket.write(bytes),
    destroy: () => socket.destroy(),
  };
  raw.send(
    openFrom(65002, {
      holdTime: 90,
      capabilities: [
        { name: "multiprotocol", afi: 1, safi: 1 },
        { name: "route-refresh" },
        { name: "four-octet-as", asn: 65002 },
      ],
    }),
  );
  raw.send({ type: "keepalive" });
  await waitFor(() => speaker.peerStatus()[0].state === "Established", 10_000, "Established");
  const nlriCount = () => received;
  const updates = (from: number, to: number): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let i = from; i < to; i += 500) {
      const nlri = [];
      for (let j = i; j < Math.min(to, i + 500); j++) nlri.push({ prefix: prefix(j) });
      out.push(
        encodeMessage(
          {
            type: "update",
            withdrawnRoutes: [],
            nlri,
            attributes: { origin: "igp", asPath: [{ type: "sequence", asns: [65002] }], nextHop: address },
          },
          { fourOctetAs: true },
        ),
      );
    }
    return out;
  };
  const flood5 = scenario === "update-flood" ? Buffer.concat(updates(0, 5 * routes)) : null;
  if (scenario === "update-flood") {
    // nothing before: the flood is the measurement
  } else if (scenario !== "session-down") {
    await waitFor(() => nlriCount() >= routes, 60_000, "the initial table");
  } else {
    for (let i = 0; i < routes; i += 500) {
      const nlri = [];
      for (let j = i; j < Math.min(routes, i + 500); j++) nlri.push({ prefix: prefix(j) });
      raw.send({
        type: "update",
        withdrawnRoutes: [],
        nlri,
        attributes: { origin: "igp", asPath: [{ type: "sequence", asns: [65002] }], nextHop: address },
      });
    }
    await waitFor(() => speaker.peerStatus()[0].prefixesIn === routes, 60_000, "the peer's routes");
  }

  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const one = encodeMessage({ type: "route-refresh", afi: 1, safi: 1, subtype: 0 });
  const flood = new Uint8Array(one.length * 2000);
  for (let i = 0; i < 2000; i++) flood.set(one, i * one.length);
  let outcome = "";
  const started = Date.now();
  if (scenario === "refresh-flood") {
    const before = nlriCount();
    for (let s = 0; s < 10; s++) {
      raw.write(flood);
      await sleep(1000);
    }
    await sleep(1000);
    const status = speaker.peerStatus()[0];
    outcome = `${status.state}; ${(nlriCount() - before).toLocaleString("en-US")} routes re-sent for 20,000 requests (${status.refreshesFolded.toLocaleString("en-US")} folded)`;
  } else if (scenario === "update-flood") {
    raw.write(flood5!);
    await waitFor(() => speaker.peerStatus()[0].prefixesIn === 5 * routes, 120_000, "the flood");
    outcome = `${(5 * routes).toLocaleString("en-US")} routes (${(flood5!.length / 2 ** 20).toFixed(1)} MB) taken in ${Date.now() - started} ms`;
  } else if (scenario === "non-reading") {
    raw.socket.pause();
    const downs: string[] = [];
    speaker.on("down", (e) => downs.push(e.reason.message));
    const timer = setInterval(() => {
      raw.send({ type: "keepalive" });
      raw.write(flood);
    }, 1000);
    await waitFor(() => downs.length > 0, 120_000, "the session to end");
    clearInterval(timer);
    outcome = `down after ${((Date.now() - started) / 1000).toFixed(1)} s: ${downs[0]}`;
  } else {
    raw.destroy();
    await waitFor(() => withdrawn >= routes, 60_000, "every withdraw event");
    outcome = `${withdrawn.toLocaleString("en-US")} withdraw events in ${Date.now() - started} ms`;
    await sleep(500);
  }
  histogram.disable();
  clearInterval(sampler);
  raw.destroy();
  await speaker.close();
  return {
    scenario,
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    peakRssMb: peakRss / 2 ** 20,
    outcome,
  };
}

if (process.argv[2]?.startsWith("{")) {
  const { scenario, routes } = JSON.parse(process.argv[2]) as { scenario: string; routes: number };
  const result = await run(scenario, routes);
  process.stdout.write(`${JSON.stringify({ type: "done", ...result })}\n`);
  process.exit(0);
}

const routes = Number(arg("routes", "100000"));
const only = arg("scenario", "");
const scenarios = ["refresh-flood", "non-reading", "update-flood", "session-down"].filter(
  (s) => only === "" || s === only,
);
const results: Result[] = [];
for (const scenario of scenarios) {
  const child = startChild("../robustness.bench.ts", { scenario, routes });
  const done = await child.next("done", 180_000);
  await child.stop();
  results.push(done as unknown as Result);
}
console.log(`\nRobustness: a speaker holding ${routes.toLocaleString("en-US")} routes, one hostile peer\n`);
printTable(
  ["scenario", "loop delay p99", "loop delay max", "peak RSS", "outcome"],
  results.map((r) => [
    r.scenario,
    `${r.p99Ms.toFixed(1)} ms`,
    `${r.maxMs.toFixed(1)} ms`,
    `${r.peakRssMb.toFixed(0)} MB`,
    r.outcome,
  ]),
);
