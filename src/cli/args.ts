import { parseArgs as parseArgv } from "node:util";
import {
  type AnnouncerSettings,
  coerce,
  DAMPENING_KEYS,
  type DampeningSettings,
  type Kind,
  SettingsError,
  TOP_KEYS,
} from "./settings.js";

/** What the command line asked for. */
export interface ParsedArgs {
  readonly help: boolean;
  readonly version: boolean;
  /** `--config FILE`: read first (JSON, or ExaBGP healthcheck's `key = value` lines), then overridden by `settings`. */
  readonly config?: string;
  /** Only what was given as flags. */
  readonly settings: AnnouncerSettings;
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (text: string): string => text.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Settings that make no sense as one flag (they live in the file); `peers` has the flag --neighbor. */
const FILE_ONLY = new Set(["peer", "peers", "services", "ip"]);

type FlagKind = Kind | "prefixes" | "peer-list";
interface Flag {
  readonly key: string;
  readonly kind: FlagKind;
}

/**
 * ExaBGP 4.2 healthcheck's names for our settings (lib/exabgp/application/healthcheck.py), so its
 * command lines run unchanged. Our own names stay valid.
 */
export const EXABGP_ALIASES: Readonly<Record<string, string>> = {
  cmd: "command",
  "up-metric": "up-med",
  "down-metric": "down-med",
  "disabled-metric": "disabled-med",
  "local-preference": "local-pref",
  "dynamic-ip-setup": "ip-dynamic",
};

/** ExaBGP's one-letter flags. */
const SHORT: Readonly<Record<string, string>> = {
  c: "command",
  i: "interval",
  f: "fast-interval",
  t: "timeout",
  N: "next-hop",
  n: "name",
  F: "config",
  p: "pid",
  d: "debug",
  s: "silent",
  a: "no-ack",
  h: "help",
};

/** ExaBGP flags that have nothing to do here: accepted, and they change nothing. */
const IGNORED: Readonly<Record<string, string>> = {
  "no-ack": "there is no ExaBGP API to acknowledge",
  "no-syslog": "logs go to stdout/stderr anyway",
};

/** ExaBGP flags whose meaning cannot apply: a clear exit 2 rather than a silent difference. */
const REFUSED: Readonly<Record<string, string>> = {
  "syslog-facility":
    "--syslog-facility cannot apply: bgp-speaker-announce logs to stdout and stderr (journald, docker logs); use the service manager to route them to syslog",
  "path-id":
    "--path-id cannot apply: bgp-speaker-announce sends one path per prefix (no ADD-PATH send); leave it out",
};

/** `--flag` -> the settings key and kind it fills. */
const FLAGS = new Map<string, Flag>([
  ...Object.entries(TOP_KEYS)
    .filter(([key]) => !FILE_ONLY.has(key))
    .map(([key, kind]) => [kebab(key), { key, kind }] as const),
  ["ip", { key: "ip", kind: "prefixes" }],
  ["peer", { key: "peer", kind: "peer-list" }],
  ["neighbor", { key: "peers", kind: "strings" }],
]);
for (const [alias, name] of Object.entries(EXABGP_ALIASES)) {
  const flag = FLAGS.get(name);
  if (flag !== undefined) FLAGS.set(alias, flag);
}

/** Every long flag the parser knows, for node:util's parseArgs (which only lexes: meaning is ours). */
function optionTable(): Record<string, { type: "string" | "boolean"; short?: string }> {
  const table: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean" },
    version: { type: "boolean" },
    config: { type: "string" },
    dampening: { type: "boolean" },
    "no-dampening": { type: "boolean" },
  };
  for (const key of Object.keys(DAMPENING_KEYS)) table[`dampening-${kebab(key)}`] = { type: "string" };
  for (const [name, flag] of FLAGS) {
    table[name] = { type: flag.kind === "boolean" ? "boolean" : "string" };
    if (flag.kind === "boolean") table[`no-${name}`] = { type: "boolean" };
  }
  for (const name of Object.keys(IGNORED)) table[name] = { type: "boolean" };
  for (const name of Object.keys(REFUSED)) table[name] = { type: "string" };
  for (const [short, name] of Object.entries(SHORT)) table[name] = { ...table[name], short };
  return table;
}
const OPTIONS = optionTable();

/**
 * Parses argv (without node and the script) with node:util's parseArgs. `--flag value` and
 * `--flag=value`; list flags (`--ip`, `--peer`, `--community`, `--execute` …) repeat, and the
 * community flags also take several values in one argument separated by spaces (ExaBGP's form);
 * boolean flags take no value and have a `--no-` form to turn off what a config file turned on.
 *
 * parseArgs limits, handled here: it has no multi-letter short flags, so ExaBGP's `-sF` is looked
 * for in argv before it could read as `-s -F`; it has no optional values, which only
 * `--syslog-facility` used (refused anyway).
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const settings: Record<string, unknown> = {};
  const dampening: Record<string, unknown> = {};
  let dampeningFlag: boolean | undefined;
  let config: string | undefined;
  let help = false;
  let version = false;

  const { tokens } = parseArgv({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === "option-terminator") throw new SettingsError(`unexpected argument "--" (see --help)`);
    if (token.kind === "positional") {
      throw new SettingsError(`unexpected argument "${token.value}" (see --help)`);
    }
    const raw = argv[token.index];
    if (token.rawName.length === 2 && raw.startsWith("-sF"))
      throw new SettingsError(REFUSED["syslog-facility"]);
    const name = token.name;
    const option = OPTIONS[name];
    if (option === undefined) throw new SettingsError(`unknown option ${token.rawName} (see --help)`);
    const shown = token.rawName.startsWith("--") ? `--${name}` : `${token.rawName} (--${name})`;
    if (REFUSED[name] !== undefined) throw new SettingsError(REFUSED[name]);
    if (option.type === "boolean" && token.value !== undefined) {
      throw new SettingsError(`${shown} takes no value`);
    }
    const value = (): string => {
      if (token.value === undefined) throw new SettingsError(`${shown} needs a value`);
      return token.value;
    };

    if (name === "help") help = true;
    else if (name === "version") version = true;
    else if (name === "config") config = value();
    else if (IGNORED[name] !== undefined) continue;
    else if (name === "dampening" || name === "no-dampening") dampeningFlag = name === "dampening";
    else if (name.startsWith("dampening-")) {
      const key = camel(name.slice("dampening-".length)) as keyof typeof DAMPENING_KEYS;
      dampening[key] = coerce(shown, DAMPENING_KEYS[key], value(), true);
    } else if (name.startsWith("no-") && FLAGS.get(name.slice(3))?.kind === "boolean") {
      settings[(FLAGS.get(name.slice(3)) as Flag).key] = false;
    } else {
      const flag = FLAGS.get(name);
      if (flag === undefined) throw new SettingsError(`unknown option --${name} (see --help)`);
      switch (flag.kind) {
        case "boolean":
          settings[flag.key] = true;
          break;
        case "strings":
        case "words":
        case "prefixes":
        case "peer-list": {
          const text = coerce(shown, "string", value()) as string;
          const items = flag.kind === "words" ? (coerce(shown, "words", text) as string[]) : [text];
          settings[flag.key] = [...((settings[flag.key] as string[] | undefined) ?? []), ...items];
          break;
        }
        default:
          settings[flag.key] = coerce(shown, flag.kind, value(), true);
      }
    }
  }

  if (dampeningFlag === false) settings.dampening = false;
  else if (Object.keys(dampening).length > 0) settings.dampening = dampening as DampeningSettings;
  else if (dampeningFlag === true) settings.dampening = true;
  return {
    help,
    version,
    settings: settings as AnnouncerSettings,
    ...(config === undefined ? {} : { config }),
  };
}

/**
 * ExaBGP healthcheck's config file: one long option per line without its dashes, `name = value`
 * or a bare `debug`; `#` starts a comment line. Turned into argv and read by the same parser.
 */
export function exabgpConfigToArgv(text: string): string[] {
  const argv: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq < 0) argv.push(`--${trimmed}`);
    else argv.push(`--${trimmed.slice(0, eq).trim()}`, trimmed.slice(eq + 1).trim());
  }
  return argv;
}
