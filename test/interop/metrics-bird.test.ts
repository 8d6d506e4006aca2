/**
 * `/metrics` and `/status` against what BIRD 2 shows, during a real run: the announcer command
 * (examples/announcer.ts, a child process) with `--status-listen`, an HTTP service it checks, and
 * BIRD on loopback. The exposition is read with a parser (test/support/prometheus.ts), BIRD with
 * `birdc show protocols all` (session state and routes imported per channel).
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import type { PromMetrics } from "prom2javascript";
import { afterAll, beforeAll, expect, it } from "vitest";
import { histogram, parseExposition, sample } from "../support/prometheus.js";
import { describeWithDaemon } from "./harness/availability.js";
import { BirdDaemon } from "./harness/bird.js";
import { waitFor } from "./harness/process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NET = 50; // this file's own 127.0.50.0/24 and ports 20500+
const OURS = `127.0.${NET}.1`;
const BIRD = `127.0.${NET}.2`;
const SERVICE = `127.0.${NET}.3`;
const BIRD_PORT = 20_000 + NET * 10;
const SERVICE_PORT = BIRD_PORT + 2;
const STATUS_PORT = BIRD_PORT + 3;
const STATUS = `http://${OURS}:${STATUS_PORT}`;
const V4 = ["203.0.113.1/32", "203.0.113.2/32"];
const V6 = ["2001:db8:ac::1/128"];
const PEER = BIRD; // peers are named by their address unless named
const SERVICE_NAME = "default"; // the service the flags describe

function startService(): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer((_, response) => response.end("ok\n"));
    server.once("error", reject);
    server.listen(SERVICE_PORT, SERVICE, () => resolve(server));
  });
}

function stopService(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

interface BirdView {
  readonly state: string;
  /** "Routes: N imported" per channel. */
  readonly imported: { readonly ipv4: number; readonly ipv6: number };
}

describeWithDaemon("bird", "/metrics and /status against BIRD", () => {
  let bird: BirdDaemon;
  let announcer: ChildProcess | undefined;
  let service: http.Server | undefined;
  let output = "";

  const birdView = async (): Promise<BirdView> => {
    const out = await bird.birdc("show", "protocols", "all", "speaker");
    const state = /BGP state:\s+(\S+)/.exec(out)?.[1] ?? "unknown";
    const imported = { ipv4: Number.NaN, ipv6: Number.NaN };
    let channel: "ipv4" | "ipv6" | undefined;
    for (const line of out.split("\n")) {
      const c = /^\s+Channel (ipv4|ipv6)\s*$/.exec(line);
      if (c) channel = c[1] as "ipv4" | "ipv6";
      const r = /^\s+Routes:\s+(\d+) imported/.exec(line);
      if (r && channel !== undefined) imported[channel] = Number(r[1]);
    }
    return { state, imported };
  };

  const scrape = async (): Promise<PromMetrics> => {
    const response = await fetch(`${STATUS}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };

  const announced = (m: PromMetrics) => ({
    ipv4: sample(m, "bgp_peer_routes_announced", { peer: PEER, family: "ipv4-unicast" }),
    ipv6: sample(m, "bgp_peer_routes_announced", { peer: PEER, family: "ipv6-unicast" }),
  });

  /** Waits until the metrics and BIRD agree on the route counts, which must be `want`. */
  const settle = async (want: { ipv4: number; ipv6: number }) =>
    waitFor(`metrics and BIRD to show ${JSON.stringify(want)}`, async () => {
      const [m, view] = [await scrape(), await birdView()];
      const ours = announced(m);
      const same = (a: { ipv4: number; ipv6: number }) => a.ipv4 === want.ipv4 && a.ipv6 === want.ipv6;
      return same(ours) && same(view.imported) ? { m, view } : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}\nannouncer output:\n${output}`);
    });

  beforeAll(async () => {
    bird = new BirdDaemon({
      asn: 65000,
      routerId: BIRD,
      address: BIRD,
      port: BIRD_PORT,
      neighbor: { address: OURS, asn: 65001, port: BIRD_PORT + 1, passive: true },
      holdTimeSec: 9,
    });
    await bird.start();
    service = await startService();
    announcer = spawn(
      process.execPath,
      [
        ...["--import", "tsx", "examples/announcer.ts"],
        ...[
          "--local-as",
          "65001",
          "--local-address",
          OURS,
          "--peer",
          `${BIRD}:${BIRD_PORT}`,
          "--peer-as",
          "65000",
        ],
        ...["--hold-time", "9", "--connect-retry", "1"],
        ...[...V4, ...V6].flatMap((prefix) => ["--ip", prefix]),
        ...["--next-hop", "203.0.113.254", "--next-hop", "2001:db8:113::fe"],
        ...["--http", `http://${SERVICE}:${SERVICE_PORT}/`, "--timeout", "1"],
        ...["--interval", "0.1", "--rise", "2", "--fall", "2", "--withdraw-on-down", "--json"],
        ...["--status-listen", `${OURS}:${STATUS_PORT}`],
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    announcer.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    announcer.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
  });

  afterAll(async () => {
    if (announcer?.pid !== undefined && announcer.exitCode === null) {
      const exited = new Promise((resolve) => announcer?.once("exit", resolve));
      announcer.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 7000))]);
      if (announcer.exitCode === null) announcer.kill("SIGKILL");
    }
    if (service?.listening) await stopService(service);
    await bird?.cleanup();
  });

  it("session state, route counts and health state match BIRD through a service failure", async () => {
    // UP: every route in BIRD, and the metrics say so.
    let { m, view } = await settle({ ipv4: V4.length, ipv6: V6.length });
    expect(view.state).toBe("Established");
    expect(sample(m, "bgp_peer_state", { peer: PEER, state: "Established" })).toBe(1);
    expect(sample(m, "bgp_peer_state", { peer: PEER, state: "Active" })).toBe(0);
    expect(sample(m, "bgp_peer_uptime_seconds", { peer: PEER })).toBeGreaterThan(0);
    expect(sample(m, "bgp_peer_updates_sent_total", { peer: PEER })).toBeGreaterThanOrEqual(2);
    expect(sample(m, "bgp_health_state", { service: SERVICE_NAME, state: "up" })).toBe(1);
    expect(sample(m, "bgp_health_consecutive_failures", { service: SERVICE_NAME })).toBe(0);
    expect(
      histogram(m, "bgp_health_check_duration_seconds", { service: SERVICE_NAME, check: "http" }).count,
    ).toBe(
      sample(m, "bgp_health_rounds_total", { service: SERVICE_NAME, result: "ok" }) +
        sample(m, "bgp_health_rounds_total", { service: SERVICE_NAME, result: "failed" }),
    );
    expect(m.bgp_speaker_build_info.data).toHaveLength(1);

    // /status: the same numbers as JSON.
    const status = (await (await fetch(`${STATUS}/status`)).json()) as {
      announced: string[];
      peers: { name: string; state: string; prefixesOutByFamily: Record<string, number> }[];
      services: { name: string; state: string }[];
    };
    expect([...status.announced].sort()).toEqual([...V4, ...V6].sort());
    expect(status.peers.map((p) => [p.name, p.state, p.prefixesOutByFamily])).toEqual([
      [PEER, "Established", { "ipv4-unicast": V4.length, "ipv6-unicast": V6.length }],
    ]);
    expect(status.services.map((s) => [s.name, s.state])).toEqual([[SERVICE_NAME, "up"]]);
    expect((await fetch(`${STATUS}/healthz`)).status).toBe(200);

    // The service fails: BIRD loses every route, the metrics say DOWN and 0 announced.
    await stopService(service!);
    ({ m, view } = await settle({ ipv4: 0, ipv6: 0 }));
    expect(view.state).toBe("Established"); // the session stays; only the routes went
    expect(sample(m, "bgp_peer_state", { peer: PEER, state: "Established" })).toBe(1);
    expect(sample(m, "bgp_health_state", { service: SERVICE_NAME, state: "down" })).toBe(1);
    expect(sample(m, "bgp_health_state", { service: SERVICE_NAME, state: "up" })).toBe(0);
    expect(sample(m, "bgp_health_consecutive_failures", { service: SERVICE_NAME })).toBeGreaterThanOrEqual(2);
    expect(sample(m, "bgp_health_transitions_total", { service: SERVICE_NAME })).toBe(2);

    // Back: the routes return and the counts agree again.
    service = await startService();
    ({ m, view } = await settle({ ipv4: V4.length, ipv6: V6.length }));
    expect(sample(m, "bgp_health_state", { service: SERVICE_NAME, state: "up" })).toBe(1);
    expect(sample(m, "bgp_health_transitions_total", { service: SERVICE_NAME })).toBe(3);
    expect(sample(m, "bgp_peer_established_transitions_total", { peer: PEER })).toBe(1);
  }, 60_000);

  it("SIGTERM: the announcer exits 0 and the status port closes with it", async () => {
    const exited = new Promise<number | null>((resolve) => announcer!.once("exit", (code) => resolve(code)));
    announcer!.kill("SIGTERM");
    expect(await exited).toBe(0);
    await expect(fetch(`${STATUS}/healthz`)).rejects.toThrow();
    await waitFor("BIRD to drop the routes", async () =>
      (await bird.routes("ipv4")).length + (await bird.routes("ipv6")).length === 0 ? true : undefined,
    );
    expect((await bird.neighborStatus()).established).toBe(false);
  }, 20_000);
});
