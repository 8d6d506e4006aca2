/**
 * `--status-listen` through the command itself: bad values exit 2 naming the flag (or the config
 * key), a port that cannot be bound exits 1 with the reason, and a good one serves the pages until
 * SIGTERM. Addresses in 127.0.54.0/24 and ports 20504-20509 (this helper's own block).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "bgp-status-listen-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const BASE = [
  ...["--local-as", "65001", "--router-id", "198.51.100.2", "--local-address", "127.0.54.1"],
  ...["--peer", "127.0.54.3:20509", "--peer-as", "65000", "--connect-retry", "1"],
  ...["--command", "true", "--interval", "0.1", "--rise", "1", "--ip", "203.0.113.9/32"],
];

function start(args: readonly string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/announcer.ts", ...BASE, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 25_000);
  const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
    child.once("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, stdout });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

describe("--status-listen", () => {
  it.each([
    [["--status-listen", "127.0.0.1"], /^bgp-speaker-announce: --status-listen: bad port in "127\.0\.0\.1"/m],
    [["--status-listen", "localhost:9179"], /--status-listen: not an IP address in "localhost:9179"/],
    [
      ["--status-listen", "70000"],
      /--status-listen: bad port in "70000": expected ADDR:PORT, \[IPV6\]:PORT, :PORT or PORT/,
    ],
    [["--status-listen"], /--status-listen needs a value/],
  ])("%j exits 2 at start, naming the flag", async (args, message) => {
    const { code, stderr, stdout } = await start(args).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe(""); // nothing started, nothing logged
  });

  it('the config key "statusListen" is checked the same way', async () => {
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ statusListen: "[::1]" }));
    const { code, stderr } = await start(["--config", file]).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(/--status-listen: bad port in "\[::1\]"/);
  });

  it("a port already taken exits 1 with the reason, and leaves no process", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(20505, "127.0.54.2", resolve));
    try {
      const { code, stderr } = await start(["--status-listen", "127.0.54.2:20505"]).done;
      expect(code).toBe(1);
      expect(stderr).toMatch(/cannot start: --status-listen: .*127\.0\.54\.2:20505: address already in use/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it(":PORT serves on 127.0.0.1 (also from the config file) until SIGTERM, then exits 0", async () => {
    const file = path.join(dir, "good.json");
    writeFileSync(file, JSON.stringify({ statusListen: ":20504" }));
    const run = start(["--config", file]);
    const url = "http://127.0.0.1:20504";
    const deadline = Date.now() + 15_000;
    let health: Response | undefined;
    while (health === undefined) {
      health = await fetch(`${url}/healthz`).catch(() => undefined);
      if (health === undefined) {
        if (Date.now() > deadline || run.child.exitCode !== null)
          throw new Error(`no status page:\n${run.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(health.status).toBe(200);
    const status = (await (await fetch(`${url}/status`)).json()) as { peers: { name: string }[] };
    expect(status.peers.map((p) => p.name)).toEqual(["127.0.54.3"]);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
      /^bgp_peer_state\{peer="127\.0\.54\.3",state="Idle"\} [01]$/m,
    );
    expect(run.output()).toMatch(
      /status pages on http:\/\/127\.0\.0\.1:20504\/ \(\/metrics \/status \/healthz\)/,
    );
    run.child.kill("SIGTERM");
    expect((await run.done).code).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
