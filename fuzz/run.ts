/**
 * Coverage-guided fuzzing of the decoder and of a session's byte input, for a bounded time.
 *
 *   npm run fuzz:coverage                          both targets, 30 s each
 *   npx tsx fuzz/run.ts --target session --seconds 120 --seed 7 --save
 *
 * --save adds the inputs that reached blocks no earlier input reached to fuzz/corpus/<target>/. Crashing inputs are
 * written to fuzz/crashes/ (not kept in git: each becomes a regression test instead), and the exit
 * code is 1 when there was any.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { corpusDir, FUZZ_DIR, readCorpus, type TargetName, writeInputs } from "./corpus.js";
import { type FuzzResult, fuzz } from "./engine.js";
import { decodeTarget, sessionTarget } from "./targets.js";

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "all" },
    seconds: { type: "string", default: process.env.FUZZ_SECONDS ?? "30" },
    seed: { type: "string", default: "1" },
    save: { type: "boolean", default: false },
  },
});

const seconds = Number(values.seconds);
const seed = Number(values.seed);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`--seconds must be a positive number, got ${values.seconds}`);
  process.exit(2);
}
if (!Number.isInteger(seed)) {
  console.error(`--seed must be an integer, got ${values.seed}`);
  process.exit(2);
}
const targets: TargetName[] = values.target === "all" ? ["decode", "session"] : [values.target as TargetName];
for (const t of targets) {
  if (t !== "decode" && t !== "session") {
    console.error(`--target must be decode, session or all, got ${t}`);
    process.exit(2);
  }
}

/** Fix the marker and Length of each message in a stream so mutants get past the framer. */
function reframe(input: Uint8Array, from: number): Uint8Array {
  const out = Uint8Array.from(input);
  let at = from;
  while (out.length - at >= 19) {
    out.fill(0xff, at, at + 16);
    let length = (out[at + 16] << 8) | out[at + 17];
    if (length < 19 || length > out.length - at) length = out.length - at;
    if (length > 0xffff) break;
    out[at + 16] = length >>> 8;
    out[at + 17] = length & 0xff;
    at += length;
  }
  return out;
}

const rows: [TargetName, FuzzResult, number][] = [];
let crashed = false;
for (const target of targets) {
  const corpus = readCorpus(target);
  const result = await fuzz(target === "decode" ? decodeTarget : sessionTarget, {
    corpus,
    durationMs: seconds * 1000,
    coverageFilter: "/src/",
    maxLength: target === "decode" ? 4200 : 8192,
    seed,
    fixup: (input) => reframe(input, target === "decode" ? 0 : 1),
    onCrash: (input, error) => {
      crashed = true;
      const added = writeInputs(join(FUZZ_DIR, "crashes"), [input], `${target}-`);
      if (added > 0) {
        console.error(`crash in ${target}: ${Buffer.from(input).toString("hex")}`);
        console.error(error);
      }
    },
  });
  // Only what reached new blocks is kept, so the corpus in git stays small.
  if (values.save) writeInputs(corpusDir(target), result.blockFinds);
  rows.push([target, result, corpus.length]);
}

console.log(
  `Node ${process.version}, ${seconds} s per target, seed ${seed}; coverage is V8 block coverage of src/`,
);
console.log(
  "| target | seeds | new inputs | executions | exec/s | blocks covered | blocks seen | features | crashes |",
);
console.log(
  "| ------ | ----- | ---------- | ---------- | ------ | -------------- | ----------- | -------- | ------- |",
);
for (const [target, r, seeds] of rows) {
  console.log(
    `| ${target} | ${seeds} | ${r.newInputs} | ${r.executions.toLocaleString("en")} | ${r.executionsPerSecond.toLocaleString("en")} | ${r.blocksCovered} | ${r.blocksKnown} | ${r.features} | ${r.crashes} |`,
  );
  for (const kind of r.crashKinds) console.log(`  crash: ${kind}`);
}
process.exit(crashed ? 1 : 0);
