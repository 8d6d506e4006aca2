/**
 * The announcer's settings as flags and the JSON config file both give them: one shape, keyed by the
 * long flag name in camelCase (`--fast-interval` is `"fastInterval"`). Flags and file go through the
 * same validation, so a value means the same wherever it was written.
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
  readonly community?: readonly string[];
  readonly largeCommunity?: readonly string[];
  /** Extra copies of our own AS prepended to the AS_PATH. */
  readonly asPath?: number;
  readonly localPref?: number;
  readonly withdrawOnDown?: boolean;
  /** Peer names or addresses the route goes to (default: every peer). */
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
  readonly execute?: string;
  readonly upExecute?: string;
  readonly downExecute?: string;
  readonly disabledExecute?: string;
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
  readonly services?: readonly ServiceSettings[];
  /** TCP-MD5 / GTSM / multihop for every peer (a peer's own settings win); see cli/transport.ts. */
  readonly md5Password?: string;
  readonly md5PasswordFile?: string;
  readonly ttlSecurity?: boolean;
  readonly multihop?: number;
  readonly outgoingTtl?: number;
  readonly incomingTtl?: number;
}

type Kind = "string" | "seconds" | "uint" | "count" | "boolean" | "strings";

/** Scalar settings and their kinds; used for flags and for every object level of the file. */
export const ROUTE_KEYS = {
  nextHop: "strings",
  upMed: "uint",
  downMed: "uint",
  disabledMed: "uint",
  community: "strings",
  largeCommunity: "strings",
  asPath: "uint",
  localPref: "uint",
  withdrawOnDown: "boolean",
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
  execute: "string",
  upExecute: "string",
  downExecute: "string",
  disabledExecute: "string",
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
  ...TRANSPORT_KEYS,
} as const satisfies Record<string, Kind>;

export const DAMPENING_KEYS = {
  penalty: "uint",
  halfLife: "seconds",
  suppress: "uint",
  reuse: "uint",
  maxSuppress: "seconds",
} as const satisfies Record<string, Kind>;

const PEER_KEYS = {
  address: "string",
  port: "uint",
  peerAs: "uint",
  localAddress: "string",
  holdTime: "seconds",
  passive: "boolean",
  name: "string",
  ...TRANSPORT_KEYS,
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
  return checkObject(where, withAliases(where, value), TOP_KEYS, {
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
