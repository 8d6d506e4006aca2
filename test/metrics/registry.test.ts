import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { BgpSpeaker, type CheckResult, HealthMonitor } from "../../src/index.js";
import { collectStatus, createMetricsRegistry } from "../../src/metrics/index.js";
import { FakeClock } from "../health/fake-clock.js";
import { histogram, parseExposition, sample } from "../support/prometheus.js";

/**
 * The registry against real numbers: two speakers over loopback (127.0.51.0/24, this file's own
 * block) for the peer metrics, a monitor on a fake clock with scripted check results for the
 * health metrics. Every assertion reads the exposition back through a parser.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function waitFor(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function scrape(registry: Registry) {
  return parseExposition(await registry.metrics());
}

describe("peer metrics", () => {
  it("follow the session: state, counters, routes per family, and what the router holds", async () => {
    const router = new BgpSpeaker({
      asn: 65000,
      routerId: "198.51.100.1",
      listen: { host: "127.0.51.1", port: 0 },
      holdTime: 30,
    });
    router.addPeer({ address: "127.0.51.2", asn: 65001, passive: true, name: "announcer" });
    await router.start();
    const announcer = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", holdTime: 30, connectRetry: 1 });
    announcer.addPeer({
      address: "127.0.51.1",
      asn: 65000,
      port: router.listenPort!,
      localAddress: "127.0.51.2",
      name: "router",
      nextHop: { ipv6: "2001:db8:100::2" },
    });
    cleanups.push(async () => {
      await announcer.close();
      await router.close();
    });
    const ours = createMetricsRegistry({ speaker: announcer });
    const theirs = createMetricsRegistry({ speaker: router });

    // Before start: configured, Idle, nothing counted.
    let m = await scrape(ours);
    expect(sample(m, "bgp_peer_state", { peer: "router", state: "Idle" })).toBe(1);
    expect(sample(m, "bgp_peer_state", { peer: "router", state: "Established" })).toBe(0);
    expect(sample(m, "bgp_peer_info", { peer: "router", address: "127.0.51.1", peer_asn: "65000" })).toBe(1);
    expect(sample(m, "bgp_peer_messages_sent_total", { peer: "router" })).toBe(0);

    for (const prefix of ["203.0.113.0/24", "203.0.113.128/25", "198.51.100.0/24"])
      announcer.announce(prefix);
    announcer.announce("2001:db8:1::/48");
    announcer.announce("2001:db8:2::/48");
    await announcer.start();
    await waitFor("the router to hold 5 routes", () => router.adjRibIn().length === 5);
    await waitFor("nothing pending", () => announcer.peerStatus()[0].pendingChanges === 0);

    const before = announcer.peerStatus()[0];
    m = await scrape(ours);
    const after = announcer.peerStatus()[0];
    expect(sample(m, "bgp_peer_state", { peer: "router", state: "Established" })).toBe(1);
    for (const state of ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm"]) {
      expect(sample(m, "bgp_peer_state", { peer: "router", state })).toBe(0);
    }
    expect(sample(m, "bgp_peer_routes_announced", { peer: "router", family: "ipv4-unicast" })).toBe(3);
    expect(sample(m, "bgp_peer_routes_announced", { peer: "router", family: "ipv6-unicast" })).toBe(2);
    expect(sample(m, "bgp_peer_established_transitions_total", { peer: "router" })).toBe(1);
    // Keepalives may go out between the reads: the scrape lies between the two statuses.
    const sent = sample(m, "bgp_peer_messages_sent_total", { peer: "router" });
    expect(sent).toBeGreaterThanOrEqual(before.messagesOut);
    expect(sent).toBeLessThanOrEqual(after.messagesOut);
    expect(sample(m, "bgp_peer_messages_received_total", { peer: "router" })).toBeGreaterThanOrEqual(
      before.messagesIn,
    );
    const uptime = sample(m, "bgp_peer_uptime_seconds", { peer: "router" });
    expect(uptime).toBeGreaterThan(0);
    expect(uptime * 1000).toBeLessThanOrEqual(after.uptimeMs!);

    // The router's side counts the same UPDATEs from the other end.
    const r = await scrape(theirs);
    expect(sample(r, "bgp_peer_routes_received", { peer: "announcer" })).toBe(5);
    expect(sample(r, "bgp_peer_updates_received_total", { peer: "announcer" })).toBe(
      sample(m, "bgp_peer_updates_sent_total", { peer: "router" }),
    );
    expect(sample(r, "bgp_peer_updates_received_total", { peer: "announcer" })).toBe(
      router.peerStatus()[0].updatesIn,
    );

    announcer.withdraw("203.0.113.128/25");
    announcer.withdraw("2001:db8:2::/48");
    await waitFor("the router to hold 3 routes", () => router.adjRibIn().length === 3);
    m = await scrape(ours);
    expect(sample(m, "bgp_peer_routes_announced", { peer: "router", family: "ipv4-unicast" })).toBe(2);
    expect(sample(m, "bgp_peer_routes_announced", { peer: "router", family: "ipv6-unicast" })).toBe(1);
    expect(sample(await scrape(theirs), "bgp_peer_routes_received", { peer: "announcer" })).toBe(3);

    // The router drops the peer: no session, so no routes announced and no uptime.
    await router.removePeer("announcer");
    await waitFor("the session to go", () => announcer.peerStatus()[0].state !== "Established");
    m = await scrape(ours);
    expect(sample(m, "bgp_peer_state", { peer: "router", state: "Established" })).toBe(0);
    expect(sample(m, "bgp_peer_routes_announced", { peer: "router", family: "ipv4-unicast" })).toBe(0);
    expect(sample(m, "bgp_peer_uptime_seconds", { peer: "router" })).toBe(0);
    // The peer is gone from the router's registry, not left at its last values.
    expect((await scrape(theirs)).bgp_peer_routes_received.data).toEqual([]);
  }, 30_000);
});

/** A check whose results are scripted: each round takes the next one. */
function scripted(results: readonly (readonly [boolean, number])[]) {
  let i = 0;
  return async (): Promise<CheckResult> => {
    const [ok, durationMs] = results[Math.min(i++, results.length - 1)];
    return { ok, reason: ok ? "status 200" : "status 503", durationMs };
  };
}

describe("health metrics", () => {
  it("state, time in state, consecutive failures, flap penalty and the latency histogram", async () => {
    const clock = new FakeClock();
    const monitor = new HealthMonitor({
      name: "web",
      clock,
      checks: {
        http: scripted([
          [true, 3],
          [true, 40],
          [false, 700],
          [false, 2],
          [false, 1],
          [false, 1],
          [false, 1],
        ]),
      },
      intervalSec: 10,
      fastIntervalSec: 1,
      rise: 2,
      fall: 2,
      dampening: { penalty: 1000, halfLifeSec: 60, suppressThreshold: 1500, reuseThreshold: 500 },
    });
    // Built before the first round: it reads the monitor at scrape time.
    const registry = createMetricsRegistry({ monitors: [monitor] });
    let m = await scrape(registry);
    expect(sample(m, "bgp_health_state", { service: "web", state: "init" })).toBe(1);
    expect(histogram(m, "bgp_health_check_duration_seconds", { service: "web", check: "http" }).count).toBe(
      0,
    );

    monitor.start();
    await clock.advanceTo(1000); // passes at 0 and 1000: UP at 1000
    expect(monitor.state).toBe("up");
    await clock.advanceTo(12_000); // fails at 11 000 and 12 000: DOWN, a flap worth 1000
    expect(monitor.state).toBe("down");
    let status = monitor.status();
    expect(status).toMatchObject({
      state: "down",
      stateSinceMs: 12_000,
      timeInStateMs: 0,
      consecutiveFailures: 2,
      consecutiveSuccesses: 0,
      rounds: 4,
      failedRounds: 2,
      transitions: 2,
      penalty: 1000,
      suppressed: false,
      lastRound: { atMs: 12_000, ok: false, reason: "http: status 503" },
    });
    expect(status.checks.http.last).toEqual({ ok: false, reason: "status 503", durationMs: 2, atMs: 12_000 });

    await clock.advanceTo(42_000); // three more failures, 10 s apart; half a half-life since the flap
    status = monitor.status();
    expect(status.consecutiveFailures).toBe(5);
    expect(status.timeInStateMs).toBe(30_000);
    m = await scrape(registry);
    expect(sample(m, "bgp_health_state", { service: "web", state: "down" })).toBe(1);
    expect(sample(m, "bgp_health_state", { service: "web", state: "up" })).toBe(0);
    expect(sample(m, "bgp_health_time_in_state_seconds", { service: "web" })).toBe(30);
    expect(sample(m, "bgp_health_consecutive_failures", { service: "web" })).toBe(5);
    expect(sample(m, "bgp_health_consecutive_successes", { service: "web" })).toBe(0);
    expect(sample(m, "bgp_health_flap_penalty", { service: "web" })).toBeCloseTo(1000 / Math.SQRT2, 6);
    expect(sample(m, "bgp_health_suppressed", { service: "web" })).toBe(0);
    expect(sample(m, "bgp_health_transitions_total", { service: "web" })).toBe(2);
    expect(sample(m, "bgp_health_rounds_total", { service: "web", result: "ok" })).toBe(2);
    expect(sample(m, "bgp_health_rounds_total", { service: "web", result: "failed" })).toBe(5);
    const latency = histogram(m, "bgp_health_check_duration_seconds", { service: "web", check: "http" });
    // Durations 3, 40, 700, 2, 1, 1, 1 ms.
    expect(latency.buckets).toMatchObject({ "0.005": 5, "0.01": 5, "0.025": 5, "0.05": 6, "0.5": 6, "1": 7 });
    expect(latency.buckets["+Inf"]).toBe(7);
    expect(latency.count).toBe(7);
    expect(latency.sum).toBeCloseTo(0.748, 9);
    await monitor.stop();
  });

  it("follows monitors that come and go when given a function, and keeps registries apart", async () => {
    const clock = new FakeClock();
    const make = (name: string, ok: boolean) =>
      new HealthMonitor({ name, clock, checks: { c: scripted([[ok, 5]]) }, rise: 1, fall: 1 });
    const a = make("a", true);
    const b = make("b", false);
    const current = [a];
    const own = new Registry();
    own.setDefaultLabels({ host: "test" });
    const registry = createMetricsRegistry({ monitors: () => current }, { registry: own });
    expect(registry).toBe(own);
    const other = createMetricsRegistry({ monitors: [b] }); // a second registry: no name clash
    a.start();
    b.start();
    cleanups.push(async () => {
      await a.stop();
      await b.stop();
    });
    await clock.advanceTo(0);
    let m = await scrape(registry);
    expect(sample(m, "bgp_health_state", { service: "a", state: "up", host: "test" })).toBe(1);
    expect(m.bgp_health_state.data.some((d) => d.labels.service === "b")).toBe(false);
    expect(sample(m, "bgp_speaker_build_info", {})).toBe(1);
    current.push(b);
    m = await scrape(registry);
    expect(sample(m, "bgp_health_state", { service: "b", state: "down" })).toBe(1);
    current.splice(0, 1);
    m = await scrape(registry);
    expect(m.bgp_health_state.data.some((d) => d.labels.service === "a")).toBe(false);
    const o = await scrape(other);
    expect(sample(o, "bgp_health_state", { service: "b", state: "down" })).toBe(1);
    expect(o.process_cpu_user_seconds_total).toBeUndefined();
  });

  it("adds prom-client's process metrics on request", async () => {
    const registry = createMetricsRegistry({}, { defaultMetrics: true });
    // Not parsed: prom2javascript refuses the "Nan" an idle event-loop histogram reports.
    expect(await registry.getSingleMetricAsString("process_cpu_user_seconds_total")).toMatch(
      /^process_cpu_user_seconds_total \d/m,
    );
    expect(createMetricsRegistry({}).getSingleMetric("process_cpu_user_seconds_total")).toBeUndefined();
  });
});

describe("collectStatus", () => {
  it("is the same numbers as plain JSON-safe data", async () => {
    const clock = new FakeClock();
    const monitor = new HealthMonitor({ name: "web", clock, checks: { c: scripted([[true, 12]]) }, rise: 1 });
    const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2" });
    speaker.addPeer({ address: "127.0.51.9", asn: 65000, name: "r" });
    monitor.start();
    await clock.advanceTo(0);
    const status = collectStatus({ speaker, monitors: [monitor] });
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    expect(status.peers.map((p) => [p.name, p.state, p.prefixesOutByFamily])).toEqual([
      ["r", "Idle", { "ipv4-unicast": 0, "ipv6-unicast": 0 }],
    ]);
    expect(status.services[0]).toMatchObject({ name: "web", state: "up", rounds: 1 });
    expect(status.services[0].checks.c.latency.count).toBe(1);
    await monitor.stop();
    await speaker.close();
  });
});

describe("createMetricsRegistry options", () => {
  it("refuses bad sources and options at the call, naming them", () => {
    const bad = (sources: unknown, options?: unknown) => () =>
      createMetricsRegistry(sources as never, options as never);
    expect(bad({ speaker: {} })).toThrow(/sources\.speaker must have peerStatus\(\)/);
    expect(bad({ monitors: "web" })).toThrow(/sources\.monitors must be an array/);
    expect(bad({ monitors: [{ status: () => ({}) }, {}] })).toThrow(
      /sources\.monitors\[1\] must have status\(\)/,
    );
    expect(bad({}, { registry: {} })).toThrow(/options\.registry must be a prom-client Registry/);
    expect(bad({}, { defaultMetrics: "yes" })).toThrow(/options\.defaultMetrics must be true or false/);
    expect(bad(null)).toThrow(TypeError);
    // Two registries over nothing: valid, and apart.
    expect(createMetricsRegistry({})).not.toBe(createMetricsRegistry({}));
  });
});
