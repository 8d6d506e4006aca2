import { readFileSync } from "node:fs";
import { SettingsError } from "./settings.js";

/** TCP-MD5 and TTL settings as the flags and file give them (top level or per peer). */
export interface TransportSettings {
  readonly md5Password?: string;
  /** A file holding the password, or `env:NAME` for an environment variable: kept out of `ps`. */
  readonly md5PasswordFile?: string;
  readonly ttlSecurity?: boolean;
  readonly multihop?: number;
  /** ExaBGP's `outgoing-ttl`: the TTL we send with (multihop, or 255 with incoming-ttl). */
  readonly outgoingTtl?: number;
  /** ExaBGP's `incoming-ttl`: the lowest TTL accepted (GTSM; 255 = 1 hop). */
  readonly incomingTtl?: number;
}

/** What addPeer takes from them. */
export interface ResolvedTransport {
  readonly password?: string;
  readonly ttlSecurity?: true | { readonly hops: number };
  readonly multihop?: number;
}

/** ExaBGP's neighbor keywords, accepted as they are in the JSON file. */
export const EXABGP_ALIASES: Readonly<Record<string, string>> = {
  "md5-password": "md5Password",
  "md5-password-file": "md5PasswordFile",
  "ttl-security": "ttlSecurity",
  "outgoing-ttl": "outgoingTtl",
  "incoming-ttl": "incomingTtl",
};

/** Renames ExaBGP-style keys of one object level; both spellings at once is an error. */
export function withAliases(where: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [alias, key] of Object.entries(EXABGP_ALIASES)) {
    if (!(alias in out)) continue;
    if (key in out)
      throw new SettingsError(`${where}: "${alias}" and "${key}" are the same setting; give one`);
    out[key] = out[alias];
    delete out[alias];
  }
  return out;
}

function readPassword(where: string, source: string): string {
  if (source.startsWith("env:")) {
    const name = source.slice(4);
    const value = process.env[name];
    if (value === undefined || value === "") {
      throw new SettingsError(`${where}: md5PasswordFile env:${name}: the environment variable is not set`);
    }
    return value;
  }
  let text: string;
  try {
    text = readFileSync(source, "utf8");
  } catch (error) {
    throw new SettingsError(`${where}: cannot read md5PasswordFile ${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const password = text.replace(/\r?\n$/, "");
  if (password === "") throw new SettingsError(`${where}: md5PasswordFile ${source} is empty`);
  return password;
}

const ttlRange = (where: string, name: string, value: number | undefined): void => {
  if (value !== undefined && (value < 1 || value > 255)) {
    throw new SettingsError(`${where}: ${name} ${value}: expected 1-255`);
  }
};

/** The peer's own settings over the top level's, checked, as addPeer options. */
export function resolveTransport(
  where: string,
  own: TransportSettings,
  top: TransportSettings,
): ResolvedTransport {
  const level = own.md5Password !== undefined || own.md5PasswordFile !== undefined ? own : top;
  if (level.md5Password !== undefined && level.md5PasswordFile !== undefined) {
    throw new SettingsError(`${where}: give md5Password or md5PasswordFile, not both`);
  }
  const password =
    level.md5PasswordFile !== undefined ? readPassword(where, level.md5PasswordFile) : level.md5Password;
  if (password !== undefined && Buffer.byteLength(password) > 80) {
    throw new SettingsError(
      `${where}: the MD5 password is ${Buffer.byteLength(password)} octets: expected 1-80`,
    );
  }
  const ttlSecurity = own.ttlSecurity ?? top.ttlSecurity;
  const multihop = own.multihop ?? top.multihop;
  const outgoing = own.outgoingTtl ?? top.outgoingTtl;
  const incoming = own.incomingTtl ?? top.incomingTtl;
  ttlRange(where, "multihop", multihop);
  ttlRange(where, "outgoingTtl", outgoing);
  ttlRange(where, "incomingTtl", incoming);
  let gtsm: ResolvedTransport["ttlSecurity"];
  if (incoming !== undefined) {
    if (outgoing !== undefined && outgoing !== 255) {
      throw new SettingsError(
        `${where}: incomingTtl (GTSM) sends with TTL 255: outgoingTtl must be 255 or absent`,
      );
    }
    gtsm = { hops: 256 - incoming };
  } else if (ttlSecurity === true) {
    gtsm = true;
  }
  const hops = multihop ?? (incoming === undefined ? outgoing : undefined);
  if (gtsm !== undefined && hops !== undefined) {
    throw new SettingsError(`${where}: ttlSecurity/incomingTtl and multihop/outgoingTtl exclude each other`);
  }
  return {
    ...(password === undefined ? {} : { password }),
    ...(gtsm === undefined ? {} : { ttlSecurity: gtsm }),
    ...(hops === undefined ? {} : { multihop: hops }),
  };
}
