import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findExecutable } from "../interop/harness/availability.js";

/**
 * docs/systemd/bgp-speaker-announce.service, checked by systemd's own offline tools: `verify` for
 * the syntax, and `security --offline` for what the sandbox really grants, as shipped and with its
 * capability lines uncommented (for `--listen` on port 179).
 */
const UNIT = path.resolve(import.meta.dirname, "../../docs/systemd/bgp-speaker-announce.service");
const tool = findExecutable("systemd-analyze");
const work = mkdtempSync(path.join(tmpdir(), "bgp-unit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The unit with its commented `#CapabilityBoundingSet=…` / `#AmbientCapabilities=…` lines turned on. */
function withCapabilities(text: string): string {
  return text.replace(/^#((?:CapabilityBoundingSet|AmbientCapabilities)=CAP_NET_BIND_SERVICE)$/gm, "$1");
}

function write(name: string, text: string): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return file;
}

function verify(file: string): { status: number | null; output: string } {
  const run = spawnSync(tool!, ["verify", "--man=no", file], { encoding: "utf8", timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** `systemd-analyze security --offline`: which hardening checks hold, by name. */
function security(file: string): Map<string, boolean> {
  const out = execFileSync(tool!, ["security", "--offline=yes", "--json=short", "--no-pager", file], {
    encoding: "utf8",
    timeout: 30_000,
  });
  const rows = JSON.parse(out) as { name: string; set: boolean }[];
  return new Map(rows.map((row) => [row.name, row.set]));
}

const NET_CAPS = "CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)";

const suite = tool === undefined && process.env.CI !== "true" ? describe.skip : describe;
if (tool === undefined) {
  console.warn("[systemd] systemd-analyze not found (apt-get install systemd): unit checks skipped");
}

suite("the systemd unit", () => {
  const shipped = readFileSync(UNIT, "utf8");

  it("has systemd-analyze (the Debian systemd package; .ci/run installs it)", () => {
    expect(tool, "systemd-analyze is required under CI=true").toBeDefined();
  });

  it("verifies cleanly as shipped and with the capability lines uncommented", () => {
    const enabled = withCapabilities(shipped);
    expect(enabled).not.toBe(shipped);
    expect(enabled).toMatch(/^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    for (const [name, text] of [
      ["bgp-speaker-announce.service", shipped],
      ["bgp-speaker-announce-caps.service", enabled],
    ] as const) {
      expect(verify(write(name, text))).toEqual({ status: 0, output: "" });
    }
    // The check is real: a misspelt key is reported.
    const typo = write("typo.service", shipped.replace("RestartSec=2", "RestartSecs=2"));
    expect(verify(typo).output).toMatch(/Unknown key 'RestartSecs'/);
  });

  it("grants CAP_NET_BIND_SERVICE only when the lines are uncommented, and never restarts on exit 2", () => {
    const plain = security(write("plain.service", shipped));
    expect(plain.get(NET_CAPS)).toBe(true); // no elevated networking privileges
    expect(plain.get("AmbientCapabilities=")).toBe(true); // no ambient capabilities
    const caps = security(write("caps.service", withCapabilities(shipped)));
    expect(caps.get(NET_CAPS)).toBe(false); // the bounding set now holds CAP_NET_BIND_SERVICE
    expect(caps.get("AmbientCapabilities=")).toBe(false); // and the process receives it
    expect(caps.get("CapabilityBoundingSet=~CAP_NET_ADMIN")).toBe(true); // nothing else
    expect(caps.get("User=/DynamicUser=")).toBe(true); // still not root
    expect(shipped).toMatch(/^RestartPreventExitStatus=2$/m);
  });
});
