import {
  type AnnouncerSettings,
  coerce,
  DAMPENING_KEYS,
  type DampeningSettings,
  SettingsError,
  TOP_KEYS,
} from "./settings.js";

/** What the command line asked for. */
export interface ParsedArgs {
  readonly help: boolean;
  /** `--config FILE.json`: read first, then overridden by `settings`. */
  readonly config?: string;
  /** Only what was given as flags. */
  readonly settings: AnnouncerSettings;
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Settings that make no sense as one flag for every prefix (they live per prefix in the file). */
const FILE_ONLY = new Set(["peers"]);

type FlagKind = (typeof TOP_KEYS)[keyof typeof TOP_KEYS];

/** `--flag` -> the settings key and kind it fills. */
const FLAGS = new Map<string, { key: string; kind: FlagKind | "prefixes" | "peer-list" }>([
  ...Object.entries(TOP_KEYS)
    .filter(([key]) => !FILE_ONLY.has(key))
    .map(([key, kind]) => [kebab(key), { key, kind }] as const),
  ["ip", { key: "ip", kind: "prefixes" }],
  ["peer", { key: "peer", kind: "peer-list" }],
]);

/**
 * Parses argv (without node and the script). `--flag value` and `--flag=value`; list flags
 * (`--ip`, `--peer`, `--community`, `--large-community`) repeat; boolean flags take no value and
 * have a `--no-` form to turn off what a config file turned on.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const settings: Record<string, unknown> = {};
  const dampening: Record<string, unknown> = {};
  let dampeningFlag: boolean | undefined;
  let config: string | undefined;
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new SettingsError(`unexpected argument "${arg}" (see --help)`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new SettingsError(`--${name} needs a value`);
      i++;
      return next;
    };

    if (name === "config") {
      config = value();
      continue;
    }
    if (name === "dampening" || name === "no-dampening") {
      if (inline !== undefined) throw new SettingsError(`--${name} takes no value`);
      dampeningFlag = name === "dampening";
      continue;
    }
    if (name.startsWith("dampening-")) {
      const key = camel(name.slice("dampening-".length));
      const kind = DAMPENING_KEYS[key as keyof typeof DAMPENING_KEYS];
      if (kind === undefined) throw new SettingsError(`unknown option --${name} (see --help)`);
      dampening[key] = coerce(`--${name}`, kind, value(), true);
      continue;
    }
    const negated = name.startsWith("no-") ? FLAGS.get(name.slice(3)) : undefined;
    if (negated?.kind === "boolean") {
      if (inline !== undefined) throw new SettingsError(`--${name} takes no value`);
      settings[negated.key] = false;
      continue;
    }
    const flag = FLAGS.get(name);
    if (flag === undefined) throw new SettingsError(`unknown option --${name} (see --help)`);
    switch (flag.kind) {
      case "boolean":
        if (inline !== undefined) throw new SettingsError(`--${name} takes no value`);
        settings[flag.key] = true;
        break;
      case "strings":
      case "prefixes":
      case "peer-list": {
        const text = coerce(`--${name}`, "string", value()) as string;
        settings[flag.key] = [...((settings[flag.key] as string[] | undefined) ?? []), text];
        break;
      }
      default:
        settings[flag.key] = coerce(`--${name}`, flag.kind, value(), true);
    }
  }

  if (dampeningFlag === false) settings.dampening = false;
  else if (Object.keys(dampening).length > 0) settings.dampening = dampening as DampeningSettings;
  else if (dampeningFlag === true) settings.dampening = true;
  return { help, settings: settings as AnnouncerSettings, ...(config === undefined ? {} : { config }) };
}

const camel = (text: string): string => text.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
