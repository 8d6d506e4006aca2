/**
 * Bench-only launchers: the interop harness runs one neighbor per daemon with routes listed one by one;
 * the bulk benchmarks need a receiving BIRD with one (disabled) protocol per sender and senders that
 * hold a million routes before their session starts. Processes are started and stopped with the
 * harness's PID-tracked helpers (killed on exit if a run dies).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exabgpEnvironment } from "../../test/interop/harness/exabgp.js";
import {
  runCli,
  type Spawned,
  sleep,
  spawnLogged,
  stopProcess,
  waitFor,
} from "../../test/interop/harness/process.js";
import { BirdControl } from "./bird-ctl.js";
import { type BulkFamily, exabgpIpv4Lines, exabgpIpv6Lines, prefixOf, writeMrt } from "./prefixes.js";

/**
 * BULK_NET=N moves every bench address to 127.0.N.x and its ports to 20000+N*10.. (so that runs on a
 * shared machine do not collide); unset, the addresses are 127.0.0.x and the ports 11790-11801.
 */
const BULK_NET = process.env.BULK_NET === undefined ? null : Number(process.env.BULK_NET);

/** The bench address ending in `last`, and the port at `offset` (0-11) of the bench's block. */
export function bulkEndpoint(last: number, offset: number): { address: string; port: number } {
  if (BULK_NET === null) return { address: `127.0.0.${last}`, port: 11790 + offset };
  return { address: `127.0.${BULK_NET}.${last}`, port: 20000 + BULK_NET * 10 + (offset % 10) };
}

export const RECEIVER = { ...bulkEndpoint(10, 0), asn: 65000 } as const;

/** One sender as the receiver sees it. */
export interface SenderEndpoint {
  /** BIRD protocol name on the receiver. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly asn: number;
}

/** Temp dirs not yet removed: deleted at exit, after the harness's exit hook has killed the daemons. */
const liveDirs = new Set<string>();
process.on("exit", () => {
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
});
// A signal would end the process without "exit" handlers: turn it into an exit so they run.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

export function tempDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bgp-bench-${tag}-`));
  liveDirs.add(dir);
  return dir;
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

const bin = (name: string): string => {
  for (const d of ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
    try {
      readFileSync(join(d, name), { flag: "r" }).length;
      return join(d, name);
    } catch {
      // next
    }
  }
  throw new Error(`${name} not found (apt-get install bird2 gobgpd exabgp)`);
};

/** Peak and current RSS of a running process, in bytes, from /proc (VmHWM, VmRSS). */
export function procRss(pid: number): { peak: number; current: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { peak: kb("VmHWM"), current: kb("VmRSS") };
}

/** User + system CPU seconds a process (all its threads) has used so far, from /proc/PID/stat. */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: utime is the 14th
  // field of the line, stime the 15th, both in clock ticks (100 a second on Linux).
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

/** A running daemon with its temp dir; `stop` kills it by PID and deletes the dir. */
export interface Running {
  readonly pid: number;
  readonly dir: string;
  stop(): Promise<void>;
}

function running(proc: Spawned, dir: string, extra?: () => void): Running {
  let stopped = false;
  return {
    pid: proc.pid,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      extra?.();
      await stopProcess(proc, 5_000);
      removeDir(dir);
    },
  };
}

export interface RunningBird extends Running {
  readonly ctl: BirdControl;
}

async function startBird(dir: string, conf: string, readyMs: number): Promise<RunningBird> {
  const confFile = join(dir, "bird.conf");
  const sock = join(dir, "bird.ctl");
  writeFileSync(confFile, conf);
  const proc = spawnLogged(
    bin("bird"),
    ["-f", "-c", confFile, "-s", sock, "-P", join(dir, "bird.pid")],
    join(dir, "bird.log"),
  );
  try {
    await waitFor(
      "BIRD control socket",
      async () =>
        (await runCli(bin("birdc"), ["-s", sock, "show", "status"])).code === 0 ? true : undefined,
      readyMs,
      50,
    );
  } catch (err) {
    await stopProcess(proc);
    const log = readFileSync(join(dir, "bird.log"), "utf8").slice(-2000);
    removeDir(dir);
    throw new Error(`BIRD did not start: ${log}`, { cause: err });
  }
  const ctl = await BirdControl.connect(sock);
  const r = running(proc, dir, () => ctl.close());
  return { ...r, ctl };
}

const HEADER = (routerId: string) => `router id ${routerId};
timeformat protocol iso long ms;
protocol device {}
`;

/**
 * The receiver: one BGP protocol per sender, all disabled; `birdc enable NAME` starts one. It connects
 * to the sender (the senders are passive), so each run starts when we say so.
 */
export function startReceiver(senders: readonly SenderEndpoint[]): Promise<RunningBird> {
  const dir = tempDir("receiver");
  const protocols = senders
    .map(
      (s) => `protocol bgp ${s.name} {
  local ${RECEIVER.address} port ${RECEIVER.port} as ${RECEIVER.asn};
  neighbor ${s.address} port ${s.port} as ${s.asn};
  strict bind on;
  multihop;
  disabled;
  hold time 240;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 5;
  graceful restart off;
  long lived graceful restart off;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; next hop address 2001:db8:113::10; };
}`,
    )
    .join("\n");
  return startBird(
    dir,
    `${HEADER(RECEIVER.address)}log "${join(dir, "bird.log")}" all;\n${protocols}\n`,
    10_000,
  );
}

/**
 * A BIRD that originates `count` routes of `family` from a static protocol and exports them to one
 * neighbor. The BGP protocol starts disabled and is enabled once the static routes are all in the
 * table (see `enableWhenLoaded`), so the session carries a full table from its first UPDATE.
 */
export async function startBirdOriginator(opts: {
  family: BulkFamily;
  count: number;
  local: { address: string; port: number; asn: number };
  neighbor: { address: string; port: number; asn: number };
  passive: boolean;
  ipv6NextHop: string;
}): Promise<RunningBird> {
  const dir = tempDir("bird-origin");
  const lines: string[] = [HEADER(opts.local.address), `log "${join(dir, "bird.log")}" all;`];
  lines.push(`protocol static origin { ${opts.family};`);
  for (let i = 0; i < opts.count; i++) lines.push(`route ${prefixOf(opts.family, i)} unreachable;`);
  lines.push("}");
  lines.push(`protocol bgp to_peer {
  local ${opts.local.address} port ${opts.local.port} as ${opts.local.asn};
  neighbor ${opts.neighbor.address} port ${opts.neighbor.port} as ${opts.neighbor.asn};
  strict bind on;
  multihop;
  disabled;
  passive ${opts.passive ? "on" : "off"};
  hold time 240;
  connect delay time 1;
  connect retry time 1;
  ipv4 { import none; export where source = RTS_STATIC; };
  ipv6 { import none; export where source = RTS_STATIC; next hop address ${opts.ipv6NextHop}; };
}`);
  const bird = await startBird(dir, `${lines.join("\n")}\n`, 120_000);
  await waitFor(
    `BIRD static protocol to hold ${opts.count} routes`,
    async () => {
      const out = await bird.ctl.command("show protocols all origin");
      const n = Number(out.map((l) => /Routes:\s+(\d+) imported/.exec(l)?.[1]).find(Boolean) ?? 0);
      return n === opts.count ? true : undefined;
    },
    120_000,
    100,
  );
  await bird.ctl.command("enable to_peer");
  return bird;
}

/** GoBGP, passive, its global RIB preloaded from an MRT file before the receiver connects. */
export async function startGobgp(opts: {
  family: BulkFamily;
  count: number;
  local: { address: string; port: number; asn: number };
}): Promise<Running> {
  const dir = tempDir("gobgp");
  const sock = join(dir, "gobgp.sock");
  const conf = `[global.config]
  as = ${opts.local.asn}
  router-id = "${opts.local.address}"
  port = ${opts.local.port}
  local-address-list = ["${opts.local.address}"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "${RECEIVER.address}"
    peer-as = ${RECEIVER.asn}
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 240
    keepalive-interval = 80
  [neighbors.transport.config]
    local-address = "${opts.local.address}"
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
`;
  writeFileSync(join(dir, "gobgpd.toml"), conf);
  const proc = spawnLogged(
    bin("gobgpd"),
    ["-f", join(dir, "gobgpd.toml"), "-t", "toml", "-p", "--pprof-disable", "--api-hosts", `unix://${sock}`],
    join(dir, "gobgpd.log"),
  );
  const r = running(proc, dir);
  try {
    const gobgp = (...args: string[]) =>
      runCli(bin("gobgp"), ["--target", `unix://${sock}`, ...args], 300_000);
    await waitFor(
      "gobgpd API",
      async () => ((await gobgp("global")).code === 0 ? true : undefined),
      10_000,
      50,
    );
    const mrt = join(dir, "routes.mrt");
    writeMrt(mrt, opts.family, opts.count, 2048, `2001:db8:113::${opts.local.address.split(".")[3]}`);
    const inject = await gobgp("mrt", "inject", "global", mrt);
    if (inject.code !== 0) throw new Error(`gobgp mrt inject: ${inject.stderr || inject.stdout}`);
    await waitFor(
      `GoBGP global RIB to hold ${opts.count} destinations`,
      async () => {
        const out = (await gobgp("global", "rib", "summary", "-a", opts.family)).stdout;
        const n = Number(/Destination:\s*(\d+)/.exec(out)?.[1] ?? -1);
        return n === opts.count ? true : undefined;
      },
      120_000,
      200,
    );
  } catch (err) {
    await r.stop();
    throw err;
  }
  return r;
}

/** ExaBGP with its routes as static config (`split` keeps the config short), passive. */
export async function startExabgp(opts: {
  family: BulkFamily;
  count: number;
  local: { address: string; port: number; asn: number };
  nextHop: string;
}): Promise<Running & { log(): string }> {
  const dir = tempDir("exabgp");
  const routes =
    opts.family === "ipv4"
      ? exabgpIpv4Lines(opts.count, opts.nextHop)
      : exabgpIpv6Lines(opts.count, opts.nextHop);
  const conf = `neighbor ${RECEIVER.address} {
  router-id ${opts.local.address};
  local-address ${opts.local.address};
  local-as ${opts.local.asn};
  peer-as ${RECEIVER.asn};
  hold-time 240;
  passive true;
  family { ${opts.family} unicast; }
  static {
${routes.map((l) => `    ${l}`).join("\n")}
  }
}
`;
  writeFileSync(join(dir, "exabgp.conf"), conf);
  const env = exabgpEnvironment(opts.local.address, opts.local.port);
  const logFile = join(dir, "exabgp.log");
  const proc = spawnLogged(bin("exabgp"), [join(dir, "exabgp.conf")], logFile, env);
  await sleep(200);
  return { ...running(proc, dir), log: () => readFileSync(logFile, "utf8") };
}
