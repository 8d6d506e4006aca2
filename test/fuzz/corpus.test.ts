/**
 * A short smoke run of the fuzz corpus (fuzz/corpus/, see docs/robustness.md): every kept input goes
 * through its target's oracles once. The coverage-guided run itself is `npm run fuzz:coverage`.
 */
import { describe, expect, it } from "vitest";
import { readCorpus } from "../../fuzz/corpus.js";
import { decodeTarget, feedSession, sessionTarget } from "../../fuzz/targets.js";

/** The inputs whose target threw, as hex with the error. */
function failures(inputs: readonly Uint8Array[], target: (input: Uint8Array) => void): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    try {
      target(input);
    } catch (error) {
      out.push(`${Buffer.from(input).toString("hex")}: ${String(error)}`);
    }
  }
  return out;
}

describe("fuzz corpus", () => {
  it("every decode input passes the decode oracles", () => {
    const corpus = readCorpus("decode");
    expect(corpus.length).toBeGreaterThan(200);
    expect(failures(corpus, decodeTarget)).toEqual([]);
  });

  it("the session target's handshake seeds bring the session to Established, so fuzzing reaches it", () => {
    const corpus = readCorpus("session");
    const established = corpus.filter((input) => feedSession(input).includes("Established"));
    // Every seed after the handshake (fuzz/seeds.ts) gets there, except those whose message ends it
    // at once; far more than half of the corpus.
    expect(established.length).toBeGreaterThan(corpus.length / 2);
  });

  it("every session input passes the session oracles", () => {
    const corpus = readCorpus("session");
    expect(corpus.length).toBeGreaterThan(200);
    expect(failures(corpus, sessionTarget)).toEqual([]);
  });
});
