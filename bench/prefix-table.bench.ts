/**
 * The Adj-RIB-In's table alone (src/speaker/prefix-table.ts): a fresh PrefixTable filled with N
 * routes of the bulk benches' set, as UPDATE-sized NLRI fields (1,012 /24s or 580 /48s, what fills
 * a 4,096-octet UPDATE), then emptied by withdrawing them in the same fields. No socket, no decoder:
 * this is the part of bench/bulk/receive.bench.ts that the table costs, without the noise of two
 * daemons. Arrival orders:
 *   bird      the order a sending BIRD walks its FIB in (its hash, ip6_hash/ip4_hash of BIRD's
 *             lib/ip.h), which is what receive.bench.ts feeds the speaker
 *   counting  the set's own order
 *   shuffled  a fixed random permutation
 * Each order runs in a fresh process (so its first fill is as cold as a new session's), --runs
 * fills; the table shows the first fill and the median of the rest, in CPU nanoseconds a route.
 *
 *   npx tsx bench/prefix-table.bench.ts [--family ipv4|ipv6] [--count N] [--runs 7]
 *                                       [--prefixes counting|scattered]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PrefixTable } from "../src/speaker/prefix-table.js";
import type { NlriField } from "../src/wire/deferred-nlri.js";
import { type BulkFamily, birdFibHash, ipv4Net, ipv6Bits, usePrefixSet } from "./bulk/prefixes.js";
import { arg, median, printTable } from "./bulk/report.js";

const ORDERS = ["bird", "counting", "shuffled"] as const;
type Order = (typeof ORDERS)[number];

const family = arg("family", "ipv6") as BulkFamily;
const count = Number(arg("count", "1000000"));
const runs = Number(arg("runs", "7"));
const prefixSet = usePrefixSet(arg("prefixes", "counting"), family);
const childOrder = arg("child", "") as Order | "";

function arrival(order: Order): Uint32Array {
  const ids = new Uint32Array(count);
  for (let i = 0; i < count; i++) ids[i] = i;
  if (order === "bird") {
    const hashes = new Uint32Array(count);
    for (let i = 0; i < count; i++) hashes[i] = birdFibHash(family, i);
    return Uint32Array.from([...ids].sort((a, b) => hashes[a] - hashes[b] || a - b));
  }
  if (order === "shuffled") {
    let seed = 12345;
    for (let i = count - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const j = seed % (i + 1);
      const t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
    }
  }
  return ids;
}

/** The NLRI fields of the table in this order: UPDATE-sized runs of entries, octets as on the wire. */
function fields(order: Order): NlriField[] {
  const ids = arrival(order);
  const perField = family === "ipv4" ? 1012 : 580;
  const entry = family === "ipv4" ? 4 : 7;
  const out: NlriField[] = [];
  for (let from = 0; from < count; from += perField) {
    const n = Math.min(perField, count - from);
    const bytes = new Uint8Array(n * entry);
    for (let k = 0; k < n; k++) {
      const i = ids[from + k];
      const o = k * entry;
      if (family === "ipv4") {
        const net = ipv4Net(i);
        bytes.set([24, net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255], o);
      } else {
        const bits = ipv6Bits(i);
        bytes.set([48, 0xfd, 0, bits >>> 24, (bits >>> 16) & 255, (bits >>> 8) & 255, bits & 255], o);
      }
    }
    const tableFamily = family === "ipv4" ? "ipv4-unicast" : "ipv6-unicast";
    out.push({ family: tableFamily, addPath: false, bytes, start: 0, end: bytes.length });
  }
  return out;
}

const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

if (childOrder !== "") {
  const input = fields(childOrder);
  const group = { attributes: { origin: "igp" as const, asPath: [] }, nextHop: undefined };
  const fill: number[] = [];
  const empty: number[] = [];
  for (let r = 0; r < runs; r++) {
    const table = new PrefixTable(input[0].family);
    let t = cpuNs();
    for (const field of input) {
      const id = table.addGroup(group);
      table.applyField(field, id, null);
      table.releaseIfUnused(id);
    }
    fill.push((cpuNs() - t) / count);
    if (table.size !== count) throw new Error(`the table holds ${table.size} routes, not ${count}`);
    t = cpuNs();
    for (const field of input) table.applyField(field, -1, null);
    empty.push((cpuNs() - t) / count);
    if (table.size !== 0) throw new Error(`${table.size} routes left after withdrawing them all`);
  }
  console.log(JSON.stringify({ fill, empty }));
} else {
  const rows: string[][] = [];
  for (const order of ORDERS) {
    const out = spawnSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2), "--child", order],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 300_000 },
    );
    if (out.status !== 0) throw new Error(`the ${order} child failed (status ${out.status})`);
    const { fill, empty } = JSON.parse(out.stdout) as { fill: number[]; empty: number[] };
    const ns = (x: number) => x.toFixed(0);
    rows.push([order, ns(fill[0]), ns(median(fill.slice(1))), ns(median(empty))]);
  }
  console.log(
    `\nPrefixTable: ${count.toLocaleString("en")} ${family} routes (${prefixSet} set), ${runs} fills per order\n`,
  );
  printTable(
    ["arrival order", "first fill (ns/route)", "later fills (ns/route)", "withdraw all (ns/route)"],
    rows,
  );
}
