import { readFileSync } from "node:fs";
import type { BfdAuthName } from "../bfd/constants.js";
import type { BfdPeerOptions } from "../speaker/bfd.js";
import { SettingsError } from "./settings.js";

/** BFD settings as the flags and the file give them (top level or per peer). */
export interface BfdSettings {
  readonly bfd?: boolean;
  /** Seconds, fractions allowed (default 0.3). */
  readonly bfdInterval?: number;
  readonly bfdMultiplier?: number;
  /**
   * A file with the authentication key: either the key alone (Keyed SHA1, key ID 1), or one line
   * `TYPE KEY-ID KEY` with TYPE keyed-sha1, meticulous-keyed-sha1 or keyed-md5.
   */
  readonly bfdKeyFile?: string;
}

const AUTH_NAMES: readonly BfdAuthName[] = ["keyed-sha1", "meticulous-keyed-sha1", "keyed-md5"];

function readKeyFile(where: string, file: string): NonNullable<BfdPeerOptions["auth"]> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SettingsError(`${where}: cannot read bfdKeyFile ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const line = text.replace(/\r?\n$/, "");
  const m = /^(\S+)\s+(\d+)\s+(.+)$/.exec(line);
  const typed = m !== null && (AUTH_NAMES as readonly string[]).includes(m[1]);
  const type = (typed ? m[1] : "keyed-sha1") as BfdAuthName;
  const keyId = typed ? Number(m[2]) : 1;
  const key = typed ? m[3] : line;
  const max = type === "keyed-md5" ? 16 : 20;
  const octets = Buffer.byteLength(key);
  if (keyId > 255) throw new SettingsError(`${where}: bfdKeyFile ${file}: key ID ${keyId}: expected 0-255`);
  if (octets < 1 || octets > max) {
    throw new SettingsError(
      `${where}: bfdKeyFile ${file}: the ${type} key is ${octets} octets: expected 1-${max}`,
    );
  }
  return { type, keyId, key };
}

/**
 * The peer's own BFD settings over the top level's, checked, as the addPeer `bfd` option; undefined
 * when BFD is off. Any --bfd-* setting turns BFD on unless `bfd` is false.
 */
export function resolveBfd(
  where: string,
  own: BfdSettings,
  top: BfdSettings,
): true | BfdPeerOptions | undefined {
  const pick = <K extends keyof BfdSettings>(key: K): BfdSettings[K] => own[key] ?? top[key];
  const enabled = pick("bfd");
  const interval = pick("bfdInterval");
  const multiplier = pick("bfdMultiplier");
  const keyFile = pick("bfdKeyFile");
  if (enabled === false) return undefined;
  if (enabled === undefined && interval === undefined && multiplier === undefined && keyFile === undefined) {
    return undefined;
  }
  if (interval !== undefined && (interval < 0.01 || interval > 60)) {
    throw new SettingsError(`${where}: bfdInterval ${interval}: expected 0.01-60 seconds`);
  }
  if (multiplier !== undefined && multiplier > 255) {
    throw new SettingsError(`${where}: bfdMultiplier ${multiplier}: expected 1-255`);
  }
  const options: BfdPeerOptions = {
    ...(interval === undefined ? {} : { interval }),
    ...(multiplier === undefined ? {} : { multiplier }),
    ...(keyFile === undefined ? {} : { auth: readKeyFile(where, keyFile) }),
  };
  return Object.keys(options).length === 0 ? true : options;
}
