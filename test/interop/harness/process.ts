import { type ChildProcess, execFile, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

/** PIDs we started and have not seen exit: killed on process exit so a crashed test leaves no daemon behind. */
const live = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of live) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number | null>;
}

/** Start `cmd` with stdout and stderr appended to `logFile`. */
export function spawnLogged(
  cmd: string,
  args: readonly string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): Spawned {
  installExitHook();
  const fd = openSync(logFile, "a");
  const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], env: env ?? process.env });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const pid = child.pid;
  live.add(pid);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      live.delete(pid);
      resolve(code);
    });
    child.once("error", () => {
      live.delete(pid);
      resolve(null);
    });
  });
  return { child, pid, exited };
}

/** SIGTERM by PID, SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(p: Spawned, graceMs = 5_000): Promise<void> {
  if (!live.has(p.pid)) return;
  try {
    process.kill(p.pid, "SIGTERM");
  } catch {
    return;
  }
  const timedOut = Symbol("timeout");
  let timer: NodeJS.Timeout | undefined;
  const raced = await Promise.race([
    p.exited,
    new Promise<symbol>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (raced === timedOut) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // exited in between
    }
    await p.exited;
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a CLI with a bound; never throws on a non-zero exit, which callers read from `code`. */
export function runCli(cmd: string, args: readonly string[], timeoutMs = 5_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Run a CLI and throw with its output when it fails. */
export async function runCliOk(cmd: string, args: readonly string[], timeoutMs = 5_000): Promise<string> {
  const r = await runCli(cmd, args, timeoutMs);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${r.stderr || r.stdout}`);
  }
  return r.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Poll `probe` until it returns a value other than undefined, or throw after `timeoutMs` with the last
 * value seen, so a failing test says what it was waiting for and what it got.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}
