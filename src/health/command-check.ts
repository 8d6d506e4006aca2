import { spawn } from "node:child_process";
import { runWithDeadline } from "./deadline.js";
import type { CheckBaseOptions, CheckResult } from "./types.js";

export interface CommandCheckOptions extends CheckBaseOptions {
  /** Run through the shell, like ExaBGP healthcheck's --command. */
  readonly command: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Bytes of stdout+stderr kept for the reason/details (default 4096). */
  readonly maxOutputBytes?: number;
}

/**
 * Passes when the command exits 0. On timeout or abort the whole process group is killed
 * (SIGKILL): `shell: true` puts a shell between us and the command, and killing only the shell
 * would leave `sleep 100` running.
 */
export function checkCommand(options: CommandCheckOptions): Promise<CheckResult> {
  const maxOutput = options.maxOutputBytes ?? 4096;
  return runWithDeadline(options.timeoutSec ?? 5, options.signal, (signal) => {
    return new Promise((resolve) => {
      const child = spawn(options.command, {
        shell: true,
        detached: true, // own process group, so the kill reaches the command and not only the shell
        stdio: ["ignore", "pipe", "pipe"],
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.env === undefined ? {} : { env: options.env }),
      });
      const chunks: Buffer[] = [];
      let kept = 0;
      const keep = (chunk: Buffer) => {
        if (kept >= maxOutput) return;
        const slice = chunk.subarray(0, maxOutput - kept);
        chunks.push(slice);
        kept += slice.length;
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      let exited = false;
      const kill = () => {
        if (exited || child.pid === undefined) return;
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      };
      signal.addEventListener("abort", kill, { once: true });
      child.once("error", (error) => {
        exited = true;
        signal.removeEventListener("abort", kill);
        resolve({ ok: false, reason: `could not run command: ${error.message}` });
      });
      child.once("close", (code, killedBy) => {
        exited = true;
        signal.removeEventListener("abort", kill);
        const output = Buffer.concat(chunks).toString("utf8").trim();
        const details = { exitCode: code, signal: killedBy, output };
        if (code === 0) resolve({ ok: true, reason: "exit status 0", details });
        else if (killedBy !== null) resolve({ ok: false, reason: `killed by ${killedBy}`, details });
        else resolve({ ok: false, reason: `exit status ${code}${output ? `: ${output}` : ""}`, details });
      });
    });
  });
}
