/**
 * A persistent connection to BIRD's control socket, so that polling a counter every few milliseconds
 * costs one request on an open socket instead of a `birdc` process each time.
 *
 * BIRD's CLI protocol: every reply line starts with a four-digit code followed by '-' (more lines
 * follow) or ' ' (last line), or with a space (continuation of the previous code).
 */
import { createConnection, type Socket } from "node:net";

export class BirdControl {
  private buffer = "";
  private lines: string[] = [];
  private waiting: ((reply: string[]) => void) | undefined;
  private failed: Error | undefined;
  private readonly greeting: Promise<string[]>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", (err) => {
      this.failed = err;
    });
    this.greeting = new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  static async connect(path: string): Promise<BirdControl> {
    const socket = createConnection(path);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const ctl = new BirdControl(socket);
    await ctl.greeting;
    return ctl;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl = this.buffer.indexOf("\n");
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      this.lines.push(line);
      if (/^\d{4} /.test(line)) {
        const reply = this.lines;
        this.lines = [];
        const w = this.waiting;
        this.waiting = undefined;
        w?.(reply);
      }
      nl = this.buffer.indexOf("\n");
    }
  }

  /** One command, its reply lines with the codes stripped. */
  async command(cmd: string, timeoutMs = 30_000): Promise<string[]> {
    if (this.failed) throw this.failed;
    if (this.waiting) throw new Error("BirdControl: one command at a time");
    let timer: NodeJS.Timeout | undefined;
    const reply = await Promise.race([
      new Promise<string[]>((resolve) => {
        this.waiting = resolve;
        this.socket.write(`${cmd}\n`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`birdc '${cmd}' timed out`)), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return reply.map((l) => (/^\d{4}[ -]/.test(l) ? l.slice(5) : l.slice(1)));
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface BirdProtocolState {
  readonly state: string;
  /** When the protocol last changed state, ms since the epoch (needs `timeformat protocol iso long ms`). */
  readonly sinceMs: number;
  readonly imported: number;
}

/** `show protocols all NAME`: BGP state, the time of its last change, and the import counter. */
export async function protocolState(ctl: BirdControl, name: string): Promise<BirdProtocolState> {
  const lines = await ctl.command(`show protocols all ${name}`);
  const summary = lines.find((l) => l.startsWith(`${name} `)) ?? "";
  // Name Proto Table State Since(date time) Info
  const cols = summary.trim().split(/\s+/);
  const sinceMs = new Date(`${cols[4]}T${cols[5]}`).getTime();
  const bgpState = lines.map((l) => /BGP state:\s+(\S+)/.exec(l)?.[1]).find(Boolean) ?? cols[3] ?? "unknown";
  // One "Routes:" line per channel (ipv4, ipv6): the protocol's total is their sum.
  const imported = lines.reduce((n, l) => n + Number(/Routes:\s+(\d+) imported/.exec(l)?.[1] ?? 0), 0);
  return { state: bgpState, sinceMs, imported };
}

export interface BirdImportStats {
  /** Routes of the protocol in its tables (`Routes: N imported`). */
  readonly imported: number;
  /** `Import updates:` counters: received, rejected, filtered, ignored, accepted. */
  readonly received: number;
  readonly rejected: number;
  readonly filtered: number;
  readonly ignored: number;
  readonly accepted: number;
}

/** `show protocols all NAME`: the routes held and the import update counters, summed over channels. */
export async function importStats(ctl: BirdControl, name: string): Promise<BirdImportStats> {
  const lines = await ctl.command(`show protocols all ${name}`);
  const stats = { imported: 0, received: 0, rejected: 0, filtered: 0, ignored: 0, accepted: 0 };
  for (const l of lines) {
    stats.imported += Number(/Routes:\s+(\d+) imported/.exec(l)?.[1] ?? 0);
    const u = /Import updates:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(l);
    if (u === null) continue;
    stats.received += Number(u[1]);
    stats.rejected += Number(u[2]);
    stats.filtered += Number(u[3]);
    stats.ignored += Number(u[4]);
    stats.accepted += Number(u[5]);
  }
  return stats;
}
