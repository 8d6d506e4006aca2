/**
 * Talking to a benchmark child process (a speaker in its own process so that its RSS is its own):
 * the child writes one JSON object a line on stdout; the parent answers on stdin.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export type ChildMessage = { readonly type: string } & Record<string, unknown>;

export interface BenchChild {
  readonly pid: number;
  /** The next message of this type (bounded). */
  next(type: string, timeoutMs: number): Promise<ChildMessage>;
  send(msg: object): void;
  /** SIGKILL by PID if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Start `script` (a .ts file next to this one) under node with tsx, with `args` as JSON in argv[2]. */
export function startChild(script: string, args: object, nodeFlags: readonly string[] = []): BenchChild {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeFlags, "--import", "tsx", file, JSON.stringify(args)],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  const pid = child.pid;
  const killOnExit = () => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  };
  process.on("exit", killOnExit);
  const queue: ChildMessage[] = [];
  const waiters: { type: string; resolve: (m: ChildMessage) => void }[] = [];
  let exited = false;
  const exitedP = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      process.off("exit", killOnExit);
      resolve();
    }),
  );
  createInterface({ input: child.stdout! }).on("line", (line) => {
    let msg: ChildMessage;
    try {
      msg = JSON.parse(line) as ChildMessage;
    } catch {
      process.stderr.write(`[${script}] ${line}\n`);
      return;
    }
    const w = waiters.findIndex((x) => x.type === msg.type);
    if (w >= 0) waiters.splice(w, 1)[0].resolve(msg);
    else queue.push(msg);
  });
  return {
    pid,
    next(type, timeoutMs) {
      const q = queue.findIndex((m) => m.type === type);
      if (q >= 0) return Promise.resolve(queue.splice(q, 1)[0]);
      if (exited) return Promise.reject(new Error(`${script} exited before '${type}'`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${script}: no '${type}' within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const entry = {
          type,
          resolve: (m: ChildMessage) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        waiters.push(entry);
        void exitedP.then(() => {
          clearTimeout(timer);
          reject(new Error(`${script} exited before '${type}'`));
        });
      });
    },
    send(msg) {
      if (!exited) child.stdin!.write(`${JSON.stringify(msg)}\n`);
    },
    async stop(graceMs = 5_000) {
      if (exited) return;
      child.stdin!.end();
      const timer = setTimeout(killOnExit, graceMs);
      await exitedP;
      clearTimeout(timer);
    },
  };
}

/** In the child: write one message. */
export function reply(msg: ChildMessage): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

/** In the child: resolves when the parent closes stdin (or sends `{type: "stop"}`). */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.on("line", (line) => {
      if (line.includes('"stop"')) resolve();
    });
    rl.on("close", () => resolve());
  });
}
