import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// typedoc.json turns on notExported, invalidLink and notDocumented validation and makes every
// warning an error, so an export without a doc comment (or a public type that is not exported, or
// a broken {@link}) fails here, not in a later `npm run docs`.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TYPEDOC = fileURLToPath(new URL("../../node_modules/typedoc/bin/typedoc", import.meta.url));

describe("API reference", () => {
  it("TypeDoc finds every public item documented, with no warning", { timeout: 180_000 }, async () => {
    const run = await promisify(execFile)(process.execPath, [TYPEDOC, "--emit", "none"], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
      }),
    );
    expect(run.output).not.toMatch(/warning|error/i);
    expect(run.code).toBe(0);
  });
});
