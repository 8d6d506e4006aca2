/**
 * announce() cost of this checkout against another one (`--old DIR`, a checkout of an earlier
 * commit with its own src/), in one process, alternating which goes first each round, so a loaded
 * machine slows both alike: a speaker with two peers (not started) takes `--count` announce() calls
 * of distinct /32s with one attributes object, the same again, then as many withdraw() calls.
 * Medians of `--rounds`.
 *
 *   git archive 4e05c8d | tar -x -C /tmp/old && npx tsx bench/announce-ab.bench.ts --old /tmp/old
 */
import path from "node:path";
import { arg, printTable } from "./bulk/report.js";

interface SpeakerLike {
  addPeer(options: { address: string; asn: number }): void;
  announce(prefix: string, attributes?: { nextHop: string }): void;
  withdraw(prefix: string): void;
}
type Module = { BgpSpeaker: new (options: { asn: number; routerId: string }) => SpeakerLike };

const oldDir = arg("old", "");
if (oldDir === "") throw new Error("--old DIR: a checkout of the commit to compare with");
const count = Number(arg("count", "300000"));
const rounds = Number(arg("rounds", "8"));
const modules: [string, Module][] = [
  ["old", (await import(path.resolve(oldDir, "src/index.ts"))) as Module],
  ["new", (await import("../src/index.js")) as unknown as Module],
];
const prefixes = Array.from({ length: count }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`);
const results = new Map<string, number[][]>([
  ["old", []],
  ["new", []],
]);
for (let round = 0; round < rounds; round++) {
  for (const [name, mod] of round % 2 === 0 ? modules : [...modules].reverse()) {
    const s = new mod.BgpSpeaker({ asn: 65001, routerId: "198.51.100.2" });
    s.addPeer({ address: "127.0.0.2", asn: 65000 });
    s.addPeer({ address: "127.0.0.3", asn: 65002 });
    const attrs = { nextHop: "198.51.100.1" };
    const ns = (fn: () => void) => {
      const t = performance.now();
      fn();
      return ((performance.now() - t) * 1e6) / count;
    };
    results.get(name)!.push([
      ns(() => {
        for (let i = 0; i < count; i++) s.announce(prefixes[i], attrs);
      }),
      ns(() => {
        for (let i = 0; i < count; i++) s.announce(prefixes[i], attrs);
      }),
      ns(() => {
        for (let i = 0; i < count; i++) s.withdraw(prefixes[i]);
      }),
    ]);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
printTable(
  ["checkout", "announce (new prefix)", "announce (same again)", "withdraw"],
  [...results].map(([name, r]) => [
    name,
    ...[0, 1, 2].map((k) => `${median(r.map((x) => x[k])).toFixed(0)} ns`),
  ]),
);
