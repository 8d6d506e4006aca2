/**
 * `--status-listen`: the announcer's /metrics, /status and /healthz. prom-client is loaded only
 * when the flag is given (src/metrics is imported lazily).
 * @module
 */
import type { HealthMonitor } from "../health/monitor.js";
import type { StatusServer } from "../metrics/server.js";
import type { BgpSpeaker } from "../speaker/speaker.js";
import { packageVersion } from "../version.js";
import { isIpv4, isIpv6 } from "../wire/address.js";
import { checkAddress } from "./addresses.js";
import { SettingsError } from "./settings.js";

export interface StatusListen {
  readonly host: string;
  readonly port: number;
}

/** Without an address the pages are for this host only. */
export const DEFAULT_STATUS_HOST = "127.0.0.1";

/** "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT"; SettingsError (exit 2) for anything else. */
export function parseStatusListen(where: string, text: string): StatusListen {
  const bad = (why: string) =>
    new SettingsError(
      `${where}: ${why} in "${text}": expected ADDR:PORT, [IPV6]:PORT, :PORT or PORT (1-65535)`,
    );
  let host: string | undefined;
  let portText: string;
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1];
    portText = bracketed[2];
    if (!isIpv6(host)) throw bad("not an IPv6 address");
  } else if (text.startsWith("[")) {
    throw bad("bad port");
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) {
      portText = text;
    } else {
      host = text.slice(0, colon) || undefined;
      portText = text.slice(colon + 1);
      if (host !== undefined && !isIpv4(host)) {
        throw bad(isIpv6(host) || isIpv6(text) ? "an IPv6 address needs brackets" : "not an IP address");
      }
    }
  }
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw bad("bad port");
  return { host: host === undefined ? DEFAULT_STATUS_HOST : checkAddress(where, host), port };
}

export interface StatusPageSources {
  readonly speaker: BgpSpeaker;
  /** The monitors now running (they change on reload). */
  readonly monitors: () => readonly HealthMonitor[];
  /** Prefixes announced now. */
  readonly announced: () => readonly string[];
  /** True once shutdown began: /healthz answers 503. */
  readonly shuttingDown: () => boolean;
}

/** Starts the status server; rejects with the reason (in use, permission) when it cannot listen. */
export async function startStatusPage(
  listen: StatusListen,
  sources: StatusPageSources,
): Promise<StatusServer> {
  const { collectStatus, createMetricsRegistry, startStatusServer } = await import("../metrics/index.js");
  const metricSources = { speaker: sources.speaker, monitors: sources.monitors };
  const registry = createMetricsRegistry(metricSources);
  const version = packageVersion();
  const startedAt = new Date();
  return startStatusServer({
    host: listen.host,
    port: listen.port,
    registry,
    status: () => ({
      version,
      pid: process.pid,
      startedAt: startedAt.toISOString(),
      uptimeSec: (Date.now() - startedAt.getTime()) / 1000,
      announced: sources.announced(),
      ...collectStatus(metricSources),
    }),
    health: () => {
      if (sources.shuttingDown()) return { ok: false, reason: "shutting down" };
      const stopped = sources.monitors().filter((monitor) => !monitor.isRunning);
      if (stopped.length > 0) {
        return { ok: false, reason: `health monitor stopped: ${stopped.map((m) => m.name).join(", ")}` };
      }
      return { ok: true };
    },
  });
}
