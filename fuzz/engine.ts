/**
 * A coverage-guided fuzzer on V8's own block coverage (the same counters `c8` and Vitest's v8
 * coverage read), driven in-process through `node:inspector`.
 *
 * Why not Jazzer.js: `@jazzer.js/core` 4.0.0 installs from the npm registry, but the libFuzzer addon
 * it ships (`prebuilds/fuzzer-linux-x64.node`) needs glibc 2.38 and libstdc++ GLIBCXX_3.4.32, and
 * this machine (Debian 12) has glibc 2.36 and GLIBCXX_3.4.30, so it fails to load; the older
 * releases build the addon at install time, which downloads from outside the registry. See
 * docs/robustness.md.
 *
 * The loop is libFuzzer's: run every corpus input, then repeatedly pick one, mutate it, run it, and
 * keep the mutant when it reaches a coverage feature no earlier input reached. A feature is a block
 * (a V8 source range inside `src/`) together with a bucket of how often it ran in that execution
 * (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), as in AFL and libFuzzer.
 *
 * V8 reports a block only where its count differs from the enclosing one, so a branch that starts to
 * run can vanish from the report instead of appearing in it. Every range ever reported is therefore
 * remembered per function, and each execution gives every known range the count of the innermost
 * range reported around it.
 */
import { createHash } from "node:crypto";
import { Session } from "node:inspector";

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  functionName: string;
  ranges: CoverageRange[];
}
interface ScriptCoverage {
  url: string;
  functions: FunctionCoverage[];
}

/** What a target does with one input. Throwing means a crash: the oracle failed. */
export type FuzzTarget = (input: Uint8Array) => void;

export interface FuzzOptions {
  /** Seed inputs; at least one. */
  corpus: readonly Uint8Array[];
  /** Stop after this many milliseconds of fuzzing (the initial corpus run is not counted). */
  durationMs: number;
  /** Which scripts count for coverage: their URL contains this. */
  coverageFilter: string;
  /** Largest input a mutation may produce. */
  maxLength: number;
  /** Deterministic mutations from this seed. */
  seed: number;
  /** Extra input-aware fix-ups applied to some mutants (say, a message length field). */
  fixup?: (input: Uint8Array, random: () => number) => Uint8Array;
  /** Called with each crashing input and its error; the run goes on. */
  onCrash?: (input: Uint8Array, error: unknown) => void;
}

export interface FuzzResult {
  /** Inputs in the corpus at the end (the seeds plus what added coverage). */
  readonly corpus: Uint8Array[];
  /** How many of those were found by this run. */
  readonly newInputs: number;
  /** The inputs found by this run that reached a block no earlier input reached (a subset of the new ones). */
  readonly blockFinds: Uint8Array[];
  readonly executions: number;
  readonly executionsPerSecond: number;
  /** Distinct blocks (V8 ranges in the filtered scripts) that ran at least once. */
  readonly blocksCovered: number;
  /** Distinct blocks seen at all in the functions that ran (covered or not). */
  readonly blocksKnown: number;
  readonly features: number;
  readonly crashes: number;
  /** Unique crashes, by the error's first line. */
  readonly crashKinds: readonly string[];
  readonly slowestMs: number;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bucket(count: number): number {
  if (count <= 3) return count; // 1, 2, 3 (0 is never a feature)
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}

/** Collects coverage features per execution from V8's precise block coverage. */
class CoverageProbe {
  readonly #session = new Session();
  readonly #filter: string;
  readonly #scriptIds = new Map<string, number>();
  /** Known ranges per function, keyed by script and the function's start offset. */
  readonly #known = new Map<number, { start: number; end: number; key: number }[]>();
  readonly #covered = new Set<number>();
  readonly #blocks = new Set<number>();

  constructor(filter: string) {
    this.#filter = filter;
    this.#session.connect();
    this.#post("Profiler.enable");
    this.#post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  }

  #post(method: string, params: object = {}): { result?: ScriptCoverage[] } {
    // The inspector answers a same-thread session synchronously.
    let answer: { result?: ScriptCoverage[] } | undefined;
    let failure: Error | null = null;
    this.#session.post(method, params, (error, result) => {
      failure = error;
      answer = result as { result?: ScriptCoverage[] };
    });
    if (failure !== null) throw failure;
    if (answer === undefined) throw new Error(`inspector did not answer ${method} synchronously`);
    return answer;
  }

  /** Reset the counters (taking coverage resets them), so the next `take` sees what ran since. */
  reset(): void {
    this.#post("Profiler.takePreciseCoverage");
  }

  /** The features of the execution since the last take or reset, added to `out`. */
  take(out: number[]): void {
    const scripts = this.#post("Profiler.takePreciseCoverage").result ?? [];
    for (const script of scripts) {
      if (!script.url.includes(this.#filter)) continue;
      let scriptId = this.#scriptIds.get(script.url);
      if (scriptId === undefined) {
        scriptId = this.#scriptIds.size + 1;
        this.#scriptIds.set(script.url, scriptId);
      }
      for (const fn of script.functions) {
        const ranges = fn.ranges;
        if (ranges.length === 0 || ranges[0].count === 0) continue;
        const fnKey = scriptId * 2 ** 20 + ranges[0].startOffset;
        let known = this.#known.get(fnKey);
        if (known === undefined) {
          known = [];
          this.#known.set(fnKey, known);
        }
        for (const r of ranges) {
          if (known.some((k) => k.start === r.startOffset && k.end === r.endOffset)) continue;
          // Under 2 ** 48 while scripts stay under 256 and 1 MiB each, so `key * 16 + bucket` is exact.
          const key = (scriptId * 2 ** 20 + r.startOffset) * 2 ** 20 + r.endOffset;
          known.push({ start: r.startOffset, end: r.endOffset, key });
          this.#blocks.add(key);
        }
        for (const k of known) {
          // The innermost reported range around k gives its count (ranges[0] spans the function).
          let count = ranges[0].count;
          let width = Number.POSITIVE_INFINITY;
          for (const r of ranges) {
            if (r.startOffset <= k.start && r.endOffset >= k.end && r.endOffset - r.startOffset < width) {
              width = r.endOffset - r.startOffset;
              count = r.count;
            }
          }
          if (count === 0) continue;
          this.#covered.add(k.key);
          out.push(k.key * 16 + bucket(count));
        }
      }
    }
  }

  get blocksCovered(): number {
    return this.#covered.size;
  }

  get blocksKnown(): number {
    return this.#blocks.size;
  }

  close(): void {
    this.#post("Profiler.stopPreciseCoverage");
    this.#post("Profiler.disable");
    this.#session.disconnect();
  }
}

const INTERESTING_8 = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING_16 = [0, 1, 18, 19, 23, 29, 255, 256, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff];

/** One libFuzzer-style mutation of `input`, with `other` for crossover. */
export function mutate(
  input: Uint8Array,
  other: Uint8Array,
  random: () => number,
  maxLength: number,
): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const bytes = Array.from(input);
  const rounds = 1 + pick(4);
  for (let round = 0; round < rounds; round++) {
    const at = pick(bytes.length + 1);
    switch (pick(9)) {
      case 0: // flip a bit
        if (bytes.length > 0) bytes[at % bytes.length] ^= 1 << pick(8);
        break;
      case 1: // a random byte
        if (bytes.length > 0) bytes[at % bytes.length] = pick(256);
        break;
      case 2: // an interesting byte
        if (bytes.length > 0) bytes[at % bytes.length] = INTERESTING_8[pick(INTERESTING_8.length)];
        break;
      case 3: {
        // an interesting big-endian u16 (lengths live in these)
        if (bytes.length < 2) break;
        const i = at % (bytes.length - 1);
        const v = INTERESTING_16[pick(INTERESTING_16.length)];
        bytes[i] = v >>> 8;
        bytes[i + 1] = v & 0xff;
        break;
      }
      case 4: {
        // insert random bytes
        const n = 1 + pick(8);
        bytes.splice(at, 0, ...Array.from({ length: n }, () => pick(256)));
        break;
      }
      case 5: // delete a run
        bytes.splice(at, 1 + pick(16));
        break;
      case 6: {
        // duplicate a run in place
        const n = 1 + pick(16);
        bytes.splice(at, 0, ...bytes.slice(at, at + n));
        break;
      }
      case 7: {
        // crossover: splice in a run of another corpus input
        if (other.length === 0) break;
        const from = pick(other.length);
        const n = 1 + pick(Math.min(64, other.length - from));
        bytes.splice(at, pick(4), ...other.subarray(from, from + n));
        break;
      }
      default: {
        // add or subtract a small number to a byte
        if (bytes.length > 0) bytes[at % bytes.length] = (bytes[at % bytes.length] + pick(9) - 4) & 0xff;
        break;
      }
    }
  }
  if (bytes.length > maxLength) bytes.length = maxLength;
  return Uint8Array.from(bytes);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split("\n")[0]}`;
  return String(error);
}

export function hashOf(input: Uint8Array): string {
  return createHash("sha1").update(input).digest("hex");
}

/** Let timers and ticks that executions queued (a socket's "close") run between executions. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Run the corpus, then fuzz for `durationMs`. */
export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzResult> {
  const random = prng(options.seed);
  const probe = new CoverageProbe(options.coverageFilter);
  const seen = new Set<number>();
  const corpus: Uint8Array[] = [];
  const crashKinds = new Set<string>();
  const features: number[] = [];
  let crashes = 0;
  let executions = 0;
  let slowestMs = 0;

  const blockFinds: Uint8Array[] = [];
  let fuzzing = false;

  /** Run one input; true when it reached a new feature. */
  const run = (input: Uint8Array): boolean => {
    const blocksBefore = probe.blocksCovered;
    // The previous take reset the counters: what runs between takes outside src/ does not count.
    features.length = 0;
    const started = performance.now();
    try {
      target(input);
    } catch (error) {
      crashes++;
      crashKinds.add(describe(error));
      options.onCrash?.(input, error);
    }
    slowestMs = Math.max(slowestMs, performance.now() - started);
    executions++;
    probe.take(features);
    if (fuzzing && probe.blocksCovered > blocksBefore) blockFinds.push(input);
    let fresh = false;
    for (const f of features) {
      if (!seen.has(f)) {
        seen.add(f);
        fresh = true;
      }
    }
    return fresh;
  };

  probe.reset();
  for (const input of options.corpus) {
    if (run(input) || corpus.length === 0) corpus.push(input);
    if (executions % 64 === 0) await yieldToLoop();
  }
  const seeds = corpus.length;
  fuzzing = true;
  const executionsBefore = executions;
  const started = performance.now();
  const deadline = started + options.durationMs;
  while (performance.now() < deadline) {
    // Favour recent finds a little, as libFuzzer does, without starving the seeds.
    const index =
      random() < 0.5
        ? Math.floor(random() * corpus.length)
        : corpus.length - 1 - Math.floor(random() * Math.min(16, corpus.length));
    const parent = corpus[index];
    const other = corpus[Math.floor(random() * corpus.length)];
    let child = mutate(parent, other, random, options.maxLength);
    if (options.fixup !== undefined && random() < 0.5) child = options.fixup(child, random);
    if (run(child)) corpus.push(child);
    if (executions % 64 === 0) await yieldToLoop();
  }
  const elapsedSec = (performance.now() - started) / 1000;
  probe.close();
  return {
    corpus,
    newInputs: corpus.length - seeds,
    blockFinds,
    executions,
    executionsPerSecond: Math.round((executions - executionsBefore) / Math.max(elapsedSec, 1e-9)),
    blocksCovered: probe.blocksCovered,
    blocksKnown: probe.blocksKnown,
    features: seen.size,
    crashes,
    crashKinds: [...crashKinds],
    slowestMs,
  };
}
