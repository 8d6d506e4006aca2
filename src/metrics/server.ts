import http from "node:http";
import type { AddressInfo } from "node:net";
import createDebug from "debug";
import type { Registry } from "prom-client";

const debug = createDebug("bgp:metrics");

/**
 * What `/healthz` reports: the process itself, not the services it checks.
 * @category Metrics
 */
export interface SelfHealth {
  /** True answers 200, false 503. */
  readonly ok: boolean;
  /** Shown in the response body, e.g. why it is not ok. */
  readonly reason?: string;
}

/**
 * Options for `startStatusServer`.
 * @category Metrics
 */
export interface StatusServerOptions {
  /** Address to bind (default 127.0.0.1: metrics are for the host's scraper, not the world). */
  readonly host?: string;
  /** TCP port; 0 picks a free one (see `StatusServer.port`). */
  readonly port: number;
  /** Served at `GET /metrics`, in the Prometheus text format. */
  readonly registry: Registry;
  /** Served at `GET /status` as JSON; called per request. */
  readonly status: () => unknown;
  /** `GET /healthz`: 200 when ok, 503 otherwise (default: always ok while the server runs). */
  readonly health?: () => SelfHealth;
}

/**
 * A running status server.
 * @category Metrics
 */
export interface StatusServer {
  /** The address it listens on. */
  readonly host: string;
  /** The TCP port it listens on (the one picked, when 0 was asked for). */
  readonly port: number;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

/** Hex for NOTIFICATION data and other byte arrays, so every status survives JSON.stringify. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString("hex") : value;
}

/**
 * An HTTP server for a scraper and for people: `GET /metrics`, `GET /status`, `GET /healthz`.
 * Bad options throw here; a failing request answers 500 and never takes the process down.
 * @category Metrics
 */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const host = options.host ?? "127.0.0.1";
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new RangeError(`invalid port ${options.port}: expected an integer 0-65535`);
  }
  const { registry, status, health } = options;
  if (typeof (registry as { metrics?: unknown } | undefined)?.metrics !== "function") {
    throw new TypeError("registry must be a prom-client Registry");
  }
  if (typeof status !== "function")
    throw new TypeError("status must be a function returning the /status data");
  if (health !== undefined && typeof health !== "function") throw new TypeError("health must be a function");
  if (typeof host !== "string" || host === "") throw new TypeError("host must be an address or host name");

  const server = http.createServer((request, response) => {
    const send = (code: number, type: string, body: string) => {
      response.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    const json = (code: number, value: unknown) =>
      send(code, "application/json; charset=utf-8", `${JSON.stringify(value, jsonReplacer, 2)}\n`);
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      json(405, { error: `${request.method} not allowed` });
      return;
    }
    const answer = async () => {
      switch (path) {
        case "/metrics":
          send(200, registry.contentType, await registry.metrics());
          return;
        case "/status":
          json(200, status());
          return;
        case "/healthz": {
          const self = health?.() ?? { ok: true };
          json(self.ok ? 200 : 503, self);
          return;
        }
        default:
          json(404, { error: `no such page ${path}`, pages: ["/metrics", "/status", "/healthz"] });
      }
    };
    answer().catch((error: unknown) => {
      debug("%s failed: %o", path, error);
      if (response.headersSent) response.destroy();
      else json(500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  // A client error (garbage on the socket) closes that socket; nothing reaches the process.
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "EADDRINUSE"
          ? "address already in use"
          : error.code === "EACCES"
            ? "permission denied"
            : error.code === "EADDRNOTAVAIL"
              ? "address not available on this host"
              : error.message;
      reject(new Error(`status server cannot listen on ${host}:${options.port}: ${why}`, { cause: error }));
    };
    server.once("error", onError);
    server.listen(options.port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (error) => debug("status server error: %o", error));
  const address = server.address() as AddressInfo;
  debug("status server on %s:%d", address.address, address.port);
  let closed: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
