import { readFile } from "node:fs/promises";
import type { DampeningOptions } from "../health/dampening.js";
import type { GateOptions } from "../health/gate.js";
import { isIpv4 } from "../wire/address.js";
import { canonicalPrefix, checkAddress, splitHostPort } from "./addresses.js";
import {
  type AnnouncerSettings,
  checkSettings,
  type DampeningSettings,
  mergeSettings,
  type PeerSettings,
  type PrefixSettings,
  type RouteSettings,
  type ServiceSettings,
  SettingsError,
} from "./settings.js";
import { type ResolvedTransport, resolveTransport } from "./transport.js";

/** The route attributes the announcer hands to `BgpSpeaker.announce` (a subset of AnnounceAttributes). */
export interface AnnouncedAttributes {
  nextHop?: string;
  med?: number;
  localPref?: number;
  communities?: readonly string[];
  largeCommunities?: readonly string[];
  asPathPrepend?: number;
  peers?: readonly string[];
}

export interface ResolvedPrefix {
  readonly prefix: string;
  readonly up: AnnouncedAttributes;
  /** "withdraw" with --withdraw-on-down, otherwise announced with --down-med (ExaBGP's default). */
  readonly down: AnnouncedAttributes | "withdraw";
  readonly disabled: AnnouncedAttributes | "withdraw";
}

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
  readonly disableFile?: string;
  readonly prefixes: readonly ResolvedPrefix[];
  readonly execute: {
    readonly any?: string;
    readonly up?: string;
    readonly down?: string;
    readonly disabled?: string;
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
}

/** ExaBGP healthcheck's defaults: metric 100 up, 1000 down, 500 disabled; 5 s / 1 s; rise and fall 3. */
export const DEFAULTS = {
  upMed: 100,
  downMed: 1000,
  disabledMed: 500,
  intervalSec: 5,
  fastIntervalSec: 1,
  timeoutSec: 5,
  rise: 3,
  fall: 3,
  bgpPort: 179,
  shutdownTimeoutSec: 5,
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

/** File, then flags over it, resolved into what the announcer runs. */
export function resolveConfig(file: AnnouncerSettings, flags: AnnouncerSettings): ResolvedConfig {
  const top = mergeSettings(file, flags);
  if (top.localAs === undefined) throw new SettingsError("--local-as is required");
  const localAddress =
    top.localAddress === undefined ? undefined : checkAddress("localAddress", top.localAddress);
  const routerId =
    top.routerId ?? (localAddress !== undefined && isIpv4(localAddress) ? localAddress : undefined);
  if (routerId === undefined || !isIpv4(routerId)) {
    throw new SettingsError("--router-id (a dotted quad) is required unless --local-address is IPv4");
  }
  const peers = (top.peer ?? []).map((peer, i) => resolvePeer(`peer[${i}]`, peer, top, localAddress));
  if (peers.length === 0) throw new SettingsError("at least one --peer is required");

  const services: ResolvedService[] = [];
  if ((top.ip ?? []).length > 0) services.push(resolveService("top level", top, {}, "default"));
  (top.services ?? []).forEach((service, i) => {
    services.push(resolveService(`services[${i}]`, service, top, `service-${i + 1}`));
  });
  if (services.length === 0) throw new SettingsError("no prefix to announce: give --ip or services[].ip");
  const seen = new Set<string>();
  for (const { prefixes } of services) {
    for (const { prefix } of prefixes) {
      if (seen.has(prefix)) throw new SettingsError(`prefix ${prefix} is listed twice`);
      seen.add(prefix);
    }
  }

  const listen =
    top.listen === undefined ? undefined : splitHostPort("listen", top.listen, { portOnly: true });
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
  };
}

function resolvePeer(
  where: string,
  peer: string | PeerSettings,
  top: AnnouncerSettings,
  localAddress: string | undefined,
): ResolvedPeer {
  const object = typeof peer === "string" ? { address: peer } : peer;
  const { host, port: portInAddress } = splitHostPort(where, object.address);
  if (host === undefined) throw new SettingsError(`${where}: no address in "${object.address}"`);
  const asn = object.peerAs ?? top.peerAs;
  if (asn === undefined) throw new SettingsError(`${where}: --peer-as is required`);
  const local = object.localAddress === undefined ? localAddress : checkAddress(where, object.localAddress);
  const holdTime = object.holdTime ?? top.holdTime;
  const transport = resolveTransport(where, object, top);
  return {
    address: checkAddress(where, host),
    port: object.port ?? portInAddress ?? DEFAULTS.bgpPort,
    asn,
    ...(local === undefined ? {} : { localAddress: local }),
    ...(holdTime === undefined ? {} : { holdTime }),
    ...(object.passive === undefined ? {} : { passive: object.passive }),
    ...(object.name === undefined ? {} : { name: object.name }),
    ...(Object.keys(transport).length === 0 ? {} : { transport }),
  };
}

/** A service's own settings, falling back to the top level's for anything it leaves out. */
function resolveService(
  where: string,
  own: ServiceSettings,
  parent: ServiceSettings,
  fallbackName: string,
): ResolvedService {
  const pick = <K extends keyof ServiceSettings>(key: K): ServiceSettings[K] => own[key] ?? parent[key];
  const route: RouteSettings = { ...routeOf(parent), ...routeOf(own) };
  const hasOwnCheck = ["command", "http", "tcp", "socket"].some(
    (key) => own[key as keyof ServiceSettings] !== undefined,
  );
  const checkSource = hasOwnCheck ? own : parent;
  const checks = resolveChecks(where, checkSource);
  const dampening = resolveDampening(pick("dampening"));
  const intervalSec = pick("interval") ?? DEFAULTS.intervalSec;
  return {
    name: own.name ?? fallbackName,
    checks,
    timeoutSec: pick("timeout") ?? DEFAULTS.timeoutSec,
    gate: {
      intervalSec,
      // A "fast" interval slower than the normal one makes no sense: --interval 0.1 alone means 0.1 throughout.
      fastIntervalSec: pick("fastInterval") ?? Math.min(DEFAULTS.fastIntervalSec, intervalSec),
      rise: pick("rise") ?? DEFAULTS.rise,
      fall: pick("fall") ?? DEFAULTS.fall,
      holdDownSec: pick("holdDown") ?? 0,
      ...(dampening === undefined ? {} : { dampening }),
    },
    ...(pick("disable") === undefined ? {} : { disableFile: pick("disable") }),
    prefixes: (own.ip ?? []).map((item, i) => resolvePrefix(`${where}.ip[${i}]`, item, route)),
    execute: {
      ...(pick("execute") === undefined ? {} : { any: pick("execute") }),
      ...(pick("upExecute") === undefined ? {} : { up: pick("upExecute") }),
      ...(pick("downExecute") === undefined ? {} : { down: pick("downExecute") }),
      ...(pick("disabledExecute") === undefined ? {} : { disabled: pick("disabledExecute") }),
    },
  };
}

function routeOf(settings: RouteSettings): RouteSettings {
  const { nextHop, upMed, downMed, disabledMed, community, largeCommunity, asPath, localPref } = settings;
  const out: Record<string, unknown> = { nextHop, upMed, downMed, disabledMed, community, largeCommunity };
  Object.assign(out, { asPath, localPref, withdrawOnDown: settings.withdrawOnDown, peers: settings.peers });
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as RouteSettings;
}

function resolveChecks(where: string, settings: ServiceSettings): CheckSpec[] {
  const checks: CheckSpec[] = [];
  if (settings.command !== undefined) checks.push({ kind: "command", command: settings.command });
  if (settings.http !== undefined) {
    let url: URL;
    try {
      url = new URL(settings.http);
    } catch {
      throw new SettingsError(`${where}: --http "${settings.http}" is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new SettingsError(`${where}: --http needs an http:// or https:// URL`);
    }
    checks.push({ kind: "http", url: url.href });
  }
  if (settings.tcp !== undefined) {
    const { host, port } = splitHostPort(`${where}: --tcp`, settings.tcp);
    if (host === undefined || port === undefined) throw new SettingsError(`${where}: --tcp needs HOST:PORT`);
    checks.push({ kind: "tcp", host, port });
  }
  if (settings.socket !== undefined) {
    const { host, port } = splitHostPort(`${where}: --socket`, settings.socket, { portOnly: true });
    if (port === undefined) throw new SettingsError(`${where}: --socket needs [HOST:]PORT`);
    checks.push({ kind: "socket", port, ...(host === undefined ? {} : { host: checkAddress(where, host) }) });
  }
  if (checks.length === 0) {
    throw new SettingsError(`${where}: no health check: give --command, --http, --tcp or --socket`);
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

/** The next hop of the prefix's own family; none: the speaker uses its address on each session. */
function nextHopFor(
  where: string,
  prefix: string,
  nextHops: readonly string[] | undefined,
): { nextHop?: string } {
  const addresses = (nextHops ?? []).map((text) => checkAddress(where, text));
  const v6 = addresses.filter((address) => address.includes(":"));
  const v4 = addresses.filter((address) => !address.includes(":"));
  if (v4.length > 1 || v6.length > 1)
    throw new SettingsError(`${where}: at most one IPv4 and one IPv6 next hop`);
  const chosen = prefix.includes(":") ? v6[0] : v4[0];
  return chosen === undefined ? {} : { nextHop: chosen };
}

function resolvePrefix(
  where: string,
  item: string | PrefixSettings,
  inherited: RouteSettings,
): ResolvedPrefix {
  const own: RouteSettings = typeof item === "string" ? {} : routeOf(item);
  const route = { ...inherited, ...own };
  const prefix = canonicalPrefix(where, typeof item === "string" ? item : item.prefix);
  const base: AnnouncedAttributes = {
    ...nextHopFor(`${where}.nextHop`, prefix, route.nextHop),
    ...(route.localPref === undefined ? {} : { localPref: route.localPref }),
    ...(route.community === undefined ? {} : { communities: route.community }),
    ...(route.largeCommunity === undefined ? {} : { largeCommunities: route.largeCommunity }),
    ...(route.asPath === undefined || route.asPath === 0 ? {} : { asPathPrepend: route.asPath }),
    ...(route.peers === undefined ? {} : { peers: route.peers }),
  };
  const withMed = (med: number): AnnouncedAttributes => ({ ...base, med });
  const withdraw = route.withdrawOnDown ?? false;
  return {
    prefix,
    up: withMed(route.upMed ?? DEFAULTS.upMed),
    down: withdraw ? "withdraw" : withMed(route.downMed ?? DEFAULTS.downMed),
    disabled: withdraw ? "withdraw" : withMed(route.disabledMed ?? DEFAULTS.disabledMed),
  };
}
