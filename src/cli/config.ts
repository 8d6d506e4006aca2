import { readFile } from "node:fs/promises";
import type { DampeningOptions } from "../health/dampening.js";
import { DEFAULT_EXIT_TIMEOUT_SEC } from "../health/exit.js";
import { GATE_DEFAULTS, type GateOptions } from "../health/gate.js";
import { BGP_PORT } from "../session/types.js";
import type { BfdPeerOptions } from "../speaker/bfd.js";
import { canonicalAddress, isIpv4 } from "../wire/address.js";
import { checkAddress, checkSessionAddress, splitHostPort } from "./addresses.js";
import { EXABGP_ALIASES } from "./args.js";
import { resolveBfd } from "./bfd.js";
import {
  DEFAULT_UP_MED,
  expand,
  type Origin,
  type PrefixContext,
  type ResolvedPrefix,
  resolvePrefix,
  routeOf,
} from "./prefix-config.js";
import {
  type AnnouncerSettings,
  checkSettings,
  type DampeningSettings,
  mergeSettings,
  type PeerSettings,
  type RouteSettings,
  type ServiceSettings,
  SettingsError,
} from "./settings.js";
import { parseStatusListen, type StatusListen } from "./status.js";
import { type ResolvedTransport, resolveTransport } from "./transport.js";

export type CheckSpec =
  | { readonly kind: "command"; readonly command: string }
  | { readonly kind: "http"; readonly url: string }
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "socket"; readonly host?: string; readonly port: number };

export interface ResolvedService {
  readonly name: string;
  readonly checks: readonly CheckSpec[];
  readonly timeoutSec: number;
  readonly gate: GateOptions;
  /** --interval 0: check until a state is reached, announce it, and check no more (ExaBGP's meaning). */
  readonly once: boolean;
  /** --stale-after, seconds: HealthMonitor's option of the same name. */
  readonly staleAfter: number;
  /** A check still running after this is abandoned as failed (2 x timeout). */
  readonly checkDeadlineSec: number;
  readonly checksRequired?: number;
  readonly disableFile?: string;
  readonly prefixes: readonly ResolvedPrefix[];
  readonly execute: {
    readonly any: readonly string[];
    readonly up: readonly string[];
    readonly down: readonly string[];
    readonly disabled: readonly string[];
  };
}

export interface ResolvedPeer {
  readonly address: string;
  readonly port: number;
  readonly asn: number;
  readonly localAddress?: string;
  readonly holdTime?: number;
  readonly passive?: boolean;
  readonly name?: string;
  /** TCP-MD5 password, GTSM, multihop (cli/transport.ts). */
  readonly transport?: ResolvedTransport;
  /** BFD (cli/bfd.ts): the addPeer `bfd` option. */
  readonly bfd?: true | BfdPeerOptions;
}

export interface ResolvedConfig {
  readonly speaker: {
    readonly asn: number;
    readonly routerId: string;
    readonly listen?: { readonly host?: string; readonly port: number };
    readonly holdTime?: number;
    readonly connectRetry?: number;
  };
  readonly peers: readonly ResolvedPeer[];
  readonly services: readonly ResolvedService[];
  readonly json: boolean;
  readonly shutdownTimeoutSec: number;
  /** --status-listen: where /metrics, /status and /healthz are served. */
  readonly statusListen?: StatusListen;
  /** RFC 8326 drain before a withdraw on DISABLED, shutdown and reload removal (0: none). */
  readonly drainSec: number;
  readonly logLevel: "silent" | "info" | "debug";
  readonly pidFile?: string;
  readonly user?: string;
  readonly group?: string;
  readonly ip: {
    /** Add the prefixes' addresses to `lo` at start, remove them at exit. */
    readonly setup: boolean;
    readonly dynamic: boolean;
    readonly label?: string;
    readonly sudo: boolean;
  };
}

/** ExaBGP healthcheck's defaults: metric 100 up, 1000 down, 500 disabled; 5 s / 1 s; rise and fall 3. */
export const DEFAULTS = {
  upMed: DEFAULT_UP_MED,
  downMed: 1000,
  disabledMed: 500,
  intervalSec: GATE_DEFAULTS.intervalSec,
  fastIntervalSec: GATE_DEFAULTS.fastIntervalSec,
  timeoutSec: 5,
  rise: GATE_DEFAULTS.rise,
  fall: GATE_DEFAULTS.fall,
  bgpPort: BGP_PORT,
  shutdownTimeoutSec: DEFAULT_EXIT_TIMEOUT_SEC,
} as const;

/** Reads and validates a JSON config file. */
export async function loadConfigFile(path: string): Promise<AnnouncerSettings> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SettingsError(`cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return checkSettings(path, parsed);
}

const MAX_ASN = 0xffffffff;

/** The flag of a settings key, with ExaBGP's name beside ours where they differ ("--up-med/--up-metric"). */
function flagName(key: string): string {
  if (key === "peers") return "--neighbor";
  const ours = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const theirs = Object.entries(EXABGP_ALIASES).find(([, name]) => name === ours)?.[0];
  return theirs === undefined ? `--${ours}` : `--${ours}/--${theirs}`;
}

/** File, then flags over it, resolved into what the announcer runs. Throws SettingsError naming the setting. */
export function resolveConfig(file: AnnouncerSettings, flags: AnnouncerSettings): ResolvedConfig {
  const top = mergeSettings(file, flags);
  if (top.localAs === undefined) throw new SettingsError("--local-as is required");
  if (top.localAs < 1 || top.localAs > MAX_ASN) {
    throw new SettingsError(`--local-as: expected an AS number 1-4294967295, got ${top.localAs}`);
  }
  if (top.peerAs !== undefined && (top.peerAs < 1 || top.peerAs > MAX_ASN)) {
    throw new SettingsError(`--peer-as: expected an AS number 1-4294967295, got ${top.peerAs}`);
  }
  checkHoldTime("--hold-time", top.holdTime);
  if (top.connectRetry !== undefined && (top.connectRetry < 1 || top.connectRetry > 65535)) {
    throw new SettingsError(
      `--connect-retry (connectRetry): expected seconds 1-65535, got ${top.connectRetry}`,
    );
  }
  const localAddress =
    top.localAddress === undefined ? undefined : checkSessionAddress("--local-address", top.localAddress);
  const routerId =
    top.routerId ?? (localAddress !== undefined && isIpv4(localAddress) ? localAddress : undefined);
  if (routerId === undefined) {
    throw new SettingsError("--router-id (a dotted quad) is required unless --local-address is IPv4");
  }
  if (!isIpv4(routerId) || canonicalAddress(routerId) === "0.0.0.0") {
    throw new SettingsError(
      `--router-id: expected a dotted quad other than 0.0.0.0 (RFC 6286), got ${JSON.stringify(routerId)}`,
    );
  }
  const peers = (top.peer ?? []).map((peer, i) => resolvePeer(`peer[${i}]`, peer, top, localAddress));
  if (peers.length === 0) throw new SettingsError("at least one --peer is required");
  const names = new Set<string>();
  for (const peer of peers) {
    const name = peer.name ?? peer.address;
    if (names.has(name)) throw new SettingsError(`--peer ${name} is listed twice`);
    names.add(name);
  }

  const context: PrefixContext = {
    localAs: top.localAs,
    peers,
    deaggregate: top.deaggregateNetworks ?? false,
  };
  const services: ResolvedService[] = [];
  const startIp = top.startIp ?? 0;
  if ((top.ip ?? []).length > 0) {
    services.push(resolveService("", top, {}, "default", (key) => flagName(key), context, startIp));
  }
  (top.services ?? []).forEach((service, i) => {
    const where = `services[${i}]`;
    const origin: Origin = (key) =>
      service[key as keyof ServiceSettings] === undefined ? flagName(key) : `${where}.${key}`;
    services.push(resolveService(where, service, top, `service-${i + 1}`, origin, context, startIp));
  });
  if (services.length === 0) throw new SettingsError("no prefix to announce: give --ip or services[].ip");
  const seen = new Set<string>();
  for (const { prefixes } of services) {
    for (const { prefix } of prefixes) {
      if (seen.has(prefix)) throw new SettingsError(`prefix ${prefix} is listed twice`);
      seen.add(prefix);
    }
  }
  const serviceNames = new Set<string>();
  for (const { name } of services) {
    if (serviceNames.has(name)) throw new SettingsError(`service name ${JSON.stringify(name)} is used twice`);
    serviceNames.add(name);
  }

  const listen =
    top.listen === undefined ? undefined : splitHostPort("--listen", top.listen, { portOnly: true });
  if (listen?.host !== undefined) checkAddress("--listen", listen.host);
  if (top.debug === true && top.silent === true) {
    throw new SettingsError("--debug and --silent exclude each other");
  }
  return {
    speaker: {
      asn: top.localAs,
      routerId,
      ...(listen === undefined ? {} : { listen: { ...listen, port: listen.port ?? DEFAULTS.bgpPort } }),
      ...(top.holdTime === undefined ? {} : { holdTime: top.holdTime }),
      ...(top.connectRetry === undefined ? {} : { connectRetry: top.connectRetry }),
    },
    peers,
    services,
    json: top.json ?? false,
    shutdownTimeoutSec: top.shutdownTimeout ?? DEFAULTS.shutdownTimeoutSec,
    ...(top.statusListen === undefined
      ? {}
      : { statusListen: parseStatusListen("--status-listen", top.statusListen) }),
    drainSec: top.drainTime ?? 0,
    logLevel: top.debug === true ? "debug" : top.silent === true ? "silent" : "info",
    ...(top.pid === undefined ? {} : { pidFile: top.pid }),
    ...(top.user === undefined ? {} : { user: top.user }),
    ...(top.group === undefined ? {} : { group: top.group }),
    ip: {
      setup: top.ipSetup ?? false,
      dynamic: top.ipDynamic ?? false,
      ...(top.label === undefined ? {} : { label: top.label }),
      sudo: top.sudo ?? false,
    },
  };
}

/** RFC 4271 §4.2: zero, or at least three seconds; two octets on the wire. */
function checkHoldTime(where: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value > 65535 || (value !== 0 && value < 3)) {
    throw new SettingsError(`${where}: expected 0 or whole seconds 3-65535 (RFC 4271), got ${value}`);
  }
}

function resolvePeer(
  where: string,
  peer: string | PeerSettings,
  top: AnnouncerSettings,
  localAddress: string | undefined,
): ResolvedPeer {
  const object = typeof peer === "string" ? { address: peer } : peer;
  const at = typeof peer === "string" ? `--peer ${peer}` : where;
  const { host, port: portInAddress } = splitHostPort(at, object.address);
  if (host === undefined) throw new SettingsError(`${at}: no address in "${object.address}"`);
  const asn = object.peerAs ?? top.peerAs;
  if (asn === undefined) throw new SettingsError(`${at}: --peer-as is required`);
  if (asn < 1 || asn > MAX_ASN)
    throw new SettingsError(`${at}.peerAs: expected an AS number 1-4294967295, got ${asn}`);
  const local =
    object.localAddress === undefined
      ? localAddress
      : checkSessionAddress(`${at}.localAddress`, object.localAddress);
  const holdTime = object.holdTime ?? top.holdTime;
  checkHoldTime(`${at}.holdTime`, object.holdTime);
  const port = object.port ?? portInAddress ?? DEFAULTS.bgpPort;
  if (port < 1 || port > 65535) throw new SettingsError(`${at}.port: expected 1-65535, got ${port}`);
  const transport = resolveTransport(where, object, top);
  const bfd = resolveBfd(at, object, top);
  return {
    address: checkSessionAddress(at, host),
    port,
    asn,
    ...(local === undefined ? {} : { localAddress: local }),
    ...(holdTime === undefined ? {} : { holdTime }),
    ...(object.passive === undefined ? {} : { passive: object.passive }),
    ...(object.name === undefined ? {} : { name: object.name }),
    ...(Object.keys(transport).length === 0 ? {} : { transport }),
    ...(bfd === undefined ? {} : { bfd }),
  };
}

/** A service's own settings, falling back to the top level's for anything it leaves out. */
function resolveService(
  where: string,
  own: ServiceSettings,
  parent: ServiceSettings,
  fallbackName: string,
  origin: Origin,
  context: PrefixContext,
  startIp: number,
): ResolvedService {
  const pick = <K extends keyof ServiceSettings>(key: K): ServiceSettings[K] => own[key] ?? parent[key];
  const route: RouteSettings = { ...routeOf(parent), ...routeOf(own) };
  const hasOwnCheck = ["command", "http", "tcp", "socket"].some(
    (key) => own[key as keyof ServiceSettings] !== undefined,
  );
  const checkSource = hasOwnCheck ? own : parent;
  const checks = resolveChecks(where, checkSource, origin);
  const dampening = resolveDampening(pick("dampening"));
  const interval = pick("interval") ?? DEFAULTS.intervalSec;
  const once = interval === 0;
  if (pick("fastInterval") === 0) throw new SettingsError(`${origin("fastInterval")}: expected seconds > 0`);
  // With --interval 0 the checks run at the fast interval until a state is reached, then stop.
  const intervalSec = once ? (pick("fastInterval") ?? DEFAULTS.fastIntervalSec) : interval;
  // A "fast" interval slower than the normal one makes no sense: --interval 0.1 alone means 0.1 throughout.
  const fastIntervalSec = pick("fastInterval") ?? Math.min(DEFAULTS.fastIntervalSec, intervalSec);
  const timeoutSec = pick("timeout") ?? DEFAULTS.timeoutSec;
  if (timeoutSec === 0) throw new SettingsError(`${origin("timeout")}: expected seconds > 0`);
  // A check still running at twice its own timeout is abandoned (HealthMonitor's hard deadline).
  const checkDeadlineSec = 2 * timeoutSec;
  const longestWait = Math.max(intervalSec, pick("fastInterval") ?? 0) + checkDeadlineSec;
  const staleAfter = pick("staleAfter") ?? Math.max(3 * (intervalSec + timeoutSec), longestWait + 1);
  if (staleAfter <= longestWait) {
    throw new SettingsError(
      `${origin("staleAfter")}: ${staleAfter} s is not above the longest normal wait for a result, ${longestWait} s (interval + 2 x timeout)`,
    );
  }
  const checksRequired = pick("checksRequired");
  if (checksRequired !== undefined && checksRequired > checks.length) {
    throw new SettingsError(
      `${origin("checksRequired")}: ${checksRequired} checks required but the service has ${checks.length}`,
    );
  }
  const items = [...(own.ip ?? [])];
  // ExaBGP's --start-ip: rotate the list so that this index comes first (and gets the base MED).
  const rotateBy = items.length === 0 ? 0 : startIp % items.length;
  const rotated = [...items.slice(rotateBy), ...items.slice(0, rotateBy)];
  const ipWhere = where === "" ? "--ip" : `${where}.ip`;
  const prefixes: ResolvedPrefix[] = [];
  let index = 0;
  for (const item of rotated) {
    const at = `${ipWhere}[${items.indexOf(item)}]`;
    for (const prefix of expand(at, item, context.deaggregate)) {
      prefixes.push(resolvePrefix(at, prefix, item, route, origin, context, index++));
    }
  }
  const strings = (key: "execute" | "upExecute" | "downExecute" | "disabledExecute"): readonly string[] =>
    pick(key) ?? [];
  return {
    name: own.name ?? fallbackName,
    checks,
    timeoutSec,
    once,
    checkDeadlineSec,
    staleAfter,
    ...(checksRequired === undefined ? {} : { checksRequired }),
    gate: {
      intervalSec,
      fastIntervalSec,
      rise: pick("rise") ?? DEFAULTS.rise,
      fall: pick("fall") ?? DEFAULTS.fall,
      holdDownSec: pick("holdDown") ?? 0,
      ...(dampening === undefined ? {} : { dampening }),
    },
    ...(pick("disable") === undefined ? {} : { disableFile: pick("disable") }),
    prefixes,
    execute: {
      any: strings("execute"),
      up: strings("upExecute"),
      down: strings("downExecute"),
      disabled: strings("disabledExecute"),
    },
  };
}

function resolveChecks(where: string, settings: ServiceSettings, origin: Origin): CheckSpec[] {
  const checks: CheckSpec[] = [];
  if (settings.command !== undefined) checks.push({ kind: "command", command: settings.command });
  if (settings.http !== undefined) {
    let url: URL;
    try {
      url = new URL(settings.http);
    } catch {
      throw new SettingsError(`${origin("http")}: "${settings.http}" is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new SettingsError(`${origin("http")}: needs an http:// or https:// URL`);
    }
    checks.push({ kind: "http", url: url.href });
  }
  if (settings.tcp !== undefined) {
    const { host, port } = splitHostPort(origin("tcp"), settings.tcp);
    if (host === undefined || port === undefined)
      throw new SettingsError(`${origin("tcp")}: needs HOST:PORT`);
    checks.push({ kind: "tcp", host, port });
  }
  if (settings.socket !== undefined) {
    const { host, port } = splitHostPort(origin("socket"), settings.socket, { portOnly: true });
    if (port === undefined) throw new SettingsError(`${origin("socket")}: needs [HOST:]PORT`);
    checks.push({
      kind: "socket",
      port,
      ...(host === undefined ? {} : { host: checkAddress(origin("socket"), host) }),
    });
  }
  if (checks.length === 0) {
    throw new SettingsError(
      `${where === "" ? "" : `${where}: `}no health check: give --command (--cmd), --http, --tcp or --socket`,
    );
  }
  return checks;
}

function resolveDampening(value: boolean | DampeningSettings | undefined): DampeningOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {};
  return {
    ...(value.penalty === undefined ? {} : { penalty: value.penalty }),
    ...(value.halfLife === undefined ? {} : { halfLifeSec: value.halfLife }),
    ...(value.suppress === undefined ? {} : { suppressThreshold: value.suppress }),
    ...(value.reuse === undefined ? {} : { reuseThreshold: value.reuse }),
    ...(value.maxSuppress === undefined ? {} : { maxSuppressSec: value.maxSuppress }),
  };
}
