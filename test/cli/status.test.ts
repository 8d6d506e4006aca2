import { afterEach, describe, expect, it } from "vitest";
import { SettingsError } from "../../src/cli/settings.js";
import { parseStatusListen, startStatusPage } from "../../src/cli/status.js";
import { BgpSpeaker, HealthMonitor } from "../../src/index.js";
import type { StatusServer } from "../../src/metrics/index.js";
import { FakeClock } from "../health/fake-clock.js";
import { parseExposition, sample } from "../support/prometheus.js";

describe("parseStatusListen", () => {
  it("takes ADDR:PORT, [V6]:PORT, :PORT and PORT; loopback without an address", () => {
    expect(parseStatusListen("--status-listen", "9179")).toEqual({ host: "127.0.0.1", port: 9179 });
    expect(parseStatusListen("--status-listen", ":9179")).toEqual({ host: "127.0.0.1", port: 9179 });
    expect(parseStatusListen("--status-listen", "0.0.0.0:80")).toEqual({ host: "0.0.0.0", port: 80 });
    expect(parseStatusListen("--status-listen", "[::1]:65535")).toEqual({ host: "::1", port: 65535 });
    expect(parseStatusListen("--status-listen", "[2001:DB8::0001]:1")).toEqual({
      host: "2001:db8::1",
      port: 1,
    });
  });

  it.each([
    ["", /bad port/],
    [":", /bad port/],
    ["0", /bad port/],
    ["65536", /bad port/],
    ["127.0.0.1", /bad port/],
    ["127.0.0.1:", /bad port/],
    ["127.0.0.1:9179x", /bad port/],
    ["localhost:9179", /not an IP address/],
    ["::1:9179", /an IPv6 address needs brackets/],
    ["[127.0.0.1]:9179", /not an IPv6 address/],
    ["[::1]", /bad port/],
    ["127.0.0.256:9179", /not an IP address/],
  ])("refuses %j, naming the flag and the accepted forms", (text, why) => {
    let error: unknown;
    try {
      parseStatusListen("--status-listen", text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toMatch(
      /^--status-listen: .*expected ADDR:PORT, \[IPV6\]:PORT, :PORT or PORT/,
    );
  });
});

describe("startStatusPage", () => {
  const servers: StatusServer[] = [];
  afterEach(async () => {
    while (servers.length > 0) await servers.pop()!.close();
  });

  it("serves the speaker's and the monitors' numbers, the announced prefixes, and the announcer's own health", async () => {
    const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2" });
    speaker.addPeer({ address: "127.0.54.9", asn: 65000, name: "router" });
    const clock = new FakeClock();
    const monitor = new HealthMonitor({
      name: "web",
      clock,
      checks: { http: async () => ({ ok: false, reason: "status 503", durationMs: 30 }) },
      rise: 1,
      fall: 1,
    });
    monitor.start();
    await clock.advanceTo(0);
    let shuttingDown = false;
    const server = await startStatusPage(
      { host: "127.0.54.1", port: 0 },
      {
        speaker,
        monitors: () => [monitor],
        announced: () => ["203.0.113.1/32"],
        shuttingDown: () => shuttingDown,
      },
    );
    servers.push(server);
    const base = `http://127.0.54.1:${server.port}`;
    const metrics = await parseExposition(await (await fetch(`${base}/metrics`)).text());
    expect(sample(metrics, "bgp_peer_state", { peer: "router", state: "Idle" })).toBe(1);
    expect(sample(metrics, "bgp_health_state", { service: "web", state: "down" })).toBe(1);
    expect(sample(metrics, "bgp_health_consecutive_failures", { service: "web" })).toBe(1);
    const status = (await (await fetch(`${base}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ announced: ["203.0.113.1/32"], pid: process.pid });
    expect(status.version).toMatch(/^\d+\.\d+\.\d+/);
    expect((status.peers as { name: string }[]).map((p) => p.name)).toEqual(["router"]);
    expect((status.services as { name: string; state: string }[]).map((s) => [s.name, s.state])).toEqual([
      ["web", "down"],
    ]);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await monitor.stop();
    const stopped = await fetch(`${base}/healthz`);
    expect(stopped.status).toBe(503);
    expect(await stopped.json()).toEqual({ ok: false, reason: "health monitor stopped: web" });
    shuttingDown = true;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: false, reason: "shutting down" });
    await speaker.close();
  });
});
