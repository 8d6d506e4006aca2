import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `npm pack` must produce a package whose dist/ a plain Node 20 ESM script imports by name.
 * The tarball is unpacked under .tmp/ inside the repository so its dependencies resolve from our
 * node_modules, as they would from a user's.
 */
const root = path.resolve(import.meta.dirname, "../..");
mkdirSync(path.join(root, ".tmp"), { recursive: true });
const work = mkdtempSync(path.join(root, ".tmp", "pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the published package", () => {
  it("packs, and its dist/ imports in plain Node", () => {
    execFileSync("npm", ["pack", "--silent", "--pack-destination", work], {
      cwd: root,
      stdio: "pipe",
      timeout: 120_000,
    });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const modules = path.join(work, "node_modules");
    mkdirSync(modules);
    execFileSync("tar", ["-xzf", path.join(work, tarball!), "-C", modules], { timeout: 30_000 });
    const unpacked = path.join(modules, "bgp-speaker");
    execFileSync("mv", [path.join(modules, "package"), unpacked]);
    const files = readdirSync(unpacked);
    expect(files).toEqual(expect.arrayContaining(["dist", "bin", "package.json", "README.md", "LICENSE"]));
    const script = [
      'import { BgpSpeaker, decodeMessage, encodeMessage, MessageFramer, BgpError } from "bgp-speaker";',
      'const m = decodeMessage(encodeMessage({ type: "notification", code: 6, subcode: 2, data: new Uint8Array(0), shutdownMessage: "bye" }));',
      "const s = new BgpSpeaker({ asn: 65001, routerId: '198.51.100.2' });",
      "console.log(JSON.stringify({ type: m.type, text: m.shutdownMessage, speaker: typeof s.announce, framer: typeof MessageFramer, error: typeof BgpError }));",
    ].join("\n");
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: work,
      timeout: 30_000,
    });
    expect(JSON.parse(out.toString())).toEqual({
      type: "notification",
      text: "bye",
      speaker: "function",
      framer: "function",
      error: "function",
    });
    // The announcer command runs from the package as npm links it.
    const help = execFileSync(
      process.execPath,
      [path.join(unpacked, "bin", "bgp-speaker-announce.js"), "--help"],
      {
        cwd: work,
        timeout: 30_000,
      },
    );
    expect(help.toString()).toMatch(/--interval/);
  }, 180_000);
});
