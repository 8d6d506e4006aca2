/**
 * UPDATE codec throughput: decode and encode, in prefixes per second and MB/s, for
 *   (a) full 4096-octet UPDATEs packed with IPv4 /24s,
 *   (b) full UPDATEs of IPv6 /48s in MP_REACH_NLRI,
 *   (c) a realistic mix (several attributes, communities, AS paths of 3-8, varied prefix lengths).
 * Each case is warmed up, then timed in ROUNDS rounds of ROUND_MS; the table shows the median round,
 * as throughput per CPU-second of this process.
 *
 *   npx tsx bench/codec.bench.ts            (BENCH_ROUND_MS / BENCH_ROUNDS override the timing)
 */
import { spawnSync } from "node:child_process";
import { formatIpv4Number, formatIpv6 } from "../src/wire/address.js";
import { decodeMessage, encodeMessage } from "../src/wire/message.js";
import type { CodecContext, Nlri, PathAttributes, UpdateMessage } from "../src/wire/types.js";

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);

const CTX: CodecContext = { fourOctetAs: true, addPath: [], extendedMessage: false };

/** A deterministic PRNG (mulberry32) so every run benchmarks the same messages. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The largest n for which build(n) still encodes within 4096 octets. */
function packed(build: (n: number) => UpdateMessage): UpdateMessage {
  let lo = 1;
  let hi = 4096;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    try {
      encodeMessage(build(mid), CTX);
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return build(lo);
}

const BASE: PathAttributes = { origin: "igp", asPath: [{ type: "sequence", asns: [65001, 65002] }] };

function ipv4Packed(offset: number): UpdateMessage {
  return packed((n) => ({
    type: "update",
    withdrawnRoutes: [],
    attributes: { ...BASE, nextHop: "198.51.100.1" },
    nlri: Array.from({ length: n }, (_, i) => ({
      prefix: `${formatIpv4Number(((10 << 24) | ((offset * 4096 + i) << 8)) >>> 0)}/24`,
    })),
  }));
}

function ipv6Packed(offset: number): UpdateMessage {
  const bytes = new Uint8Array(16);
  const prefix = (i: number): Nlri => {
    const k = offset * 4096 + i;
    bytes.fill(0);
    bytes[0] = 0x20;
    bytes[1] = 0x01;
    bytes[2] = 0x0d;
    bytes[3] = 0xb8;
    bytes[4] = (k >>> 8) & 0xff;
    bytes[5] = k & 0xff;
    return { prefix: `${formatIpv6(bytes)}/48` };
  };
  return packed((n) => ({
    type: "update",
    withdrawnRoutes: [],
    attributes: {
      ...BASE,
      mpReach: {
        family: "ipv6-unicast",
        afi: 2,
        safi: 1,
        nextHop: "2001:db8:100::1",
        linkLocalNextHop: "fe80::1",
        nlri: Array.from({ length: n }, (_, i) => prefix(i)),
      },
    },
    nlri: [],
  }));
}

function mixed(count: number): UpdateMessage[] {
  const rand = prng(7);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const out: UpdateMessage[] = [];
  for (let m = 0; m < count; m++) {
    const asns = Array.from({ length: int(3, 8) }, () => int(1, 400000));
    const attributes: PathAttributes = {
      origin: (["igp", "egp", "incomplete"] as const)[int(0, 2)],
      asPath: [{ type: "sequence", asns }],
      nextHop: `198.51.100.${int(1, 254)}`,
      med: int(0, 1000),
      localPref: 100,
      communities: Array.from({ length: int(1, 6) }, () => `${int(1, 65535)}:${int(0, 65535)}`),
      ...(rand() < 0.3 ? { largeCommunities: [`${int(1, 400000)}:${int(0, 100)}:${int(0, 100)}`] } : {}),
      ...(rand() < 0.2
        ? { atomicAggregate: true as const, aggregator: { asn: asns[0], address: "198.51.100.9" } }
        : {}),
    };
    const nlri = Array.from({ length: int(1, 20) }, () => {
      const length = int(16, 32);
      const address = (int(1, 223) << 24) | (int(0, 255) << 16) | (int(0, 255) << 8) | int(0, 255);
      const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
      return { prefix: `${formatIpv4Number((address & mask) >>> 0)}/${length}` };
    });
    const withdrawnRoutes = rand() < 0.3 ? [{ prefix: `203.0.113.${int(0, 255)}/32` }] : [];
    out.push({ type: "update", withdrawnRoutes, attributes, nlri });
  }
  return out;
}

function prefixCount(m: UpdateMessage): number {
  const mp = m.attributes.mpReach;
  return (
    m.nlri.length + m.withdrawnRoutes.length + (mp !== undefined && mp.family !== null ? mp.nlri.length : 0)
  );
}

interface Case {
  readonly name: string;
  readonly messages: UpdateMessage[];
  readonly encoded: Uint8Array[];
  readonly prefixes: number;
  readonly bytes: number;
}

function makeCase(name: string, messages: UpdateMessage[], op: "decode" | "encode"): Case {
  const encoded = messages.map((m) => encodeMessage(m, CTX));
  // Encode starts from what the decoder produces, the shape it is fed in practice. The decode
  // measurement must not keep decoder output alive beforehand: V8 would learn from it to tenure
  // every later decode result, which a streaming decoder's short-lived output never is.
  const decoded = op === "encode" ? encoded.map((b) => decodeMessage(b, CTX) as UpdateMessage) : messages;
  return {
    name,
    messages: decoded,
    encoded,
    prefixes: decoded.reduce((n, m) => n + prefixCount(m), 0),
    bytes: encoded.reduce((n, b) => n + b.length, 0),
  };
}

let sink = 0;

/**
 * Passes over the whole case per CPU-second, timed for `ms` of wall time. CPU time
 * (process.cpuUsage, user + system, all threads of the process including GC helpers) rather than
 * wall time, so that other load on a shared machine does not count against the codec.
 */
function passesPerSecond(run: () => void, ms: number): number {
  let passes = 0;
  const deadline = performance.now() + ms;
  const cpu = process.cpuUsage();
  while (performance.now() < deadline) {
    run();
    passes++;
  }
  const used = process.cpuUsage(cpu);
  return passes / ((used.user + used.system) / 1e6);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(c: Case, op: "decode" | "encode"): { prefixesPerSec: number; mbPerSec: number } {
  const run =
    op === "decode"
      ? () => {
          for (const b of c.encoded) sink += decodeMessage(b, CTX).type.length;
        }
      : () => {
          for (const m of c.messages) sink += encodeMessage(m, CTX).length;
        };
  passesPerSecond(run, WARMUP_MS);
  const rounds = Array.from({ length: ROUNDS }, () => passesPerSecond(run, ROUND_MS));
  const passes = median(rounds);
  return { prefixesPerSec: passes * c.prefixes, mbPerSec: (passes * c.bytes) / 1e6 };
}

// Each case and operation runs in a process of its own: V8's allocation-site pretenuring learns
// from what one measurement keeps alive (the encode inputs, say) and would then tenure the next
// measurement's short-lived decode output, charging it old-space GC that a streaming decoder
// never pays. BENCH_CASE="index:op" selects one in a child.
const cases: [string, () => UpdateMessage[]][] = [
  ["IPv4 /24 packed", () => Array.from({ length: 16 }, (_, i) => ipv4Packed(i))],
  ["IPv6 /48 MP_REACH", () => Array.from({ length: 16 }, (_, i) => ipv6Packed(i))],
  ["realistic mix", () => mixed(500)],
];

const fmt = (n: number, digits = 2) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

const only = process.env.BENCH_CASE;
if (only !== undefined) {
  const [index, op] = only.split(":") as [string, "decode" | "encode"];
  const [name, build] = cases[Number(index)];
  const c = makeCase(name, build(), op);
  const r = measure(c, op);
  const row = [
    c.name,
    op,
    fmt(c.prefixes / c.messages.length, 1),
    fmt(c.bytes / c.messages.length, 0),
    fmt(r.prefixesPerSec / 1e6),
    fmt(r.mbPerSec, 1),
  ];
  console.log(JSON.stringify(row));
  // Reading the sink keeps the measured calls from being optimised away.
  if (sink === 0) console.log("(sink)");
  process.exit(0);
}

const rows: string[][] = [];
for (let index = 0; index < cases.length; index++) {
  for (const op of ["decode", "encode"] as const) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]], {
      env: { ...process.env, BENCH_CASE: `${index}:${op}` },
      encoding: "utf8",
      timeout: 120_000,
    });
    const lastLine = child.stdout
      .trim()
      .split("\n")
      .find((l) => l.startsWith("["));
    if (child.status !== 0 || lastLine === undefined) {
      throw new Error(`benchmark child ${index}:${op} failed: ${child.stderr}`);
    }
    rows.push(JSON.parse(lastLine) as string[]);
  }
}

const header = ["case", "op", "prefixes/msg", "octets/msg", "M prefixes/s", "MB/s"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
console.log(
  `Node ${process.version}, ${ROUNDS} rounds of ${ROUND_MS} ms after ${WARMUP_MS} ms warm-up, median round, per CPU-second`,
);
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(r));
