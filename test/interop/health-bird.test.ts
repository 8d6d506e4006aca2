/**
 * Health-gated failover against real BIRD 2 on loopback: an HTTP service on 127.0.31.3, the
 * announcer command (examples/announcer.ts, as a child process) checking it every 0.1 s with rise 2 /
 * fall 2 and announcing 203.0.113.1/32 and 2001:db8:ac::1/128 to BIRD on 127.0.31.2. Stopping the
 * service must take the routes out of BIRD's table, starting it again must bring them back.
 *
 * Each cycle prints the time from the service stopping to BIRD no longer showing the route (birdc
 * polled every ~10 ms), split into detection (stop -> the announcer's DOWN line) and the rest.
 * Timing is reported, not asserted (docs/benchmarks.md, "Health-gated failover").
 * HEALTH_BIRD_CYCLES (default 2) sets how many stop/start cycles run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithDaemon } from "./harness/availability.js";
import { BirdDaemon } from "./harness/bird.js";
import { waitFor } from "./harness/process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NET = 31; // this file's own 127.0.31.0/24 and ports 20310+: interop files run concurrently
const OURS = `127.0.${NET}.1`;
const BIRD = `127.0.${NET}.2`;
const SERVICE = `127.0.${NET}.3`;
const BIRD_PORT = 20_000 + NET * 10;
const SERVICE_PORT = BIRD_PORT + 2;
const V4 = "203.0.113.1/32";
const V6 = "2001:db8:ac::1/128";
const CYCLES = Number(process.env.HEALTH_BIRD_CYCLES ?? 2);

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

describeWithDaemon("bird", "health-gated announcer against BIRD", () => {
  let bird: BirdDaemon;
  let announcer: ChildProcess | undefined;
  let service: http.Server | undefined;
  let output = "";

  /** Does BIRD hold the prefix from us? One birdc call; birdc exits 1 with "Network not found" when not. */
  const birdHas = async (prefix: string): Promise<boolean> => {
    const table = prefix.includes(":") ? "master6" : "master4";
    try {
      const out = await bird.birdc("show", "route", prefix, "table", table, "protocol", "speaker");
      return out.split("\n").some((line) => line.startsWith(prefix));
    } catch (error) {
      if (error instanceof Error && error.message.includes("Network not found")) return false;
      throw error;
    }
  };

  /** The announcer's JSON log lines so far. */
  const records = (): { time: string; event: string; prefix?: string }[] =>
    output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { time: string; event: string; prefix?: string });

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
        ...["--hold-time", "9", "--connect-retry", "1", "--ip", V4, "--ip", V6],
        ...["--next-hop", "203.0.113.254", "--next-hop", "2001:db8:113::fe"],
        ...["--http", `http://${SERVICE}:${SERVICE_PORT}/`, "--timeout", "1"],
        ...["--interval", "0.1", "--rise", "2", "--fall", "2", "--withdraw-on-down", "--json"],
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    announcer.stdout?.on("data", (chunk: Buffer) => {
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

  it("BIRD loses the routes when the service stops and gets them back when it returns", async () => {
    await waitFor("BIRD to hold both routes", async () =>
      (await birdHas(V4)) && (await birdHas(V6)) ? true : undefined,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nannouncer output:\n${output}`);
    });
    const routes = [...(await bird.routes("ipv4")), ...(await bird.routes("ipv6"))];
    expect(routes.map((r) => [r.prefix, r.nextHop, r.med, r.asPath])).toEqual([
      [V4, "203.0.113.254", 100, [65001]],
      [V6, "2001:db8:113::fe", 100, [65001]],
    ]);

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const downsBefore = records().filter((r) => r.event === "down" && r.prefix === V4).length;
      const stoppedAt = Date.now();
      await stopService(service!);
      await waitFor(
        "BIRD to drop the route",
        async () => (!(await birdHas(V4)) ? true : undefined),
        10_000,
        10,
      );
      const goneAt = Date.now();
      const down = records().filter((r) => r.event === "down" && r.prefix === V4)[downsBefore];
      const downAt = down === undefined ? Number.NaN : Date.parse(down.time);
      console.log(
        `[health-bird] cycle ${cycle}: service stopped -> route gone from BIRD in ${goneAt - stoppedAt} ms ` +
          `(announcer DOWN after ${downAt - stoppedAt} ms, then ${goneAt - downAt} ms to BIRD's table)`,
      );
      await waitFor("BIRD to drop the IPv6 route", async () => (!(await birdHas(V6)) ? true : undefined));

      service = await startService();
      const restartedAt = Date.now();
      await waitFor(
        "BIRD to hold the route again",
        async () => ((await birdHas(V4)) ? true : undefined),
        10_000,
        10,
      );
      console.log(
        `[health-bird] cycle ${cycle}: service back -> route back in BIRD in ${Date.now() - restartedAt} ms`,
      );
      await waitFor("BIRD to hold the IPv6 route again", async () =>
        (await birdHas(V6)) ? true : undefined,
      );
    }
    expect((await bird.neighborStatus()).established).toBe(true);
  }, 120_000);

  it("a crashed announcer (SIGKILL) loses its routes at once: the kernel closes the TCP session", async () => {
    await waitFor("BIRD to hold the route", async () => ((await birdHas(V4)) ? true : undefined));
    const killedAt = Date.now();
    const exited = new Promise((resolve) => announcer?.once("exit", resolve));
    announcer!.kill("SIGKILL"); // no handler runs: no withdraw, no Cease
    await exited;
    await waitFor("BIRD to drop both routes", async () =>
      !(await birdHas(V4)) && !(await birdHas(V6)) ? true : undefined,
    );
    const status = await bird.neighborStatus();
    console.log(
      `[health-bird] SIGKILL -> routes gone from BIRD in ${Date.now() - killedAt} ms (${status.lastError})`,
    );
    // The session ended on the closed connection, not by waiting out the 9 s hold timer.
    expect(status.established).toBe(false);
    expect(status.lastError).not.toMatch(/hold timer/i);
  }, 30_000);
});
