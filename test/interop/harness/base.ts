import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Spawned, spawnLogged, stopProcess } from "./process.js";
import type {
  DaemonConfig,
  DaemonKind,
  DaemonRoute,
  InteropDaemon,
  IpFamily,
  NeighborStatus,
  OriginatedRoute,
} from "./types.js";

export const DEFAULT_NEXT_HOP = { ipv4: "203.0.113.254", ipv6: "2001:db8:113::fe" } as const;

export function familyOf(prefix: string): IpFamily {
  return prefix.includes(":") ? "ipv6" : "ipv4";
}

/** What each daemon class supplies; the base class owns the process, the temp dir and cleanup. */
export abstract class BaseDaemon implements InteropDaemon {
  abstract readonly kind: DaemonKind;
  readonly dir: string;
  protected proc: Spawned | undefined;
  protected originated: readonly OriginatedRoute[];
  private cleaned = false;

  constructor(readonly config: DaemonConfig) {
    this.dir = mkdtempSync(join(tmpdir(), `bgp-interop-${this.constructor.name.toLowerCase()}-`));
    this.originated = config.routes ?? [];
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  protected get nextHop(): { readonly ipv4: string; readonly ipv6: string } {
    return this.config.nextHop ?? DEFAULT_NEXT_HOP;
  }

  protected get holdTimeSec(): number {
    return this.config.holdTimeSec ?? 9;
  }

  get logFile(): string {
    return join(this.dir, "daemon.log");
  }

  /** Write config files for the current `originated` set. */
  protected abstract writeConfig(): void;
  protected abstract command(): { cmd: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** Resolve once the control socket answers (bounded). */
  protected abstract waitReady(): Promise<void>;
  /** Push the `originated` set into the running daemon. */
  protected abstract applyRoutes(previous: readonly OriginatedRoute[]): Promise<void>;
  abstract neighborStatus(): Promise<NeighborStatus>;
  abstract receivedNotifications(): Promise<string[]>;

  protected async logLines(pattern: RegExp): Promise<string[]> {
    return (await this.log()).split("\n").filter((l) => pattern.test(l));
  }
  abstract routes(family: IpFamily): Promise<DaemonRoute[]>;

  async start(): Promise<void> {
    if (this.proc) throw new Error(`${this.kind} already running (pid ${this.proc.pid})`);
    this.beforeStart();
    this.writeConfig();
    const { cmd, args, env } = this.command();
    const proc = spawnLogged(cmd, args, this.logFile, env);
    this.proc = proc;
    const early = proc.exited.then((code) => {
      throw new Error(`${this.kind} exited (${code}) during start; log:\n${this.logTail()}`);
    });
    // The race below observes a failure; this keeps a later, expected exit from being unhandled.
    early.catch(() => undefined);
    try {
      await Promise.race([this.waitReady(), early]);
    } catch (err) {
      await this.stop();
      throw err;
    }
    await this.afterReady();
  }

  /** Hook: remove stale sockets etc. */
  protected beforeStart(): void {}
  /** Hook: daemons that cannot keep originated routes in their config re-add them here. */
  protected async afterReady(): Promise<void> {}

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    await stopProcess(proc);
    this.proc = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async originate(routes: readonly OriginatedRoute[]): Promise<void> {
    const previous = this.originated;
    this.originated = routes;
    this.writeConfig();
    if (this.proc) await this.applyRoutes(previous);
  }

  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    try {
      await this.stop();
    } finally {
      this.cleaned = true;
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  async log(): Promise<string> {
    try {
      return readFileSync(this.logFile, "utf8");
    } catch {
      return "";
    }
  }

  protected logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}
