/** The fuzz corpus on disk: one file per input, named by its SHA-1 (as libFuzzer names them). */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashOf } from "./engine.js";

export const FUZZ_DIR = new URL(".", import.meta.url).pathname;

export type TargetName = "decode" | "session";

export function corpusDir(target: TargetName): string {
  return join(FUZZ_DIR, "corpus", target);
}

/** Every input of a target's corpus, in file-name order (so runs are reproducible). */
export function readCorpus(target: TargetName): Uint8Array[] {
  const dir = corpusDir(target);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".bin"))
    .sort()
    .map((name) => new Uint8Array(readFileSync(join(dir, name))));
}

/** Write inputs to a directory; returns how many were not there yet. */
export function writeInputs(dir: string, inputs: readonly Uint8Array[], prefix = ""): number {
  mkdirSync(dir, { recursive: true });
  const have = new Set(readdirSync(dir));
  let added = 0;
  for (const input of inputs) {
    const name = `${prefix}${hashOf(input)}.bin`;
    if (have.has(name)) continue;
    writeFileSync(join(dir, name), input);
    have.add(name);
    added++;
  }
  return added;
}
