import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCommand } from "../../src/health/command-check.js";
import { checkHttp } from "../../src/health/http-check.js";
import { checkTcp } from "../../src/health/tcp-check.js";

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
    expect((await checkHttp({ url: "ftp://127.0.0.1/" })).reason).toBe("unsupported protocol ftp:");
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
