import http from "node:http";
import net from "node:net";
import { Gauge, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { type StatusServer, startStatusServer } from "../../src/metrics/index.js";
import { parseExposition, sample } from "../support/prometheus.js";

/** The status server on 127.0.52.0/24 (this file's own block), real HTTP requests. */
const HOST = "127.0.52.1";
const servers: StatusServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

interface Reply {
  readonly status: number;
  readonly type: string | undefined;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

function request(port: number, path: string, method = "GET", agent?: http.Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, path, method, ...(agent ? { agent } : {}) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          type: res.headers["content-type"],
          body,
          headers: res.headers,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function registryWith(value: number): Registry {
  const registry = new Registry();
  new Gauge({ name: "test_value", help: "a value", registers: [registry] }).set(value);
  return registry;
}

async function start(options: Partial<Parameters<typeof startStatusServer>[0]> = {}): Promise<StatusServer> {
  const server = await startStatusServer({
    host: HOST,
    port: 0,
    registry: registryWith(42),
    status: () => ({ peers: [], data: new Uint8Array([0xde, 0xad]) }),
    ...options,
  });
  servers.push(server);
  return server;
}

describe("startStatusServer", () => {
  it("serves /metrics in the Prometheus text format, /status as JSON and /healthz", async () => {
    let healthy = true;
    const server = await start({
      health: () => (healthy ? { ok: true } : { ok: false, reason: "shutting down" }),
    });
    expect(server.host).toBe(HOST);
    expect(server.port).toBeGreaterThan(0);

    const metrics = await request(server.port, "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(sample(await parseExposition(metrics.body), "test_value")).toBe(42);

    const status = await request(server.port, "/status?pretty=1");
    expect(status.status).toBe(200);
    expect(status.type).toMatch(/^application\/json/);
    expect(JSON.parse(status.body)).toEqual({ peers: [], data: "dead" });

    expect(await request(server.port, "/healthz")).toMatchObject({
      status: 200,
      body: '{\n  "ok": true\n}\n',
    });
    healthy = false;
    const down = await request(server.port, "/healthz");
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toEqual({ ok: false, reason: "shutting down" });
  });

  it("answers 404, 405 and HEAD properly, and 500 without dying when a source throws", async () => {
    let fail = true;
    const server = await start({
      status: () => {
        if (fail) throw new Error("no status today");
        return { fine: true };
      },
    });
    const missing = await request(server.port, "/nope");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).pages).toEqual(["/metrics", "/status", "/healthz"]);
    const post = await request(server.port, "/metrics", "POST");
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    const head = await request(server.port, "/metrics", "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    const broken = await request(server.port, "/status");
    expect(broken.status).toBe(500);
    expect(JSON.parse(broken.body)).toEqual({ error: "no status today" });
    fail = false;
    expect(JSON.parse((await request(server.port, "/status")).body)).toEqual({ fine: true });
  });

  it("survives garbage on the socket", async () => {
    const server = await start();
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, HOST, () => socket.end("NOT HTTP AT ALL\r\n\r\n"));
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
      socket.resume();
    });
    expect((await request(server.port, "/healthz")).status).toBe(200);
  });

  it("refuses a bad port at the call, and says why it cannot listen", async () => {
    await expect(start({ port: 70_000 })).rejects.toThrow(RangeError);
    await expect(start({ port: -1 })).rejects.toThrow(/invalid port -1: expected an integer 0-65535/);
    await expect(start({ registry: {} as Registry })).rejects.toThrow(
      /registry must be a prom-client Registry/,
    );
    await expect(start({ status: "x" as unknown as () => unknown })).rejects.toThrow(
      /status must be a function/,
    );
    const first = await start();
    await expect(start({ port: first.port })).rejects.toThrow(
      new RegExp(`cannot listen on ${HOST.replaceAll(".", "\\.")}:${first.port}: address already in use`),
    );
  });

  it("close() ends keep-alive connections and frees the port", async () => {
    const server = await start();
    const agent = new http.Agent({ keepAlive: true });
    expect((await request(server.port, "/healthz", "GET", agent)).status).toBe(200);
    const closed = server.close();
    await expect(closed).resolves.toBeUndefined();
    await expect(server.close()).resolves.toBeUndefined(); // idempotent
    await expect(request(server.port, "/healthz")).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
    // The same port can be bound again at once.
    servers.push(
      await startStatusServer({
        host: HOST,
        port: server.port,
        registry: new Registry(),
        status: () => ({}),
      }),
    );
  });
});
