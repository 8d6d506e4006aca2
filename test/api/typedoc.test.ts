import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// typedoc.json turns on notExported, invalidLink and notDocumented validation and makes every
// warning an error, so an export without a doc comment (or a public type that is not exported, or
// a broken {@link}) fails here, not in a later `npm run docs`. The reference is grouped by layer
// with @category tags; an export without one would land in TypeDoc's "Other", which fails too.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TYPEDOC = fileURLToPath(new URL("../../node_modules/typedoc/bin/typedoc", import.meta.url));

/** The layers of src/index.ts (its section headers) and the metrics subpath, in typedoc.json's order. */
const LAYERS: Record<string, readonly string[]> = {
  index: ["Speaker", "Health", "Sessions", "State machine", "Wire codec", "BFD"],
  metrics: ["Metrics"],
};

interface Reflection {
  readonly id: number;
  readonly name: string;
  readonly children?: readonly Reflection[];
  readonly categories?: readonly { readonly title: string; readonly children: readonly number[] }[];
}

describe("API reference", () => {
  it("TypeDoc finds every public item documented and filed under its layer, with no warning", {
    timeout: 180_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "typedoc-"));
    try {
      const json = join(dir, "api.json");
      const run = await promisify(execFile)(
        process.execPath,
        [TYPEDOC, "--json", json, "--out", join(dir, "html")],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? 1,
          output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
        }),
      );
      expect(run.output).not.toMatch(/warning|error/i);
      expect(run.code).toBe(0);

      const project = JSON.parse(await readFile(json, "utf8")) as Reflection;
      const modules = project.children ?? [];
      expect(modules.map((m) => m.name).sort()).toEqual(Object.keys(LAYERS).sort());
      for (const module of modules) {
        const categories = module.categories ?? [];
        expect(categories.map((c) => c.title)).toEqual(LAYERS[module.name]);
        const filed = new Set(categories.flatMap((c) => c.children));
        const unfiled = (module.children ?? []).filter((c) => !filed.has(c.id)).map((c) => c.name);
        expect(unfiled, `exports of ${module.name} without a @category`).toEqual([]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
