import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import createDebug from "debug";
import { runWithDeadline } from "./deadline.js";
import { checkBaseOptions, describe, integer, nonEmptyString } from "./options.js";
import type { CheckBaseOptions, CheckResult } from "./types.js";

const debug = createDebug("bgp:health");

/**
 * Options for `checkCommand` (default timeout 5 s): passes when the command exits 0.
 * @category Health
 */
export interface CommandCheckOptions extends CheckBaseOptions {
  /** Run through the shell, like ExaBGP healthcheck's --command. */
  readonly command: string;
  /** Working directory (default: the process's). */
  readonly cwd?: string;
  /** Environment (default: the process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Bytes of stdout+stderr kept for the reason/details (default 4096, at most 1 MiB). */
  readonly maxOutputBytes?: number;
}

/**
 * Set in the environment of every command a check runs, with a value unique to that run: whatever
 * the command leaves behind (even a process that called setsid() and left our process group) still
 * carries it, so it can be found in /proc/<pid>/environ and killed.
 */
export const CHECK_ID_VARIABLE = "BGP_SPEAKER_CHECK_ID";

/** How long after the command exits its output pipes may take to reach EOF. */
const PIPE_GRACE_MS = 100;

const COMMAND_KEYS = ["command", "cwd", "env", "maxOutputBytes"];

/**
 * Passes when the command exits 0.
 *
 * - It runs in its own process group (`detached: true`): `shell: true` puts a shell between us and
 *   the command, and killing only the shell would leave `sleep 100` running. On timeout or abort
 *   the whole group gets SIGKILL (`process.kill(-pid)`).
 * - The verdict is the exit status (the 'exit' event), not stdout EOF: a child that daemonises and
 *   keeps stdout open does not make a command that exited 0 look hung.
 * - Nothing is left behind: after the command exits, or is killed, what remains of its process
 *   group is killed, and so is any process that still holds its output pipes (found by the
 *   CHECK_ID_VARIABLE in its environment; Linux /proc).
 *
 * Bad options throw here, at the call (TypeError/RangeError naming the option).
 * @category Health
 */
export function checkCommand(options: CommandCheckOptions): Promise<CheckResult> {
  const timeoutSec = checkBaseOptions("checkCommand", options, COMMAND_KEYS, 5);
  const command = nonEmptyString("checkCommand: command", options.command);
  if (options.cwd !== undefined) nonEmptyString("checkCommand: cwd", options.cwd);
  const env: unknown = options.env;
  if (env !== undefined && (typeof env !== "object" || env === null || Array.isArray(env))) {
    throw new TypeError(`checkCommand: env must be an object of strings, got ${describe(env)}`);
  }
  const maxOutput = integer("checkCommand: maxOutputBytes", options.maxOutputBytes ?? 4096, 0, 1024 * 1024);
  return runWithDeadline(timeoutSec, options.signal, (signal) => {
    return new Promise((resolve) => {
      const id = `${process.pid}-${randomUUID()}`;
      let child: ChildProcess;
      try {
        child = spawn(command, {
          shell: true,
          detached: true, // own process group, so the kill reaches the command and not only the shell
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...(options.env ?? process.env), [CHECK_ID_VARIABLE]: id },
          ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        });
      } catch (error) {
        resolve({ ok: false, reason: `could not run command: ${(error as Error).message}` });
        return;
      }
      const chunks: Buffer[] = [];
      let kept = 0;
      const keep = (chunk: Buffer) => {
        if (kept >= maxOutput) return;
        const slice = chunk.subarray(0, maxOutput - kept);
        chunks.push(slice);
        kept += slice.length;
      };
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      let exited = false;
      let closed = false;
      child.once("close", () => {
        closed = true;
      });
      const kill = () => {
        if (exited) return;
        killGroup(child.pid);
        void killLeftovers(id);
      };
      signal.addEventListener("abort", kill, { once: true });
      child.once("error", (error) => {
        exited = true;
        signal.removeEventListener("abort", kill);
        resolve({ ok: false, reason: `could not run command: ${error.message}` });
      });
      child.once("exit", (code, killedBy) => {
        exited = true;
        signal.removeEventListener("abort", kill);
        // Give the pipes a moment to deliver the last output; EOF is not required.
        let grace: ReturnType<typeof setTimeout> | undefined;
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          clearTimeout(grace);
          child.stdout?.destroy();
          child.stderr?.destroy();
          killGroup(child.pid); // background jobs the command left in its group
          const output = Buffer.concat(chunks).toString("utf8").trim();
          const details = { exitCode: code, signal: killedBy, output };
          const result =
            code === 0
              ? { ok: true, reason: "exit status 0", details }
              : killedBy !== null
                ? { ok: false, reason: `killed by ${killedBy}`, details }
                : { ok: false, reason: `exit status ${code}${output ? `: ${output}` : ""}`, details };
          if (closed) resolve(result);
          else void killLeftovers(id).then(() => resolve(result)); // something still holds the pipes
        };
        if (closed) finish();
        else {
          grace = setTimeout(finish, PIPE_GRACE_MS);
          child.once("close", finish);
        }
      });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already empty.
  }
}

/** Kills every process whose environment carries this run's id; returns how many. Linux only. */
export async function killLeftovers(id: string): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return 0;
  }
  const needle = Buffer.from(`${CHECK_ID_VARIABLE}=${id}\0`);
  let killed = 0;
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
      .map(async (entry) => {
        try {
          if (!(await readFile(`/proc/${entry}/environ`)).includes(needle)) return;
          process.kill(Number(entry), "SIGKILL");
          killed++;
        } catch {
          // Gone meanwhile, or not ours to read.
        }
      }),
  );
  if (killed > 0) debug("killed %d process(es) left behind by check %s", killed, id);
  return killed;
}
