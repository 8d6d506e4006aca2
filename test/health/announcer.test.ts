import { describe, expect, it } from "vitest";
import { HealthGatedAnnouncer, type RouteSpeaker } from "../../src/health/announcer.js";
import { HealthMonitor } from "../../src/health/monitor.js";
import type { CheckResult } from "../../src/health/types.js";
import { FakeClock } from "./fake-clock.js";

interface Attributes {
  med?: number;
  communities?: string[];
}

/** The unit boundary: a speaker that records what it was told, and when. */
class RecordingSpeaker implements RouteSpeaker<Attributes> {
  readonly calls: string[] = [];
  constructor(private readonly clock: FakeClock) {}
  announce(prefix: string, attributes?: Attributes): void {
    this.calls.push(`${this.clock.now()} announce ${prefix} ${JSON.stringify(attributes ?? null)}`);
  }
  withdraw(prefix: string): void {
    this.calls.push(`${this.clock.now()} withdraw ${prefix}`);
  }
}

/** A scripted check: the test flips `healthy`. */
function scripted(name: string) {
  const state = { healthy: true, runs: [] as number[] };
  return {
    state,
    check: (clock: FakeClock) => (): Promise<CheckResult> => {
      state.runs.push(clock.now());
      return Promise.resolve({
        ok: state.healthy,
        reason: state.healthy ? `${name} fine` : `${name} broken`,
        durationMs: 0,
      });
    },
  };
}

describe("HealthGatedAnnouncer with HealthMonitor on a fake clock", () => {
  it("drives several prefixes on two gates with per-state attributes, the disable file and withdrawAll", async () => {
    const clock = new FakeClock();
    const files = new Set<string>();
    const global = scripted("http");
    const regional = scripted("dns");
    const globalMonitor = new HealthMonitor({
      checks: { http: global.check(clock) },
      rise: 2,
      fall: 2,
      intervalSec: 5,
      fastIntervalSec: 1,
      disableFile: "/run/maintenance",
      exists: (path) => files.has(path),
      clock,
    });
    const regionalMonitor = new HealthMonitor({
      checks: { dns: regional.check(clock) },
      rise: 1,
      fall: 1,
      intervalSec: 2,
      clock,
    });
    const speaker = new RecordingSpeaker(clock);
    const announcer = new HealthGatedAnnouncer(speaker, [
      {
        source: globalMonitor,
        prefixes: [
          {
            prefix: "203.0.113.0/24",
            up: { med: 100 },
            disabled: { med: 1000, communities: ["65535:0"] },
          },
          { prefix: "2001:db8:100::/48", up: { med: 100 } },
        ],
      },
      {
        source: regionalMonitor,
        prefixes: [{ prefix: "198.51.100.0/24", up: { communities: ["65001:100"] } }],
      },
    ]);
    const reasons: string[] = [];
    globalMonitor.on("event", (event) => reasons.push(`${event.atMs} ${event.type}: ${event.reason}`));
    globalMonitor.start();
    regionalMonitor.start();

    await clock.advanceTo(1000); // global: ok at 0 (rising), ok at 1000 -> up; regional up at 0
    expect(speaker.calls).toEqual([
      '0 announce 198.51.100.0/24 {"communities":["65001:100"]}',
      '1000 announce 203.0.113.0/24 {"med":100}',
      '1000 announce 2001:db8:100::/48 {"med":100}',
    ]);
    expect(global.state.runs).toEqual([0, 1000]); // fast interval while rising

    regional.state.healthy = false;
    files.add("/run/maintenance");
    await clock.advanceTo(6000);
    expect(speaker.calls.slice(3)).toEqual([
      "2000 withdraw 198.51.100.0/24",
      '6000 announce 203.0.113.0/24 {"med":1000,"communities":["65535:0"]}',
      "6000 withdraw 2001:db8:100::/48",
    ]);
    expect(global.state.runs).toEqual([0, 1000]); // no checks while disabled

    files.delete("/run/maintenance");
    global.state.healthy = false;
    await clock.advanceTo(11_000); // INIT, first failure: FALLING, nothing published
    expect(speaker.calls).toHaveLength(6);
    global.state.healthy = true;
    await clock.advanceTo(13_000); // ok at 12 000 (rising), ok at 13 000 -> up
    expect(speaker.calls.slice(6)).toEqual([
      '13000 announce 203.0.113.0/24 {"med":100}',
      '13000 announce 2001:db8:100::/48 {"med":100}',
    ]);
    expect(global.state.runs).toEqual([0, 1000, 11_000, 12_000, 13_000]);
    expect(reasons).toEqual([
      "1000 up: http fine",
      "6000 disabled: disable file /run/maintenance present",
      "13000 up: http fine",
    ]);

    await globalMonitor.stop();
    await regionalMonitor.stop();
    expect(clock.pending).toBe(0);
    announcer.withdrawAll();
    expect(speaker.calls.slice(8).sort()).toEqual([
      "13000 withdraw 2001:db8:100::/48",
      "13000 withdraw 203.0.113.0/24",
    ]); // 198.51.100.0/24 was already withdrawn
    announcer.detach();
  });

  it("reports which check failed and applies a gate's current state at construction", async () => {
    const clock = new FakeClock();
    const monitor = new HealthMonitor({
      checks: {
        tcp: () => Promise.resolve({ ok: true, reason: "connected", durationMs: 1 }),
        http: () => Promise.resolve({ ok: false, reason: "status 503 not in 200-399", durationMs: 1 }),
      },
      rise: 1,
      fall: 1,
      clock,
    });
    const downs: string[] = [];
    monitor.on("down", (event) => downs.push(`${event.check} | ${event.reason}`));
    monitor.start();
    await clock.advanceTo(0);
    expect(downs).toEqual(["http | http: status 503 not in 200-399"]);
    const speaker = new RecordingSpeaker(clock);
    // Down by default withdraws, and nothing was announced: no call at all.
    new HealthGatedAnnouncer(speaker, [{ source: monitor, prefixes: [{ prefix: "203.0.113.0/24" }] }]);
    expect(speaker.calls).toEqual([]);
    new HealthGatedAnnouncer(speaker, [
      { source: monitor, prefixes: [{ prefix: "198.51.100.0/24", down: { med: 1000 } }] },
    ]);
    expect(speaker.calls).toEqual(['0 announce 198.51.100.0/24 {"med":1000}']);
    await monitor.stop();
  });

  it("refuses a prefix bound to two gates", () => {
    const clock = new FakeClock();
    const make = () =>
      new HealthMonitor({ checks: () => Promise.resolve({ ok: true, reason: "", durationMs: 0 }), clock });
    expect(
      () =>
        new HealthGatedAnnouncer(new RecordingSpeaker(clock), [
          { source: make(), prefixes: [{ prefix: "203.0.113.0/24" }] },
          { source: make(), prefixes: [{ prefix: "203.0.113.0/24" }] },
        ]),
    ).toThrow("bound to more than one gate");
  });

  it("keeps running after a listener throws, reporting it as an error event", async () => {
    const clock = new FakeClock();
    let healthy = true;
    const monitor = new HealthMonitor({
      checks: () => Promise.resolve({ ok: healthy, reason: "", durationMs: 0 }),
      rise: 1,
      fall: 1,
      intervalSec: 1,
      clock,
    });
    const errors: unknown[] = [];
    monitor.on("error", (error) => errors.push(error));
    monitor.once("up", () => {
      throw new Error("listener broke");
    });
    const downs: number[] = [];
    monitor.on("down", (event) => downs.push(event.atMs));
    monitor.start();
    await clock.advanceTo(0);
    healthy = false;
    await clock.advanceTo(1000);
    expect(errors.map((error) => (error as Error).message)).toEqual(["listener broke"]);
    expect(downs).toEqual([1000]);
    await monitor.stop();
  });
});
