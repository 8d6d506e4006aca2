/**
 * The lab's plumbing: `ip` commands, the namespaces this run created, and the processes it started,
 * tracked by PID so teardown removes exactly those, also after an error or Ctrl-C.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/** Runs a command and throws with its stderr when it fails. */
export function run(cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`${cmd} ${args.join(" ")} failed: ${stderr.trim() || (error as Error).message}`, {
      cause: error,
    });
  }
}

export class Lab {
  readonly prefix: string;
  private readonly namespaces: string[] = [];
  private readonly processes: Started[] = [];
  private tornDown = false;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Creates `<prefix><name>` with lo up and IPv6 DAD off (addresses usable at once). */
  netns(name: string): string {
    const ns = `${this.prefix}${name}`;
    this.refuseAfterTeardown(ns);
    run("ip", ["netns", "add", ns]);
    this.namespaces.push(ns);
    this.exec(ns, "ip", ["link", "set", "lo", "up"]);
    this.exec(ns, "sysctl", ["-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"]);
    return ns;
  }

  exec(ns: string, cmd: string, args: readonly string[]): string {
    return run("ip", ["netns", "exec", ns, cmd, ...args]);
  }

  /** A veth pair created straight inside the two namespaces (short names, nothing in the root namespace). */
  link(
    a: { ns: string; dev: string; v4: string; v6: string },
    b: { ns: string; dev: string; v4: string; v6: string },
  ): void {
    run("ip", ["link", "add", a.dev, "netns", a.ns, "type", "veth", "peer", "name", b.dev, "netns", b.ns]);
    for (const end of [a, b]) {
      this.exec(end.ns, "ip", ["addr", "add", end.v4, "dev", end.dev]);
      this.exec(end.ns, "ip", ["-6", "addr", "add", end.v6, "dev", end.dev, "nodad"]);
      this.exec(end.ns, "ip", ["link", "set", end.dev, "up"]);
    }
  }

  /**
   * Starts a process inside a namespace (`ip netns exec` execs it, so the PID is the process's own),
   * each output line handed to `onLine`.
   */
  start(
    name: string,
    ns: string,
    cmd: string,
    args: readonly string[],
    onLine: (line: string) => void = () => {},
    options: { cwd?: string } = {},
  ): Started {
    this.refuseAfterTeardown(name);
    const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", (line) => onLine(`[stderr] ${line}`));
    const exited = new Promise<number | null>((resolve) => {
      child.once("exit", (code) => resolve(code));
      child.once("error", () => resolve(null));
    });
    const started = { name, pid: child.pid, child, exited };
    this.processes.push(started);
    return started;
  }

  /** SIGTERM by PID, SIGKILL after `graceMs`. */
  async stop(started: Started, graceMs = 3000): Promise<void> {
    if (started.child.exitCode !== null || started.child.signalCode !== null) return;
    try {
      process.kill(started.pid, "SIGTERM");
    } catch {
      return; // already gone
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      started.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      try {
        process.kill(started.pid, "SIGKILL");
      } catch {
        // exited in between
      }
      await started.exited;
    }
  }

  /**
   * Stops every process we started, one by one, newest first (the announcers withdraw and say Cease
   * while BIRD still listens), then deletes every namespace we created. Once.
   */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    for (const started of [...this.processes].reverse()) {
      const since = Date.now();
      await this.stop(started);
      if (Date.now() - since > 1000)
        console.error(`teardown: ${started.name} took ${Date.now() - since} ms to stop`);
    }
    for (const ns of this.namespaces) {
      try {
        run("ip", ["netns", "del", ns]);
      } catch (error) {
        console.error(`teardown: ${(error as Error).message}`);
      }
    }
  }

  /** A step still running when Ctrl-C tore the lab down must not create anything new. */
  private refuseAfterTeardown(what: string): void {
    if (this.tornDown) throw new Error(`lab torn down: not creating ${what}`);
  }

  /** Namespaces of this run still present (for the final check). */
  leftovers(): string[] {
    const listed = run("ip", ["netns", "list"]);
    return listed
      .split("\n")
      .map((line) => line.split(" ")[0])
      .filter((name) => name.startsWith(this.prefix));
  }
}
