/**
 * ExaBGP healthcheck's host-side flags, run as root in a namespace of our own (bgpcli*):
 * --ip-setup puts the prefix on lo (labelled with --label), --ip-dynamic takes it off while DOWN and
 * back on UP, exit removes it; --pid writes and removes the PID file; --user/--group drop privileges
 * once everything that needs root is done.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Lab } from "../../examples/anycast-lab/netns.js";
import { waitFor } from "./harness/process.js";
import { describeNetns } from "./netns/gate.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describeNetns("announcer --ip-setup, --ip-dynamic, --pid, --user/--group in a namespace", ["ip"], () => {
  const lab = new Lab("bgpcli");
  const dir = mkdtempSync(join(tmpdir(), "bgpcli-netns-"));
  let ns: string;

  beforeAll(() => {
    ns = lab.netns("s");
  });
  afterAll(async () => {
    await lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  const loAddresses = (): string => lab.exec(ns, "ip", ["-o", "address", "show", "dev", "lo"]);

  const announcer = (extra: readonly string[], lines: string[]) =>
    lab.start(
      "announcer",
      ns,
      process.execPath,
      [
        ...["--import", "tsx", "examples/announcer.ts", "--local-as", "65001", "--router-id", "198.51.100.2"],
        ...["--peer", "127.0.0.9:1", "--peer-as", "65000", "--connect-retry", "1"],
        ...["--interval", "0.05", "--rise", "1", "--fall", "1", ...extra],
      ],
      (line) => lines.push(line),
      { cwd: ROOT },
    );

  it("adds the prefix to lo, removes it while DOWN and at exit; writes and removes the PID file", async () => {
    const healthy = join(dir, "healthy");
    const pidFile = join(dir, "announce.pid");
    writeFileSync(healthy, "");
    const lines: string[] = [];
    const started = announcer(
      [
        ...["--ip", "203.0.113.7", "--command", `test -e ${healthy}`],
        ...["--ip-setup", "--ip-dynamic", "--label", "web", "--pid", pidFile],
      ],
      lines,
    );
    const seen = (what: string, probe: () => boolean) =>
      waitFor(what, async () => (probe() ? true : undefined), 15_000, 20).catch((error: Error) => {
        throw new Error(`${error.message}\nannouncer output:\n${lines.join("\n")}`);
      });
    await seen("UP", () => lines.some((l) => l.includes(" UP ")));
    expect(loAddresses()).toMatch(/inet 203\.0\.113\.7\/32 .*lo:web/);
    expect(readFileSync(pidFile, "utf8")).toBe(`${started.pid}\n`);

    rmSync(healthy);
    await seen("the address gone while DOWN", () => !loAddresses().includes("203.0.113.7"));
    writeFileSync(healthy, "");
    await seen("the address back on UP", () => loAddresses().includes("203.0.113.7"));

    await lab.stop(started);
    expect(await started.exited).toBe(0);
    expect(loAddresses()).not.toContain("203.0.113.7");
    expect(existsSync(pidFile)).toBe(false);
  }, 30_000);

  it("drops to --user/--group after starting", async () => {
    const lines: string[] = [];
    const started = announcer(
      ["--ip", "203.0.113.8", "--command", "true", "--user", "nobody", "--group", "nogroup"],
      lines,
    );
    await waitFor("UP", async () => (lines.some((l) => l.includes(" UP ")) ? true : undefined), 15_000, 20);
    const status = readFileSync(`/proc/${started.pid}/status`, "utf8");
    const uid = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
    const gid = /^Gid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
    const nobody = lab.exec(ns, "id", ["-u", "nobody"]).trim();
    const nogroup = lab.exec(ns, "getent", ["group", "nogroup"]).split(":")[2];
    expect(uid?.slice(1)).toEqual([nobody, nobody, nobody]);
    expect(gid?.slice(1)).toEqual([nogroup, nogroup, nogroup]);
    await lab.stop(started);
    expect(await started.exited).toBe(0);
  }, 30_000);
});
