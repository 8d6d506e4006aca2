import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { installExitHandler, type ProcessLike } from "../../src/health/exit.js";

const CHILD = fileURLToPath(new URL("./fixtures/exit-child.ts", import.meta.url));

function runChild(mode: string, signal?: NodeJS.Signals): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  child.stdout.on("data", (data: Buffer) => {
    output += String(data);
    if (signal !== undefined && output === "announce 203.0.113.0/24\nready\n") child.kill(signal);
  });
  return new Promise((resolve) => {
    child.once("close", (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

describe("installExitHandler in a real process", () => {
  it("on SIGTERM withdraws, closes and exits 0", async () => {
    expect(await runChild("run", "SIGTERM")).toEqual({
      code: 0,
      output: "announce 203.0.113.0/24\nready\nwithdraw 203.0.113.0/24\nclose\n",
    });
  });

  it("on SIGINT with a speaker that never closes, leaves after the bounded wait with 0", async () => {
    const started = Date.now();
    const result = await runChild("hang", "SIGINT");
    expect(result.code).toBe(0);
    expect(result.output).toBe("announce 203.0.113.0/24\nready\nwithdraw 203.0.113.0/24\nclose\n");
    expect(Date.now() - started).toBeLessThan(10_000); // not the child's own 10 s fallback
  });

  it("on a normal end (event loop empty) withdraws and closes once", async () => {
    expect(await runChild("end")).toEqual({
      code: 0,
      output: "announce 203.0.113.0/24\nready\nwithdraw 203.0.113.0/24\nclose\n",
    });
  });
});

describe("installExitHandler order", () => {
  it("stops monitors, then withdraws, then closes, then exits; dispose removes the listeners", async () => {
    const log: string[] = [];
    const proc = Object.assign(new EventEmitter(), {
      exit: (code?: number) => {
        log.push(`exit ${code}`);
      },
    });
    const handler = installExitHandler({
      speaker: { close: async () => void log.push("close") },
      announcers: [{ withdrawAll: (reason) => log.push(`withdrawAll ${reason}`) }],
      monitors: [{ stop: async () => void log.push("stop") }],
      process: proc as unknown as ProcessLike,
    });
    proc.emit("SIGTERM", "SIGTERM");
    proc.emit("SIGTERM", "SIGTERM");
    await handler.shutdown("again");
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(["stop", "withdrawAll SIGTERM", "close", "exit 0", "exit 0"]);
    handler.dispose();
    expect(
      proc.listenerCount("SIGTERM") + proc.listenerCount("SIGINT") + proc.listenerCount("beforeExit"),
    ).toBe(0);
  });
});
