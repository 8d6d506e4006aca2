/**
 * The announcer command against real BIRD 2 on loopback, one process through its life:
 * - a hung check (an HTTP server that accepts and never answers) turns its service DOWN within
 *   --stale-after and BIRD loses that route;
 * - SIGHUP with a changed config: BIRD's route times show the unchanged route was not re-sent, the
 *   changed MED arrives, the new prefix arrives, the removed one is drained (GRACEFUL_SHUTDOWN seen
 *   by BIRD for --drain-time) then withdrawn;
 * - SIGHUP with an invalid config: logged, the old routes stay;
 * - SIGTERM while the check still hangs: every route drained, then withdrawn, exit 0 within 5 s.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithDaemon } from "./harness/availability.js";
import { BirdDaemon } from "./harness/bird.js";
import { waitFor } from "./harness/process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NET = 41; // 127.0.41.0/24, ports 20410-20419
const OURS = `127.0.${NET}.1`;
const BIRD = `127.0.${NET}.2`;
const SERVICE = `127.0.${NET}.3`;
const BIRD_PORT = 20_000 + NET * 10;
const SERVICE_PORT = BIRD_PORT + 2;
const DRAIN_SEC = 1.5;
const STALE_SEC = 2.5;

interface BirdRoute {
  readonly prefix: string;
  /** BIRD's "since" time of the route: when it last changed. */
  readonly since: string;
  readonly med?: number;
  readonly communities: readonly string[];
}

describeWithDaemon("bird", "announcer reload, hung check and drain against BIRD", () => {
  let bird: BirdDaemon;
  let dir: string;
  let configPath: string;
  let child: ChildProcess | undefined;
  let output = "";
  let hang = false;
  const hanging: http.ServerResponse[] = [];
  const service = http.createServer((_, response) => {
    if (hang)
      hanging.push(response); // accepted, never answered
    else response.end("ok\n");
  });

  /** BIRD's view of what we sent: prefix, the time it last changed, MED, communities. */
  const routes = async (): Promise<Map<string, BirdRoute>> => {
    const out = await bird.birdc("show", "route", "table", "master4", "protocol", "speaker", "all");
    const found = new Map<string, BirdRoute>();
    let current: { prefix: string; since: string; med?: number; communities: string[] } | undefined;
    for (const line of out.split("\n")) {
      const head = /^(\S+\/\d+)\s+\S+\s+\[speaker ([0-9-]+ [0-9:.]+)/.exec(line);
      if (head !== null) {
        current = { prefix: head[1], since: head[2], communities: [] };
        found.set(current.prefix, current);
        continue;
      }
      if (current === undefined) continue;
      const med = /^\s+BGP\.med:\s+(\d+)/.exec(line);
      if (med !== null) current.med = Number(med[1]);
      const community = /^\s+BGP\.community:\s+(.*)$/.exec(line);
      if (community !== null) {
        current.communities = [...community[1].matchAll(/\((\d+),(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
      }
    }
    return found;
  };

  /** BIRD's "Import updates" received counter: every route UPDATE it got from us, identical or not. */
  const updatesReceived = async (): Promise<number> => {
    const out = await bird.birdc("show", "protocols", "all", "speaker");
    const line = /Import updates:\s+(\d+)/.exec(out);
    if (line === null) throw new Error(`no import counters in:\n${out}`);
    return Number(line[1]);
  };

  const writeConfig = (services: unknown, extra: Record<string, unknown> = {}): void => {
    writeFileSync(
      configPath,
      JSON.stringify({
        localAs: 65001,
        localAddress: OURS,
        peerAs: 65000,
        peer: [`${BIRD}:${BIRD_PORT}`],
        holdTime: 9,
        connectRetry: 1,
        nextHop: ["203.0.113.254"],
        interval: 0.1,
        rise: 1,
        fall: 2,
        timeout: 0.3,
        drainTime: DRAIN_SEC,
        json: true,
        services,
        ...extra,
      }),
    );
  };

  const records = (): Record<string, unknown>[] =>
    output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> =>
    waitFor(what, probe, timeoutMs, 20).catch((error: Error) => {
      throw new Error(`${error.message}\nannouncer output:\n${output}`);
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bgpcli-reload-"));
    configPath = join(dir, "announce.json");
    bird = new BirdDaemon({
      asn: 65000,
      routerId: BIRD,
      address: BIRD,
      port: BIRD_PORT,
      neighbor: { address: OURS, asn: 65001, port: BIRD_PORT + 1, passive: true },
      holdTimeSec: 9,
    });
    await bird.start();
    await new Promise<void>((resolve, reject) => {
      service.once("error", reject);
      service.listen(SERVICE_PORT, SERVICE, () => resolve());
    });
  });

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null)
      child.kill("SIGKILL");
    for (const response of hanging) response.destroy();
    service.closeAllConnections();
    await new Promise((resolve) => service.close(resolve));
    await bird?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("hung check -> DOWN within --stale-after; SIGHUP changes only what changed; bad config kept out; SIGTERM drains then withdraws", async () => {
    writeConfig([
      { name: "web", command: "true", ip: ["203.0.113.1", "203.0.113.2", "203.0.113.3"] },
      {
        name: "api",
        http: `http://${SERVICE}:${SERVICE_PORT}/`,
        staleAfter: STALE_SEC,
        ip: ["203.0.113.9"],
      },
    ]);
    child = spawn(process.execPath, ["--import", "tsx", "examples/announcer.ts", "--config", configPath], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));

    const initial = await until("BIRD to hold all four routes", async () => {
      const held = await routes();
      return held.size === 4 ? held : undefined;
    });
    expect(initial.get("203.0.113.2/32")?.med).toBe(100);

    // The check hangs: the service is DOWN within --stale-after, and BIRD loses its route.
    hang = true;
    const hungAt = Date.now();
    await until("BIRD to lose the hung service's route", async () =>
      (await routes()).has("203.0.113.9/32") ? undefined : true,
    );
    const downAfterMs = Date.now() - hungAt;
    expect(downAfterMs).toBeLessThan(STALE_SEC * 1000 + 2000);
    expect(records().find((r) => r.event === "down" && r.prefix === "203.0.113.9/32")).toMatchObject({
      service: "api",
      action: "withdraw",
    });

    // Reload: .1 unchanged, .2 new MED, .3 removed (drained first), .4 new; api unchanged (still hung).
    const before = await routes();
    const updatesBefore = await updatesReceived();
    writeConfig([
      {
        name: "web",
        command: "true",
        ip: ["203.0.113.1", { prefix: "203.0.113.2", upMed: 50 }, "203.0.113.4"],
      },
      {
        name: "api",
        http: `http://${SERVICE}:${SERVICE_PORT}/`,
        staleAfter: STALE_SEC,
        ip: ["203.0.113.9"],
      },
    ]);
    child.kill("SIGHUP");
    const drainSeen = await until("BIRD to see .3 with GRACEFUL_SHUTDOWN", async () => {
      const route = (await routes()).get("203.0.113.3/32");
      return route?.communities.includes("65535:0") ? Date.now() : undefined;
    });
    const after = await until("the new set in BIRD", async () => {
      const held = await routes();
      return held.get("203.0.113.2/32")?.med === 50 && held.has("203.0.113.4/32") ? held : undefined;
    });
    await until("BIRD to lose .3 after the drain", async () =>
      (await routes()).has("203.0.113.3/32") ? undefined : true,
    );
    const drainedMs = Date.now() - drainSeen;
    expect(drainedMs).toBeGreaterThan(DRAIN_SEC * 1000 - 500);
    // Not re-sent: BIRD counted three route updates (.2's MED, .4, .3 with GRACEFUL_SHUTDOWN), not
    // four, and its time for the unchanged route is the one it had before the reload.
    expect((await updatesReceived()) - updatesBefore).toBe(3);
    expect(after.get("203.0.113.1/32")?.since).toBe(before.get("203.0.113.1/32")?.since);
    expect(after.get("203.0.113.2/32")?.since).not.toBe(before.get("203.0.113.2/32")?.since);
    expect(records().find((r) => r.event === "reload")?.message).toBe(
      "config reloaded: prefixes +1 -1, peers +0 -0",
    );

    // An invalid config is refused and the running one stays.
    const good = await routes();
    const updatesGood = await updatesReceived();
    writeConfig([{ name: "web", command: "true", ip: ["203.0.113.1"] }], { community: ["65000:100000"] });
    child.kill("SIGHUP");
    await until("the refusal logged", async () =>
      records().some(
        (r) =>
          r.event === "error" &&
          String(r.message).includes(
            'SIGHUP: new config refused, the running one stays: --community: invalid community "65000:100000"',
          ),
      )
        ? true
        : undefined,
    );
    const kept = await routes();
    expect([...kept.keys()].sort()).toEqual(["203.0.113.1/32", "203.0.113.2/32", "203.0.113.4/32"]);
    for (const [prefix, route] of kept) expect(route.since).toBe(good.get(prefix)?.since);
    expect(await updatesReceived()).toBe(updatesGood);

    // SIGTERM while the api check still hangs: drain everything, then withdraw, exit 0 within 5 s.
    const termAt = Date.now();
    child.kill("SIGTERM");
    await until("BIRD to see every route with GRACEFUL_SHUTDOWN", async () => {
      const held = [...(await routes()).values()];
      return held.length === 3 && held.every((r) => r.communities.includes("65535:0")) ? true : undefined;
    });
    expect(await exited).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(5000);
    expect(Date.now() - termAt).toBeGreaterThan(DRAIN_SEC * 1000 - 200);
    expect((await routes()).size).toBe(0);
  }, 90_000);
});
