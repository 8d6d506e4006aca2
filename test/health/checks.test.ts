import { spawnSync } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCommand } from "../../src/health/command-check.js";
import { checkHttp } from "../../src/health/http-check.js";
import { HealthMonitor } from "../../src/health/monitor.js";
import { checkSocketTable } from "../../src/health/socket-table-check.js";
import { checkTcp } from "../../src/health/tcp-check.js";
import { FakeClock } from "./fake-clock.js";

describe("checkTcp", () => {
  it("passes on a listening port and fails on a closed one without throwing", async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1" }, resolve));
    const port = (server.address() as net.AddressInfo).port;
    const up = await checkTcp({ host: "127.0.0.1", port });
    expect(up).toMatchObject({ ok: true, reason: `connected to 127.0.0.1:${port}` });
    expect(up.durationMs).toBeGreaterThanOrEqual(0);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await checkTcp({ host: "127.0.0.1", port })).toMatchObject({
      ok: false,
      reason: `connect to 127.0.0.1:${port} failed: ECONNREFUSED`,
    });
  });

  it("reports an abort", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await checkTcp({ host: "127.0.0.1", port: 9, signal: controller.signal })).toMatchObject({
      ok: false,
      reason: "aborted",
    });
  });
});

describe("checkHttp against a local server", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === "/ok") response.end("service ready v42");
      else if (request.url === "/503") {
        response.statusCode = 503;
        response.end("overloaded");
      } else if (request.url === "/redirect") {
        response.statusCode = 302;
        response.end();
      } else if (request.url === "/big") {
        response.write("x".repeat(100_000));
        response.end("needle"); // past the read bound
      } else if (request.url === "/slow") setTimeout(() => response.end("late"), 2000).unref();
      else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1" }, resolve));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("passes 200 and 3xx, fails 503 with the status in the reason", async () => {
    expect(await checkHttp({ url: `${base}/ok` })).toMatchObject({ ok: true, reason: "status 200" });
    expect(await checkHttp({ url: `${base}/redirect` })).toMatchObject({ ok: true, reason: "status 302" });
    expect(await checkHttp({ url: `${base}/503` })).toMatchObject({
      ok: false,
      reason: "status 503 not in 200-399",
      details: { status: 503 },
    });
    expect((await checkHttp({ url: `${base}/503`, expectStatus: [500, 503] })).ok).toBe(true);
  });

  it("matches the body by substring or RegExp within the read bound", async () => {
    expect((await checkHttp({ url: `${base}/ok`, bodyMatch: "ready" })).ok).toBe(true);
    expect((await checkHttp({ url: `${base}/ok`, bodyMatch: /v\d+$/ })).ok).toBe(true);
    expect(await checkHttp({ url: `${base}/ok`, bodyMatch: "draining" })).toMatchObject({
      ok: false,
      reason: "body does not match draining",
    });
    const big = await checkHttp({ url: `${base}/big`, bodyMatch: "needle", maxBodyBytes: 1024 });
    expect(big.ok).toBe(false);
    expect(big.details?.bodyBytes).toBeLessThan(100_000);
    expect((await checkHttp({ url: `${base}/big`, bodyMatch: "needle", maxBodyBytes: 200_000 })).ok).toBe(
      true,
    );
  });

  it("times out on a slow response and reports it, not throws", async () => {
    const result = await checkHttp({ url: `${base}/slow`, timeoutSec: 0.2 });
    expect(result).toMatchObject({ ok: false, reason: "timed out after 0.2s" });
    expect(result.durationMs).toBeGreaterThanOrEqual(150);
    expect(result.durationMs).toBeLessThan(1900);
  });

  it("fails a refused connection and an unsupported scheme", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen({ port: 0, host: "127.0.0.1" }, resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await checkHttp({ url: `http://127.0.0.1:${port}/` })).reason).toContain("ECONNREFUSED");
  });

  it("an invalid URL throws a TypeError naming url at the call; in a monitor that fails the round", async () => {
    expect(() => checkHttp({ url: "not a url" })).toThrow(TypeError);
    expect(() => checkHttp({ url: "not a url" })).toThrow(
      'checkHttp: url must be an absolute http:// or https:// URL (a string or a URL), got "not a url"',
    );
    expect(() => checkHttp({ url: "ftp://127.0.0.1/" })).toThrow(
      "checkHttp: url must use http: or https:, got ftp:",
    );
    const clock = new FakeClock();
    const monitor = new HealthMonitor({
      checks: { web: (signal) => checkHttp({ url: "http://[::1", signal }) },
      rise: 1,
      fall: 1,
      clock,
    });
    const downs: string[] = [];
    monitor.on("down", (event) => downs.push(event.reason));
    monitor.start();
    await clock.advanceTo(0);
    expect(downs).toEqual([
      'web: check threw: checkHttp: url must be an absolute http:// or https:// URL (a string or a URL), got "http://[::1"',
    ]);
    await monitor.stop();
  });
});

describe("check options are validated at the call", () => {
  it.each([
    [
      () => checkHttp({ url: "http://127.0.0.1/", timeoutSec: 0 }),
      RangeError,
      "checkHttp: timeoutSec must be > 0",
    ],
    [() => checkHttp({ url: "http://127.0.0.1/", expectStatus: [399, 200] }), RangeError, "low <= high"],
    [
      () => checkHttp({ url: "http://127.0.0.1/", expectStatus: [200, 700] }),
      RangeError,
      "expectStatus[1] must be an integer from 100 to 599",
    ],
    [() => checkHttp({ url: "http://127.0.0.1/", maxBodyBytes: 0 }), RangeError, "maxBodyBytes"],
    [
      () => checkHttp({ url: "http://127.0.0.1/", bodyMatch: 5 as unknown as string }),
      TypeError,
      "bodyMatch must be a string or a RegExp",
    ],
    [
      () => checkHttp({ url: "http://127.0.0.1/", timeout: 1 } as never),
      TypeError,
      'checkHttp: unknown option "timeout"',
    ],
    [
      () => checkTcp({ host: "127.0.0.1", port: 70_000 }),
      RangeError,
      "checkTcp: port must be an integer from 1 to 65535",
    ],
    [() => checkTcp({ host: "", port: 80 }), TypeError, "checkTcp: host must be a non-empty string"],
    [
      () => checkTcp({ host: "127.0.0.1", port: 80, localAddress: "eth0" }),
      TypeError,
      "checkTcp: localAddress must be an IPv4 or IPv6 address",
    ],
    [() => checkCommand({ command: "" }), TypeError, "checkCommand: command must be a non-empty string"],
    [
      () => checkCommand({ command: "true", timeoutSec: Number.NaN }),
      TypeError,
      "checkCommand: timeoutSec must be a finite number",
    ],
    [() => checkCommand({ command: "true", timeoutSec: 1e9 }), RangeError, "<= 86400"],
    [() => checkCommand({ command: "true", maxOutputBytes: -1 }), RangeError, "maxOutputBytes"],
    [
      () => checkCommand({ command: "true", signal: "stop" as unknown as AbortSignal }),
      TypeError,
      "signal must be an AbortSignal",
    ],
    [
      () => checkSocketTable({ port: 0 }),
      RangeError,
      "checkSocketTable: port must be an integer from 1 to 65535",
    ],
    [
      () => checkSocketTable({ port: 80, host: "localhost" }),
      TypeError,
      "host must be an IPv4 or IPv6 address",
    ],
    [() => checkSocketTable({ port: 80, acceptQueue: { backlog: 0 } }), RangeError, "acceptQueue.backlog"],
    [
      () => checkSocketTable({ port: 80, files: [{ path: "/proc/net/tcp", family: 5 as 4 }] }),
      TypeError,
      "files[0].family must be 4 or 6",
    ],
  ])("%#: throws synchronously", (call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});

describe("checkCommand", () => {
  it("passes on exit 0 and fails on non-zero with the status", async () => {
    expect(await checkCommand({ command: "true" })).toMatchObject({ ok: true, reason: "exit status 0" });
    expect(await checkCommand({ command: "false" })).toMatchObject({ ok: false, reason: "exit status 1" });
    expect(await checkCommand({ command: "echo broken >&2; exit 3" })).toMatchObject({
      ok: false,
      reason: "exit status 3: broken",
      details: { exitCode: 3 },
    });
  });

  it("kills the whole command on timeout, shell and child alike", async () => {
    const marker = `health-sleep-${process.pid}-${Date.now()}`;
    // `exec -a` names the sleep so the test can look for exactly this process afterwards.
    const result = await checkCommand({
      command: `bash -c 'exec -a ${marker} sleep 30'; true`,
      timeoutSec: 0.3,
    });
    expect(result).toMatchObject({ ok: false, reason: "timed out after 0.3s" });
    expect(result.durationMs).toBeLessThan(5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const survivors = await checkCommand({ command: `pgrep -f '^${marker}'` });
    expect(survivors.reason).toBe("exit status 1"); // pgrep found nothing
  });

  it("stops on abort", async () => {
    const controller = new AbortController();
    const running = checkCommand({ command: "sleep 30", timeoutSec: 10, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await running).toMatchObject({ ok: false, reason: "aborted" });
  });
});

/** PIDs of processes whose command line starts with `marker`, after waiting up to `waitMs` for none. */
async function survivors(marker: string, waitMs = 2000): Promise<string[]> {
  const until = Date.now() + waitMs;
  for (;;) {
    const found = spawnSync("pgrep", ["-f", `^${marker}`], { encoding: "utf8" }).stdout.trim();
    if (found === "" || Date.now() > until) return found === "" ? [] : found.split("\n");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("checkCommand leaves nothing behind", () => {
  it("a child that setsid()s and keeps stdout open: exit 0 is a pass, not a timeout, and the child is killed, every round", async () => {
    const marker = `health-setsid-${process.pid}-${Date.now()}`;
    for (let round = 0; round < 3; round++) {
      const started = Date.now();
      const result = await checkCommand({
        // setsid puts the sleep in a new session, out of our process group, holding stdout open.
        command: `setsid bash -c 'exec -a ${marker} sleep 30' & exit 0`,
        timeoutSec: 4,
      });
      expect(result).toMatchObject({ ok: true, reason: "exit status 0" });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await survivors(marker)).toEqual([]);
    }
  });

  it("a background job left in the group is killed when the command exits", async () => {
    const marker = `health-bg-${process.pid}-${Date.now()}`;
    const result = await checkCommand({
      command: `bash -c 'exec -a ${marker} sleep 30' >/dev/null 2>&1 & echo started`,
      timeoutSec: 4,
    });
    expect(result).toMatchObject({ ok: true, reason: "exit status 0", details: { output: "started" } });
    expect(await survivors(marker)).toEqual([]);
  });

  it("on timeout the escaped child is killed too", async () => {
    const marker = `health-escape-${process.pid}-${Date.now()}`;
    const result = await checkCommand({
      command: `setsid bash -c 'exec -a ${marker} sleep 30' & sleep 30`,
      timeoutSec: 0.5,
    });
    expect(result).toMatchObject({ ok: false, reason: "timed out after 0.5s" });
    expect(await survivors(marker)).toEqual([]);
  });
});
