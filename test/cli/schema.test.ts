import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/cli/schema.js";
import { checkSettings, SettingsError, TOP_KEYS } from "../../src/cli/settings.js";

const published = JSON.parse(
  readFileSync(new URL("../../docs/announcer.schema.json", import.meta.url), "utf8"),
) as ReturnType<typeof configSchema>;

describe("docs/announcer.schema.json", () => {
  it("is what the settings tables generate (run `npm run schema` after changing them)", () => {
    expect(published).toEqual(configSchema());
  });

  it("names every top-level setting the validation knows, and refuses others as the validation does", () => {
    const properties = (published as { properties: Record<string, unknown> }).properties;
    for (const key of Object.keys(TOP_KEYS)) expect(properties).toHaveProperty(key);
    expect((published as { additionalProperties: boolean }).additionalProperties).toBe(false);
    expect(() => checkSettings("f", { intervall: 1 })).toThrow(SettingsError);
  });

  it("a config that points at the schema with $schema is accepted", () => {
    expect(
      checkSettings("f", {
        $schema: "./announcer.schema.json",
        localAs: 65001,
        community: "65000:1 65000:2",
      }),
    ).toEqual({ localAs: 65001, community: ["65000:1", "65000:2"] });
  });
});
