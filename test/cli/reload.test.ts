/**
 * Reload without flapping, on a speaker that records every call: unchanged routes get no call at
 * all, changed attributes are announced again, removed prefixes are withdrawn, new ones announced,
 * and a service whose check did not change keeps its monitor (and state).
 */
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/cli/config.js";
import type { AnnouncedAttributes } from "../../src/cli/prefix-config.js";
import { type AnnouncerSpeaker, type RunningServices, startServices } from "../../src/cli/run.js";
import type { AnnouncerSettings } from "../../src/cli/settings.js";

class RecordingSpeaker implements AnnouncerSpeaker {
  readonly calls: string[] = [];
  announce(prefix: string, attributes?: AnnouncedAttributes): void {
    this.calls.push(`announce ${prefix} ${JSON.stringify(attributes ?? null)}`);
  }
  withdraw(prefix: string): void {
    this.calls.push(`withdraw ${prefix}`);
  }
  drain(prefix: string): void {
    this.calls.push(`drain ${prefix}`);
  }
  async close(): Promise<void> {}
}

async function waitUntil(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const BASE: AnnouncerSettings = {
  localAs: 65001,
  routerId: "198.51.100.2",
  peer: ["198.51.100.1"],
  peerAs: 65000,
  interval: 0.02,
  fastInterval: 0.02,
  rise: 1,
  fall: 1,
};

let running: RunningServices | undefined;
afterEach(async () => {
  await running?.stop("test end");
  running = undefined;
});

describe("RunningServices.reload", () => {
  it("re-announces only what changed, withdraws what went, keeps unchanged monitors", async () => {
    const speaker = new RecordingSpeaker();
    const first = resolveConfig(
      {},
      {
        ...BASE,
        services: [
          { name: "a", command: "true", ip: ["203.0.113.1", "203.0.113.2", "203.0.113.3"] },
          { name: "b", command: "true", ip: ["203.0.113.9"] },
        ],
      },
    );
    running = startServices({ speaker, services: first.services, log: () => {}, runCommand: () => {} });
    await waitUntil("UP", () => speaker.calls.length === 4);
    const monitorA = running.monitors.get("a");
    speaker.calls.length = 0;

    const second = resolveConfig(
      {},
      {
        ...BASE,
        services: [
          {
            name: "a",
            command: "true",
            ip: ["203.0.113.1", { prefix: "203.0.113.2", upMed: 50 }, "203.0.113.4"],
          },
        ],
      },
    );
    running.reload(second.services);
    expect(running.monitors.get("a")).toBe(monitorA);
    expect(running.monitors.has("b")).toBe(false);
    // 203.0.113.1: same attributes, announced through the speaker's idempotent announce (no UPDATE
    // follows for an unchanged route: that is BgpSpeaker's Adj-RIB-Out, tested in the BIRD reload test).
    expect(speaker.calls.sort()).toEqual(
      [
        "withdraw 203.0.113.3/32",
        "withdraw 203.0.113.9/32",
        'announce 203.0.113.1/32 {"med":100}',
        'announce 203.0.113.2/32 {"med":50}',
        'announce 203.0.113.4/32 {"med":100}',
      ].sort(),
    );
    speaker.calls.length = 0;
    await running.stop("test");
    running = undefined;
    expect(speaker.calls.sort()).toEqual(
      ["withdraw 203.0.113.1/32", "withdraw 203.0.113.2/32", "withdraw 203.0.113.4/32"].sort(),
    );
  });

  it("a changed check starts a new monitor; with a drain time, removed prefixes drain first", async () => {
    const speaker = new RecordingSpeaker();
    const first = resolveConfig({}, { ...BASE, command: "true", ip: ["203.0.113.1", "203.0.113.2"] });
    running = startServices({
      speaker,
      services: first.services,
      log: () => {},
      runCommand: () => {},
      drainSec: 0.2,
    });
    await waitUntil("UP", () => speaker.calls.length === 2);
    const before = running.monitors.get("default");
    speaker.calls.length = 0;
    const second = resolveConfig({}, { ...BASE, command: "exit 0", ip: ["203.0.113.1"] });
    running.reload(second.services);
    expect(running.monitors.get("default")).not.toBe(before);
    expect(speaker.calls).toEqual(["drain 203.0.113.2/32"]);
    await waitUntil("drained", () => speaker.calls.includes("withdraw 203.0.113.2/32"));
    // The new monitor decides again: UP re-announces the same attributes, nothing is withdrawn.
    await waitUntil("new UP", () => speaker.calls.some((c) => c.startsWith("announce 203.0.113.1/32")));
    expect(speaker.calls.filter((c) => c.includes("203.0.113.1/32"))).toEqual([
      'announce 203.0.113.1/32 {"med":100}',
    ]);
  });
});
