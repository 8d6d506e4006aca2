/**
 * The JSON Schema of the announcer's config file (docs/announcer.schema.json), generated from the
 * same key tables that `checkSettings` validates with (settings.ts): one source, so the schema an
 * editor checks against and the command's own validation cannot drift apart. A test compares the
 * published file with `configSchema()`; regenerate it with `npm run schema`.
 *
 * What a schema cannot say (a prefix is valid, a community is in range, an AS path repeats our own
 * AS) is checked when the config is resolved, with the same message as the flag would give.
 * @module
 */
import { DAMPENING_KEYS, type Kind, PEER_KEYS, ROUTE_KEYS, SERVICE_KEYS, TOP_KEYS } from "./settings.js";
import { EXABGP_ALIASES as TRANSPORT_ALIASES } from "./transport.js";

type Schema = Record<string, unknown>;

const UINT32 = 4294967295;

function kindSchema(kind: Kind): Schema {
  switch (kind) {
    case "string":
      return { type: "string", minLength: 1 };
    case "seconds":
      return { type: "number", minimum: 0 };
    case "uint":
      return { type: "integer", minimum: 0, maximum: UINT32 };
    case "count":
      return { type: "integer", minimum: 1, maximum: UINT32 };
    case "boolean":
      return { type: "boolean" };
    case "strings":
      return { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] };
    case "words":
      return {
        description: "a list; each item may hold several values separated by spaces, as ExaBGP writes them",
        oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
      };
    case "aspath":
      return {
        description: 'a prepend count 0-32, or our own AS repeated ("65001 65001")',
        oneOf: [
          { type: "integer", minimum: 0, maximum: 32 },
          { type: "string", pattern: "^\\s*\\d+(\\s+\\d+)*\\s*$" },
        ],
      };
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown kind ${String(unreachable)}`);
    }
  }
}

function objectSchema(
  keys: Readonly<Record<string, Kind>>,
  extra: Readonly<Record<string, Schema>> = {},
  required: readonly string[] = [],
): Schema {
  const properties: Record<string, Schema> = {};
  for (const [key, kind] of Object.entries(keys)) properties[key] = kindSchema(kind);
  for (const [alias, key] of Object.entries(TRANSPORT_ALIASES)) {
    if (key in keys)
      properties[alias] = { ...kindSchema(keys[key]), description: `ExaBGP's name for ${key}` };
  }
  Object.assign(properties, extra);
  return {
    type: "object",
    properties,
    additionalProperties: false,
    ...(required.length === 0 ? {} : { required: [...required] }),
  };
}

/** The schema, as published in docs/announcer.schema.json. */
export function configSchema(): Schema {
  const dampening = { oneOf: [{ type: "boolean" }, objectSchema(DAMPENING_KEYS)] };
  const prefix = {
    oneOf: [
      { type: "string", description: "a prefix, or a bare address for /32 or /128" },
      objectSchema(ROUTE_KEYS, { prefix: { type: "string" } }, ["prefix"]),
    ],
  };
  const ip = { oneOf: [{ type: "string" }, { type: "array", items: { $ref: "#/$defs/prefix" } }] };
  const peer = {
    oneOf: [
      { type: "string", description: "ADDR, ADDR:PORT or [V6]:PORT" },
      objectSchema(PEER_KEYS, {}, ["address"]),
    ],
  };
  const service = objectSchema(SERVICE_KEYS, { dampening: { $ref: "#/$defs/dampening" }, ip });
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/bgp-speaker/bgp-speaker/blob/main/docs/announcer.schema.json",
    title: "bgp-speaker-announce config file",
    description:
      "Every key is a flag's long name in camelCase (docs/announcer.md). Generated from src/cli/settings.ts by `npm run schema`.",
    ...objectSchema(TOP_KEYS, {
      $schema: { type: "string" },
      dampening: { $ref: "#/$defs/dampening" },
      ip,
      peer: { oneOf: [{ type: "string" }, { type: "array", items: { $ref: "#/$defs/peer" } }] },
      services: { type: "array", items: { $ref: "#/$defs/service" } },
    }),
    $defs: { dampening, prefix, peer, service },
  };
}
