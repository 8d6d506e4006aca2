import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { resolveConfig } from "../../src/cli/config.js";
import type { LogRecord } from "../../src/cli/log.js";
import { type AnnouncerSpeaker, type RunningServices, startServices } from "../../src/cli/run.js";
import type { AnnouncerSettings } from "../../src/cli/settings.js";

/** Records what the announcer asks of the speaker. */
class RecordingSpeaker implements AnnouncerSpeaker {
  readonly calls: string[] = [];
  announce(prefix: string, attributes?: { med?: number }): void {
    this.calls.push(`announce ${prefix} med ${attributes?.med}`);
  }
  withdraw(prefix: string): void {
    this.calls.push(`withdraw ${prefix}`);
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

function listen(port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

let running: RunningServices | undefined;
let server: net.Server | undefined;
afterEach(async () => {
  await running?.stop("test end");
  if (server?.listening) await close(server);
});

describe("startServices", () => {
  it("announces, withdraws or re-announces with the down MED as a real TCP check passes and fails", async () => {
    server = await listen();
    const port = (server.address() as net.AddressInfo).port;
    const settings: AnnouncerSettings = {
      localAs: 65001,
      routerId: "198.51.100.2",
      peer: ["127.0.0.2"],
      peerAs: 65000,
      interval: 0.02,
      fastInterval: 0.02,
      timeout: 1,
      rise: 2,
      fall: 2,
      services: [
        {
          name: "svc",
          tcp: `127.0.0.1:${port}`,
          ip: [{ prefix: "203.0.113.1", downMed: 1000 }, "203.0.113.64/26"],
          execute: ["any"],
          downExecute: ["down-only"],
        },
      ],
    };
    const config = resolveConfig({}, settings);
    const speaker = new RecordingSpeaker();
    const log: LogRecord[] = [];
    const commands: string[] = [];
    running = startServices({
      speaker,
      services: config.services,
      log: (record) => log.push(record),
      runCommand: (command, env) => {
        commands.push(`${command} ${env.STATE} ${env.PREFIXES}`);
      },
    });

    await waitUntil("UP", () => speaker.calls.length === 2);
    expect(speaker.calls).toEqual(["announce 203.0.113.1/32 med 100", "announce 203.0.113.64/26 med 100"]);
    await close(server);
    await waitUntil("DOWN", () => speaker.calls.length === 4);
    expect(speaker.calls.slice(2)).toEqual(["announce 203.0.113.1/32 med 1000", "withdraw 203.0.113.64/26"]);
    server = await listen(port);
    await waitUntil("UP again", () => speaker.calls.length === 6);
    expect(speaker.calls.slice(4)).toEqual([
      "announce 203.0.113.1/32 med 100",
      "announce 203.0.113.64/26 med 100",
    ]);

    const transitions = log.filter((r) => r.event === "up" || r.event === "down");
    expect(
      transitions.map((r) =>
        r.event === "up" || r.event === "down" ? [r.event, r.prefix, r.action, r.med, r.rounds, r.check] : [],
      ),
    ).toEqual([
      ["up", "203.0.113.1/32", "announce", 100, 2, "tcp"],
      ["up", "203.0.113.64/26", "announce", 100, 2, "tcp"],
      ["down", "203.0.113.1/32", "announce", 1000, 2, "tcp"],
      ["down", "203.0.113.64/26", "withdraw", undefined, 2, "tcp"],
      ["up", "203.0.113.1/32", "announce", 100, 2, "tcp"],
      ["up", "203.0.113.64/26", "announce", 100, 2, "tcp"],
    ]);
    const down = transitions[3];
    expect(down.event === "down" && down.reason).toMatch(
      /^tcp: connect to 127\.0\.0\.1:\d+ failed: ECONNREFUSED$/,
    );
    const prefixes = "203.0.113.1/32 203.0.113.64/26";
    expect(commands).toEqual([
      `any UP ${prefixes}`,
      `down-only DOWN ${prefixes}`,
      `any DOWN ${prefixes}`,
      `any UP ${prefixes}`,
    ]);

    await running.stop("test");
    expect(speaker.calls.slice(6)).toEqual(["withdraw 203.0.113.1/32", "withdraw 203.0.113.64/26"]);
  });

  it("logs a DOWN from the start as not announced when it withdraws, and the disable file as DISABLED", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bgp-cli-run-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const disableFile = join(dir, "maintenance");
    const config = resolveConfig(
      {},
      {
        localAs: 65001,
        routerId: "198.51.100.2",
        peer: ["127.0.0.2"],
        peerAs: 65000,
        interval: 0.02,
        fastInterval: 0.02,
        rise: 1,
        fall: 1,
        withdrawOnDown: true,
        command: "exit 3",
        disable: disableFile,
        ip: ["203.0.113.9"],
      },
    );
    const speaker = new RecordingSpeaker();
    const log: LogRecord[] = [];
    running = startServices({
      speaker,
      services: config.services,
      log: (record) => log.push(record),
      runCommand: () => {},
    });
    await waitUntil("DOWN", () => log.some((r) => r.event === "down"));
    expect(log.find((r) => r.event !== "debug")).toMatchObject({
      event: "down",
      from: "init",
      prefix: "203.0.113.9/32",
      action: "none",
      reason: "command: exit status 3",
    });
    expect(speaker.calls).toEqual([]);
    writeFileSync(disableFile, "");
    await waitUntil("DISABLED", () => log.some((r) => r.event === "disabled"));
    expect(log.find((r) => r.event === "disabled")).toMatchObject({
      from: "down",
      prefix: "203.0.113.9/32",
      action: "none",
      reason: `disable file ${disableFile} present`,
    });
    expect(speaker.calls).toEqual([]);
  });
});

describe("a hung check", () => {
  it("a command that ignores SIGTERM turns the service DOWN within --stale-after, and stop() does not wait for it", async () => {
    const config = resolveConfig(
      {},
      {
        localAs: 65001,
        routerId: "198.51.100.2",
        peer: ["127.0.0.2"],
        peerAs: 65000,
        interval: 0.05,
        rise: 1,
        fall: 3,
        timeout: 0.2,
        staleAfter: 1.5,
        // Healthy until the marker file appears, then hangs ignoring SIGTERM.
        command: `test -e ${join(tmpdir(), `bgpcli-hang-${process.pid}`)} && { trap '' TERM; sleep 30; }; true`,
        ip: ["203.0.113.1"],
      },
    );
    const marker = join(tmpdir(), `bgpcli-hang-${process.pid}`);
    onTestFinished(() => rmSync(marker, { force: true }));
    const speaker = new RecordingSpeaker();
    const log: LogRecord[] = [];
    running = startServices({
      speaker,
      services: config.services,
      log: (r) => log.push(r),
      runCommand: () => {},
    });
    await waitUntil("UP", () => speaker.calls.length === 1);
    writeFileSync(marker, "");
    const hungAt = Date.now();
    await waitUntil("DOWN", () => speaker.calls.includes("withdraw 203.0.113.1/32"), 5000);
    expect(Date.now() - hungAt).toBeLessThan(1500 + 1000);
    const stopAt = Date.now();
    await running.stop("test");
    running = undefined;
    expect(Date.now() - stopAt).toBeLessThan(2000);
  }, 15_000);
});

describe("--interval 0", () => {
  it("checks until a state is reached, announces it, and runs no more checks", async () => {
    const config = resolveConfig(
      {},
      {
        localAs: 65001,
        routerId: "198.51.100.2",
        peer: ["127.0.0.2"],
        peerAs: 65000,
        interval: 0,
        fastInterval: 0.02,
        rise: 2,
        command: "true",
        ip: ["203.0.113.1"],
      },
    );
    const speaker = new RecordingSpeaker();
    const log: LogRecord[] = [];
    running = startServices({
      speaker,
      services: config.services,
      log: (r) => log.push(r),
      runCommand: () => {},
    });
    await waitUntil("UP", () => speaker.calls.length === 1);
    const rounds = () => log.filter((r) => r.event === "debug" && r.message.startsWith("check round")).length;
    const atUp = rounds();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(atUp).toBe(2); // rise 2, then nothing more
    expect(rounds()).toBe(atUp);
    expect(running.monitors.get("default")?.isRunning).toBe(false);
    expect(speaker.calls).toEqual(["announce 203.0.113.1/32 med 100"]);
  });
});
