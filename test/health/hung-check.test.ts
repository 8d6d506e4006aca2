import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("./fixtures/hung-check-child.ts", import.meta.url));

describe("SIGTERM while a check hangs (real process)", () => {
  it("withdraws, closes and exits promptly: the exit handler does not wait on the check", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    let signalledAt = 0;
    const killer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.stdout.on("data", (data: Buffer) => {
      output += String(data);
      if (signalledAt === 0 && output.endsWith("hung\n")) {
        signalledAt = Date.now();
        child.kill("SIGTERM");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    clearTimeout(killer);
    expect(output).toBe("announce 203.0.113.0/24\nhung\nwithdraw 203.0.113.0/24\nclose\n");
    expect(code).toBe(0); // not 99 (its own fallback) nor a SIGKILL
    expect(Date.now() - signalledAt).toBeLessThan(5000);
  }, 30_000);
});
