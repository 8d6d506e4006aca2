/**
 * Summarise a V8 .cpuprofile (from node --cpu-prof): self and total time per function, top N, with
 * file:line, optionally only the samples after `--from-ms` (ms since the profile started), so the
 * setup (announce() calls) and the send phase can be read apart.
 *
 *   npx tsx bench/bulk/profile-summary.ts FILE.cpuprofile [--top 25] [--from-ms 0] [--to-ms Inf]
 */
import { readFileSync } from "node:fs";
import { arg } from "./report.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const profile = JSON.parse(readFileSync(process.argv[2], "utf8")) as Profile;
const top = Number(arg("top", "25"));
const fromUs = Number(arg("from-ms", "0")) * 1000;
const toUs = Number(arg("to-ms", "Infinity")) * 1000;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode) => {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\/\/work\/main\//, "").replace(/^.*node_modules\//, "nm/");
  return `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let t = 0;
let sampled = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  if (t < fromUs || t > toUs) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  sampled += dt;
  let node = byId.get(profile.samples[i]);
  if (!node) continue;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (;;) {
    const l = label(node);
    if (!seen.has(l)) {
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
    const p = parent.get(node.id);
    if (p === undefined) break;
    node = byId.get(p)!;
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (of ${(sampled / 1000).toFixed(0)} ms sampled)`);
  for (const [l, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / sampled).toFixed(1).padStart(5)}%  ${l}`,
    );
  }
};
show("self time", self);
show("total time", total);
