import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { PeerOptions, SpeakerOptions } from "../../../src/index.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./speaker-child.ts", import.meta.url));

interface ChildEvent {
  readonly event: string;
  readonly peer?: string;
  readonly to?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly line?: string;
}

/** A speaker running in a namespace, driven over stdin, its events collected. */
export class NsSpeaker {
  readonly events: ChildEvent[] = [];
  readonly states = new Map<string, string>();
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(ns: string, options: SpeakerOptions) {
    this.child = spawn(
      "ip",
      ["netns", "exec", ns, process.execPath, "--import", "tsx", SCRIPT, JSON.stringify(options)],
      { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
    );
    const onLine = (line: string) => {
      if (!line.startsWith("{")) return;
      const e = JSON.parse(line) as ChildEvent;
      this.events.push(e);
      if (e.event === "state" && e.peer !== undefined && e.to !== undefined) this.states.set(e.peer, e.to);
    };
    createInterface({ input: this.child.stdout! }).on("line", onLine);
    createInterface({ input: this.child.stderr! }).on("line", (l) =>
      this.events.push({ event: "stderr", line: l }),
    );
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
  }

  async ready(): Promise<void> {
    await this.until("the speaker to start", () => this.events.some((e) => e.event === "ready"), 30_000);
  }

  private async command(c: object): Promise<void> {
    const line = JSON.stringify(c);
    this.child.stdin!.write(`${line}\n`);
    const e = await this.until(`"${line}" to run`, () => this.events.find((x) => x.line === line));
    if (e.event === "error") throw new Error(`${line}: ${e.message}`);
  }

  addPeer(peer: PeerOptions): Promise<void> {
    return this.command({ addPeer: peer });
  }
  removePeer(name: string): Promise<void> {
    return this.command({ removePeer: name });
  }
  announce(prefix: string, nextHop?: string): Promise<void> {
    return this.command(nextHop === undefined ? { announce: prefix } : { announce: prefix, nextHop });
  }

  established(peer: string): boolean {
    return this.states.get(peer) === "Established";
  }

  async until<T>(what: string, probe: () => T | undefined | false, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      if (this.child.exitCode !== null) throw new Error(`speaker exited waiting for ${what}: ${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  tail(): string {
    return this.events
      .slice(-12)
      .map((e) => JSON.stringify(e))
      .join("\n");
  }

  /** Ends the child by its own PID: stdin closed (it says Cease), SIGKILL after a bound. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}
