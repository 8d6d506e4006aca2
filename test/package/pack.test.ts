import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

    // The main entry never loads prom-client; the metrics subpath does, and works.
    const subpath = [
      'import { createRequire } from "node:module";',
      "const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('prom-client'));",
      'await import("bgp-speaker");',
      "const core = loaded();",
      'const { createMetricsRegistry } = await import("bgp-speaker/metrics");',
      "const text = await createMetricsRegistry({}).metrics();",
      "console.log(JSON.stringify({ core, metrics: loaded(), build: text.includes('bgp_speaker_build_info{version=') }));",
    ].join("\n");
    const loaded = execFileSync(process.execPath, ["--input-type=module", "-e", subpath], {
      cwd: work,
      timeout: 30_000,
    });
    expect(JSON.parse(loaded.toString())).toEqual({ core: false, metrics: true, build: true });

    // Source maps ship with their sources (inlined), so none points at a file the package lacks.
    const maps = execFileSync("find", [path.join(unpacked, "dist"), "-name", "*.js.map"])
      .toString()
      .trim()
      .split("\n");
    expect(maps.length).toBeGreaterThan(50);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(file, "utf8")) as { sources: string[]; sourcesContent?: string[] };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      expect(
        map.sourcesContent?.every((text) => typeof text === "string" && text.length > 0),
        file,
      ).toBe(true);
    }
  }, 180_000);

  it("a CommonJS project requires the packed package and announces a route to a router", () => {
    // Needs the unpacked package of the test above (tests in a file run in order).
    const app = path.join(work, "cjs-app");
    mkdirSync(app);
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "cjs-app", type: "commonjs" }));
    // 127.0.53.0/24: this test's own loopback block.
    writeFileSync(
      path.join(app, "index.js"),
      `"use strict";
const { BgpSpeaker } = require("bgp-speaker");
const promLoadedByCore = Object.keys(require.cache).some((k) => k.includes("prom-client"));
const { createMetricsRegistry } = require("bgp-speaker/metrics");
async function main() {
  const router = new BgpSpeaker({ asn: 65000, routerId: "198.51.100.1", listen: { host: "127.0.53.1", port: 0 } });
  router.addPeer({ address: "127.0.53.2", asn: 65001, passive: true });
  await router.start();
  const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", connectRetry: 1 });
  speaker.addPeer({ address: "127.0.53.1", asn: 65000, port: router.listenPort, localAddress: "127.0.53.2" });
  speaker.announce("203.0.113.0/24", { med: 7 });
  await speaker.start();
  const deadline = Date.now() + 15000;
  while (router.adjRibIn().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const received = router.adjRibIn().map((r) => [r.prefix, r.attributes.med]);
  const metrics = await createMetricsRegistry({ speaker }).metrics();
  await speaker.close();
  await router.close();
  console.log(JSON.stringify({ received, announced: metrics.split("\\n").includes('bgp_peer_routes_announced{peer="127.0.53.1",family="ipv4-unicast"} 1'), promLoadedByCore }));
}
main().catch((error) => { console.error(error); process.exit(1); });
`,
    );
    const out = execFileSync(process.execPath, ["index.js"], { cwd: app, timeout: 60_000 });
    expect(JSON.parse(out.toString())).toEqual({
      received: [["203.0.113.0/24", 7]],
      announced: true,
      promLoadedByCore: false,
    });
  }, 90_000);
});
