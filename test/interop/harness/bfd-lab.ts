/**
 * The BFD interop lab: a router namespace (BIRD or FRR) and host namespaces, each host running
 * our speaker (bfd-host.ts) in its own process, so a test can freeze a host (SIGSTOP) or the
 * router and time what the other side sees. Namespaces are named `bgpbfd<pid><tag>...` and
 * removed at the end, also on failure; processes are stopped by the PIDs this lab started.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Lab, type Started } from "../../../examples/anycast-lab/netns.js";
import { netnsUnusable } from "../../../examples/anycast-lab/preflight.js";
import type { PeerOptions } from "../../../src/index.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const HOST_SCRIPT = fileURLToPath(new URL("./bfd-host.ts", import.meta.url));

export interface HostEvent {
  readonly t: number;
  readonly type: string;
  readonly event: Record<string, unknown> & {
    reason?: { message?: string; code?: number; subcode?: number };
  };
}

export interface Host {
  readonly name: string;
  readonly ns: string;
  readonly process: Started;
  readonly events: HostEvent[];
}

/** One link: router end and host end addresses (v4 /prefix, v6 /64). */
export interface LinkPlan {
  readonly routerDev: string;
  readonly hostDev: string;
  readonly routerV4: string;
  readonly hostV4: string;
  readonly prefixLength: number;
  readonly routerV6: string;
  readonly hostV6: string;
}

/** Three links within the blocks we may use: 198.51.100.0/24, 198.51.101.0/25 and /25. */
export const LINKS: readonly LinkPlan[] = [
  {
    routerDev: "vr1",
    hostDev: "vh1",
    routerV4: "198.51.100.1",
    hostV4: "198.51.100.2",
    prefixLength: 24,
    routerV6: "2001:db8:100::1",
    hostV6: "2001:db8:100::2",
  },
  {
    routerDev: "vr2",
    hostDev: "vh2",
    routerV4: "198.51.101.1",
    hostV4: "198.51.101.2",
    prefixLength: 25,
    routerV6: "2001:db8:101::1",
    hostV6: "2001:db8:101::2",
  },
  {
    routerDev: "vr3",
    hostDev: "vh3",
    routerV4: "198.51.101.129",
    hostV4: "198.51.101.130",
    prefixLength: 25,
    routerV6: "2001:db8:101:1::1",
    hostV6: "2001:db8:101:1::2",
  },
];

export const ROUTER_ASN = 65000;
export const HOST_ASN = 65001;

/** Why the lab cannot run here (not root, no netns), or undefined. */
export function labUnusable(): string | undefined {
  return netnsUnusable();
}

export class BfdLab {
  readonly lab: Lab;
  readonly dir: string;
  readonly router: string;
  private readonly hosts: Host[] = [];

  constructor(tag: string, links: number) {
    this.lab = new Lab(`bgpbfd${process.pid}${tag}`);
    this.dir = mkdtempSync(join(tmpdir(), `bgpbfd-${tag}-`));
    this.router = this.lab.netns("r");
    for (let i = 0; i < links; i++) {
      const l = LINKS[i];
      const host = this.lab.netns(`h${i + 1}`);
      this.lab.link(
        {
          ns: this.router,
          dev: l.routerDev,
          v4: `${l.routerV4}/${l.prefixLength}`,
          v6: `${l.routerV6}/64`,
        },
        { ns: host, dev: l.hostDev, v4: `${l.hostV4}/${l.prefixLength}`, v6: `${l.hostV6}/64` },
      );
    }
  }

  hostNs(index: number): string {
    return `${this.lab.prefix}h${index + 1}`;
  }

  /** Start our speaker in host namespace `index` with these peers and routes. */
  startHost(
    index: number,
    peers: readonly PeerOptions[],
    announce: readonly { prefix: string; nextHop: string }[],
  ): Host {
    const ns = this.hostNs(index);
    const events: HostEvent[] = [];
    const config = { asn: HOST_ASN, routerId: LINKS[index].hostV4, peers, announce };
    const started = this.lab.start(
      `host${index + 1}`,
      ns,
      process.execPath,
      ["--import", "tsx", HOST_SCRIPT, JSON.stringify(config)],
      (line) => {
        if (line.startsWith("{")) {
          try {
            events.push(JSON.parse(line) as HostEvent);
            return;
          } catch {
            // not ours
          }
        }
        if (process.env.BFD_LAB_VERBOSE) console.log(`[host${index + 1}] ${line}`);
      },
      { cwd: ROOT },
    );
    const host = { name: `host${index + 1}`, ns, process: started, events };
    this.hosts.push(host);
    return host;
  }

  /** Run a command inside the router namespace (async, so a poll loop does not block timers). */
  routerExec(cmd: string, args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        "ip",
        ["netns", "exec", this.router, cmd, ...args],
        { timeout: 5000 },
        (error, stdout, stderr) => {
          if (error)
            reject(new Error(`${cmd} ${args.join(" ")}: ${stderr || error.message}`, { cause: error }));
          else resolve(stdout);
        },
      );
    });
  }

  async teardown(): Promise<void> {
    // A frozen process cannot act on SIGTERM: thaw everything we started first.
    for (const host of this.hosts) resume(host.process.pid);
    await this.lab.teardown();
    rmSync(this.dir, { recursive: true, force: true });
  }

  leftovers(): string[] {
    return this.lab.leftovers();
  }
}

export function freeze(pid: number): void {
  process.kill(pid, "SIGSTOP");
}

export function resume(pid: number): void {
  try {
    process.kill(pid, "SIGCONT");
  } catch {
    // gone
  }
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  stepMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    let value: T | undefined;
    try {
      value = await probe();
    } catch (error) {
      lastError = error; // a daemon still starting: try again
    }
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** The latest `status` line of a host: its peerStatus(). */
export function lastStatus(host: Host): { address: string; state: string; bfd: { state: string } | null }[] {
  for (let i = host.events.length - 1; i >= 0; i--) {
    if (host.events[i].type === "status") return host.events[i].event as never;
  }
  return [];
}

/**
 * Wait until every status line of `host` over the last `stableMs` shows each peer Established with
 * BFD Up: after a thaw, a host first prints stale "Up" lines before its overdue timers fire.
 */
export function stablyUp(host: Host, stableMs: number, timeoutMs: number): Promise<true> {
  const start = Date.now();
  return waitUntil(
    `${host.name} stably Established with BFD Up`,
    () => {
      const statuses = host.events.filter((e) => e.type === "status" && e.t >= start);
      const last = statuses.at(-1);
      if (last === undefined) return undefined;
      const good = (e: HostEvent) =>
        (e.event as unknown as { state: string; bfd: { state: string } | null }[]).every(
          (p) => p.state === "Established" && p.bfd?.state === "Up",
        );
      let since: number | undefined;
      for (let i = statuses.length - 1; i >= 0 && good(statuses[i]); i--) since = statuses[i].t;
      return since !== undefined && last.t - since >= stableMs ? true : undefined;
    },
    timeoutMs,
    50,
  );
}
