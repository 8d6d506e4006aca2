/**
 * Runs the anycast lab (examples/anycast-lab/run.ts) as root would: three sites in network
 * namespaces behind a BIRD router, the client failing over site-1 -> site-2 -> site-3 and back.
 * Skipped with a message when not root or BIRD is missing; mandatory under CI=true when root and
 * `ip netns` work (then a missing BIRD fails). Failover times are printed, not asserted.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../../examples/anycast-lab/netns.js";
import { cannotRun, netnsUnusable } from "../../examples/anycast-lab/preflight.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface LabRun {
  readonly code: number | null;
  readonly pid: number;
  readonly output: string;
  readonly result?: {
    ok: boolean;
    namespacePrefix: string;
    leftoverNamespaces: string[];
    regionalDuringFailover?: string;
    steps?: { step: string; reached: string; ipv4Ms: number; ipv6Ms: number; announcerDownMs?: number }[];
    error?: string;
  };
}

/** Runs the lab, optionally interrupting it once `interruptOn` appears in its output. */
function runLab(interruptOn?: RegExp): Promise<LabRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/anycast-lab/run.ts"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LAB_DEADLINE_MS: "50000" },
    });
    let output = "";
    let interrupted = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (interruptOn !== undefined && !interrupted && interruptOn.test(output)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    // Outer bound: the lab has its own 50 s deadline; this only catches a lab that hangs anyway.
    const guard = setTimeout(() => child.kill("SIGKILL"), 58_000);
    child.once("exit", (code) => {
      clearTimeout(guard);
      const line = output.split("\n").find((l) => l.startsWith("RESULT "));
      resolve({
        code,
        pid: child.pid ?? 0,
        output,
        ...(line === undefined ? {} : { result: JSON.parse(line.slice("RESULT ".length)) }),
      });
    });
  });
}

const ours = (pid: number) =>
  run("ip", ["netns", "list"])
    .split("\n")
    .filter((line) => line.startsWith(`bgplab-${pid}-`));

const reason = cannotRun();
const mandatory = process.env.CI === "true" && netnsUnusable() === undefined;

if (reason !== undefined && !mandatory) {
  console.warn(`[lab] skipping the anycast lab: ${reason}`);
  describe.skip(`anycast lab (skipped: ${reason})`, () => {
    it("runs", () => {});
  });
} else if (reason !== undefined) {
  describe("anycast lab", () => {
    it("needs BIRD", () => {
      throw new Error(`${reason}. The lab is mandatory under CI=true when running as root with ip netns.`);
    });
  });
} else {
  describe("anycast lab", () => {
    it("fails the client over to the next site and back, and leaves nothing behind", async () => {
      const lab = await runLab();
      expect(lab.result, lab.output).toBeDefined();
      expect(lab.result?.error, lab.output).toBeUndefined();
      expect(lab.result?.steps?.map((s) => s.reached)).toEqual(["site-2", "site-3", "site-1"]);
      expect(lab.result?.regionalDuringFailover).toBe("site-1");
      expect(lab.result?.leftoverNamespaces).toEqual([]);
      expect(lab.code).toBe(0);
      expect(ours(lab.pid)).toEqual([]);
      for (const s of lab.result?.steps ?? []) {
        console.log(
          `[lab] ${s.step}: client on ${s.reached} after ${s.ipv4Ms} ms (IPv4), ${s.ipv6Ms} ms (IPv6)` +
            (s.announcerDownMs === undefined ? "" : `, withdrawn after ${s.announcerDownMs} ms`),
        );
      }
    }, 60_000);

    it("tears everything down on Ctrl-C", async () => {
      const lab = await runLab(/BIRD running in the router namespace/);
      expect(lab.output).toContain("SIGINT: tearing down");
      expect(lab.code).toBe(130);
      expect(ours(lab.pid)).toEqual([]);
    }, 60_000);
  });
}
