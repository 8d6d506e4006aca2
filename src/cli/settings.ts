/**
 * The announcer's settings as flags and the JSON config file both give them: one shape, keyed by the
 * long flag name in camelCase (`--fast-interval` is `"fastInterval"`). Flags and file go through the
 * same validation, so a value means the same wherever it was written.
 * @module
 */

import { withAliases } from "./transport.js";

/** RFC 2439 dampening parameters; `--dampening-*` flags, or the `"dampening"` object. */
export interface DampeningSettings {
  readonly penalty?: number;
  /** Seconds. */
  readonly halfLife?: number;
  readonly suppress?: number;
  readonly reuse?: number;
  /** Seconds. */
  readonly maxSuppress?: number;
}

/** What a prefix may set on its route (inherited from its service, then from the top level). */
export interface RouteSettings {
  /** One IPv4 and/or one IPv6 address: each prefix takes the one of its own family. */
  readonly nextHop?: readonly string[];
  readonly upMed?: number;
  readonly downMed?: number;
  readonly disabledMed?: number;
  /** RFC 1997 communities; an item may hold several separated by spaces, as ExaBGP writes them. */
  readonly community?: readonly string[];
  /** Communities used instead of `community` while DOWN or DISABLED (ExaBGP's --disabled-community). */
  readonly disabledCommunity?: readonly string[];
  readonly largeCommunity?: readonly string[];
  /** RFC 4360: 16 hex digits, or ExaBGP's `target:ASN:N` / `origin:ASN:N` / `target:IP:N`. */
  readonly extendedCommunity?: readonly string[];
  /**
   * Extra copies of our own AS prepended to the AS_PATH: a count (0-32), or ExaBGP's AS path text
   * ("65001 65001"), which may only repeat our own AS.
   */
  readonly asPath?: number | string;
  readonly upAsPath?: number | string;
  readonly downAsPath?: number | string;
  readonly disabledAsPath?: number | string;
  readonly localPref?: number;
  readonly withdrawOnDown?: boolean;
  /** ExaBGP's --increase: each further prefix of a service gets its MED raised by this much. */
  readonly increase?: number;
  /** Peer names or addresses the route goes to (default: every peer); ExaBGP's --neighbor. */
  readonly peers?: readonly string[];
}

/** One prefix in `"ip"`: a string, or an object with its own attributes. */
export interface PrefixSettings extends RouteSettings {
  readonly prefix: string;
}

/** A health check plus the prefixes it gates. */
export interface ServiceSettings extends RouteSettings {
  readonly name?: string;
  readonly command?: string;
  readonly http?: string;
  /** HOST:PORT */
  readonly tcp?: string;
  /** [HOST:]PORT of a local listener, judged from /proc/net/tcp{,6}. */
  readonly socket?: string;
  /** Seconds (fractions allowed), like every duration here. */
  readonly interval?: number;
  readonly fastInterval?: number;
  readonly timeout?: number;
  readonly rise?: number;
  readonly fall?: number;
  readonly holdDown?: number;
  readonly dampening?: boolean | DampeningSettings;
  /** A file whose existence forces DISABLED. */
  readonly disable?: string;
  readonly ip?: readonly (string | PrefixSettings)[];
  /** Commands run on transitions, in order (repeatable, like ExaBGP's). */
  readonly execute?: readonly string[];
  readonly upExecute?: readonly string[];
  readonly downExecute?: readonly string[];
  readonly disabledExecute?: readonly string[];
  /** Seconds without a check result after which the service counts as DOWN (default 3 x (interval + timeout)). */
  readonly staleAfter?: number;
  /** Checks that must pass for a round to pass (default: all of them). */
  readonly checksRequired?: number;
}

/** A BGP neighbor in `"peer"`: "ADDR[:PORT]" / "[V6]:PORT", or an object. */
export interface PeerSettings {
  readonly address: string;
  readonly port?: number;
  readonly peerAs?: number;
  readonly localAddress?: string;
  readonly holdTime?: number;
  readonly passive?: boolean;
  readonly name?: string;
  readonly md5Password?: string;
  readonly md5PasswordFile?: string;
  readonly ttlSecurity?: boolean;
  readonly multihop?: number;
  readonly outgoingTtl?: number;
  readonly incomingTtl?: number;
  /** BFD for this peer (cli/bfd.ts). */
  readonly bfd?: boolean;
  readonly bfdInterval?: number;
  readonly bfdMultiplier?: number;
  readonly bfdKeyFile?: string;
}

/** The whole file (and, with the flags, the whole command line). */
export interface AnnouncerSettings extends ServiceSettings {
  readonly peer?: readonly (string | PeerSettings)[];
  readonly peerAs?: number;
  readonly localAs?: number;
  readonly routerId?: string;
  readonly localAddress?: string;
  /** Seconds. */
  readonly holdTime?: number;
  readonly connectRetry?: number;
  /** HOST:PORT, [V6]:PORT or PORT. */
  readonly listen?: string;
  readonly json?: boolean;
  /** Seconds the shutdown waits for the speaker to close. */
  readonly shutdownTimeout?: number;
  /** ADDR:PORT, [V6]:PORT, :PORT or PORT of the /metrics, /status and /healthz pages. */
  readonly statusListen?: string;
  readonly services?: readonly ServiceSettings[];
  /** Write our PID to this file. */
  readonly pid?: string;
  /** Drop privileges to this user / group once the listener is bound and the IPs are set up. */
  readonly user?: string;
  readonly group?: string;
  readonly debug?: boolean;
  readonly silent?: boolean;
  /** Add the prefixes to `lo` at start (and remove them at exit). */
  readonly ipSetup?: boolean;
  /** Remove the prefixes from `lo` while DOWN or DISABLED, put them back on UP (ExaBGP's --dynamic-ip-setup). */
  readonly ipDynamic?: boolean;
  /** Label of the `lo` addresses: used to find them when no --ip is given, and given to added ones. */
  readonly label?: string;
  /** Run `ip` through sudo. */
  readonly sudo?: boolean;
  /** Announce every address of each --ip network as its own host route. */
  readonly deaggregateNetworks?: boolean;
  /** Rotate the prefix list so that this index comes first (with --increase: gets the lowest MED). */
  readonly startIp?: number;
  /** Seconds a leaving route is announced with GRACEFUL_SHUTDOWN (RFC 8326) before it is withdrawn. */
  readonly drainTime?: number;
  /** TCP-MD5 / GTSM / multihop for every peer (a peer's own settings win); see cli/transport.ts. */
  readonly md5Password?: string;
  readonly md5PasswordFile?: string;
  readonly ttlSecurity?: boolean;
  readonly multihop?: number;
  readonly outgoingTtl?: number;
  readonly incomingTtl?: number;
  /** BFD for every peer (a peer's own settings win); see cli/bfd.ts. */
  readonly bfd?: boolean;
  readonly bfdInterval?: number;
  readonly bfdMultiplier?: number;
  readonly bfdKeyFile?: string;
}

/**
 * How a value is checked: "words" is a list whose items may each hold several values separated by
 * spaces (ExaBGP's `--community "65000:1 65000:2"`); "aspath" is a count or a string of AS numbers.
 */
export type Kind = "string" | "seconds" | "uint" | "count" | "boolean" | "strings" | "words" | "aspath";

/** Scalar settings and their kinds; used for flags and for every object level of the file. */
export const ROUTE_KEYS = {
  nextHop: "strings",
  upMed: "uint",
  downMed: "uint",
  disabledMed: "uint",
  community: "words",
  disabledCommunity: "words",
  largeCommunity: "words",
  extendedCommunity: "words",
  asPath: "aspath",
  upAsPath: "aspath",
  downAsPath: "aspath",
  disabledAsPath: "aspath",
  localPref: "uint",
  withdrawOnDown: "boolean",
  increase: "uint",
  peers: "strings",
} as const satisfies Record<string, Kind>;

export const SERVICE_KEYS = {
  ...ROUTE_KEYS,
  name: "string",
  command: "string",
  http: "string",
  tcp: "string",
  socket: "string",
  interval: "seconds",
  fastInterval: "seconds",
  timeout: "seconds",
  rise: "count",
  fall: "count",
  holdDown: "seconds",
  disable: "string",
  execute: "strings",
  upExecute: "strings",
  downExecute: "strings",
  disabledExecute: "strings",
  staleAfter: "seconds",
  checksRequired: "count",
} as const satisfies Record<string, Kind>;

/** TCP-MD5, GTSM and multihop (cli/transport.ts); ExaBGP's spellings are aliases in the file. */
const TRANSPORT_KEYS = {
  md5Password: "string",
  md5PasswordFile: "string",
  ttlSecurity: "boolean",
  multihop: "count",
  outgoingTtl: "count",
  incomingTtl: "count",
} as const satisfies Record<string, Kind>;

/** BFD (cli/bfd.ts). */
const BFD_KEYS = {
  bfd: "boolean",
  bfdInterval: "seconds",
  bfdMultiplier: "count",
  bfdKeyFile: "string",
} as const satisfies Record<string, Kind>;

export const TOP_KEYS = {
  ...SERVICE_KEYS,
  peerAs: "uint",
  localAs: "uint",
  routerId: "string",
  localAddress: "string",
  holdTime: "seconds",
  connectRetry: "seconds",
  listen: "string",
  json: "boolean",
  shutdownTimeout: "seconds",
  statusListen: "string",
  pid: "string",
  user: "string",
  group: "string",
  debug: "boolean",
  silent: "boolean",
  ipSetup: "boolean",
  ipDynamic: "boolean",
  label: "string",
  sudo: "boolean",
  deaggregateNetworks: "boolean",
  startIp: "uint",
  drainTime: "seconds",
  ...TRANSPORT_KEYS,
  ...BFD_KEYS,
} as const satisfies Record<string, Kind>;

export const DAMPENING_KEYS = {
  penalty: "uint",
  halfLife: "seconds",
  suppress: "uint",
  reuse: "uint",
  maxSuppress: "seconds",
} as const satisfies Record<string, Kind>;

export const PEER_KEYS = {
  address: "string",
  port: "uint",
  peerAs: "uint",
  localAddress: "string",
  holdTime: "seconds",
  passive: "boolean",
  name: "string",
  ...TRANSPORT_KEYS,
  ...BFD_KEYS,
} as const satisfies Record<string, Kind>;

/** A bad setting: says where it was written and what was expected. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

/** Checks one value of a kind; flags give text that is parsed, the JSON file must use real numbers. */
export function coerce(where: string, kind: Kind, value: unknown, fromFlag = false): unknown {
  const number = fromFlag && typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  switch (kind) {
    case "string":
      if (typeof value !== "string" || value === "") throw new SettingsError(`${where}: expected a string`);
      return value;
    case "words": {
      const list = coerce(where, "strings", value) as string[];
      const words = list.flatMap((item) => item.split(/[\s,]+/)).filter((word) => word !== "");
      if (words.length === 0) throw new SettingsError(`${where}: expected at least one value`);
      return words;
    }
    case "aspath":
      if (typeof value === "number" || (fromFlag && /^\d+$/.test(String(value).trim()))) {
        return coerce(where, "uint", value, fromFlag);
      }
      if (typeof value !== "string" || !/^[\s\d]+$/.test(value) || value.trim() === "") {
        throw new SettingsError(
          `${where}: expected a prepend count 0-32 or an AS path of our own AS repeated ("65001 65001"), got ${show(value)}`,
        );
      }
      return value.trim();
    case "strings":
      if (typeof value === "string") return [value];
      if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
        throw new SettingsError(`${where}: expected a list of strings`);
      }
      return value;
    case "seconds":
      if (typeof number !== "number" || !Number.isFinite(number) || number < 0) {
        throw new SettingsError(`${where}: expected seconds >= 0 (fractions allowed), got ${show(value)}`);
      }
      return number;
    case "uint":
    case "count":
      if (
        typeof number !== "number" ||
        !Number.isInteger(number) ||
        number < (kind === "count" ? 1 : 0) ||
        number > 0xffffffff
      ) {
        const least = kind === "count" ? 1 : 0;
        throw new SettingsError(`${where}: expected an integer >= ${least}, got ${show(value)}`);
      }
      return number;
    case "boolean":
      if (typeof value !== "boolean") throw new SettingsError(`${where}: expected true or false`);
      return value;
    default: {
      const unreachable: never = kind;
      throw new SettingsError(`unknown kind ${String(unreachable)}`);
    }
  }
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks an object against a key table; unknown keys are errors (a typo must not pass silently). */
function checkObject(
  where: string,
  value: unknown,
  keys: Readonly<Record<string, Kind>>,
  nested: Readonly<Record<string, (where: string, value: unknown) => unknown>> = {},
): Record<string, unknown> {
  if (!isObject(value)) throw new SettingsError(`${where}: expected an object`);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const kind = keys[key];
    if (kind !== undefined) out[key] = coerce(`${where}.${key}`, kind, item);
    else if (nested[key] !== undefined) out[key] = nested[key](`${where}.${key}`, item);
    else throw new SettingsError(`${where}: unknown setting "${key}"`);
  }
  return out;
}

function checkDampening(where: string, value: unknown): boolean | DampeningSettings {
  if (typeof value === "boolean") return value;
  return checkObject(where, value, DAMPENING_KEYS) as DampeningSettings;
}

function checkIpList(where: string, value: unknown): (string | PrefixSettings)[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw new SettingsError(`${where}: expected a list of prefixes`);
  return list.map((item, i) => {
    if (typeof item === "string") return coerce(`${where}[${i}]`, "string", item) as string;
    const prefix = checkObject(`${where}[${i}]`, item, { ...ROUTE_KEYS, prefix: "string" });
    if (prefix.prefix === undefined) throw new SettingsError(`${where}[${i}]: "prefix" is required`);
    return prefix as unknown as PrefixSettings;
  });
}

function checkPeerList(where: string, value: unknown): (string | PeerSettings)[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw new SettingsError(`${where}: expected a list of peers`);
  return list.map((item, i) => {
    if (typeof item === "string") return coerce(`${where}[${i}]`, "string", item) as string;
    const peer = checkObject(`${where}[${i}]`, withAliases(`${where}[${i}]`, item), PEER_KEYS);
    if (peer.address === undefined) throw new SettingsError(`${where}[${i}]: "address" is required`);
    return peer as unknown as PeerSettings;
  });
}

function checkService(where: string, value: unknown): ServiceSettings {
  return checkObject(where, value, SERVICE_KEYS, { dampening: checkDampening, ip: checkIpList });
}

/** Validates a parsed config file (or any object in its shape). */
export function checkSettings(where: string, value: unknown): AnnouncerSettings {
  // "$schema" points editors at docs/announcer.schema.json; it is not a setting.
  const { $schema: _schema, ...rest } = isObject(value) ? value : { $schema: undefined };
  return checkObject(where, withAliases(where, isObject(value) ? rest : value), TOP_KEYS, {
    dampening: checkDampening,
    ip: checkIpList,
    peer: checkPeerList,
    services: (at, list) => {
      if (!Array.isArray(list)) throw new SettingsError(`${at}: expected a list of services`);
      return list.map((item, i) => checkService(`${at}[${i}]`, item));
    },
  }) as AnnouncerSettings;
}

/** Flags win over the file, key by key; a list given as flags replaces the file's list. */
export function mergeSettings(file: AnnouncerSettings, flags: AnnouncerSettings): AnnouncerSettings {
  const merged: Record<string, unknown> = { ...file };
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    if (key === "dampening" && isObject(value) && isObject(file.dampening)) {
      merged[key] = { ...file.dampening, ...value };
    } else {
      merged[key] = value;
    }
  }
  return merged as AnnouncerSettings;
}
