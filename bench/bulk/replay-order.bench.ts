/**
 * What makes a byte stream cheap for the receiving BIRD: the order of the prefixes or how many go in
 * one UPDATE? Records our speaker's stream and the sending BIRD's stream for the same table (as the
 * `replay` and `replay-bird` senders of announce.bench.ts do), rebuilds the speaker's UPDATEs
 * (same attributes, same encoder) with the prefixes in the speaker's order or in BIRD's, packed as
 * the speaker packs them or 256 to an UPDATE (and in a fixed shuffled order, to tell whether BIRD's
 * order is special or the speaker's is), and replays each variant from memory to a fresh
 * receiving BIRD. Time and receiver CPU are measured as in announce.bench.ts.
 *
 *   npx tsx bench/bulk/replay-order.bench.ts [--family ipv4|ipv6] [--count N] [--runs 3]
 *                                            [--prefixes counting|scattered]   (prefixes.ts)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MessageFramer } from "../../src/wire/framer.js";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import type { UpdateMessage } from "../../src/wire/types.js";
import { sleep } from "../../test/interop/harness/process.js";
import { importStats, protocolState } from "./bird-ctl.js";
import { prepareReplay, type ReplayFiles } from "./ceiling.js";
import { startChild } from "./child.js";
import {
  bulkEndpoint,
  procCpuSeconds,
  RECEIVER,
  type SenderEndpoint,
  startReceiver,
  tempDir,
} from "./daemons.js";
import { type BulkFamily, usePrefixSet } from "./prefixes.js";
import { decodeStream } from "./replay.js";
import { arg, median, printTable } from "./report.js";

const family = arg("family", "ipv6") as BulkFamily;
const prefixSet = usePrefixSet(arg("prefixes", "counting"), family);
const count = Number(arg("count", "1000000"));
const runs = Number(arg("runs", "3"));

const SPEAKER: SenderEndpoint = { name: "from_replay", ...bulkEndpoint(15, 5), asn: 65015 };
const BIRD: SenderEndpoint = { name: "from_replay_bird", ...bulkEndpoint(16, 6), asn: 65016 };

const speakerFiles = await prepareReplay(SPEAKER, family, count, "speaker");
const birdFiles = await prepareReplay(BIRD, family, count, "bird");
const speakerStream = readFileSync(speakerFiles.updatesFile);
const birdStream = readFileSync(birdFiles.updatesFile);
// Both recordings were made against the same receiver configuration: 4-octet AS, nothing else.
const ctx = { fourOctetAs: true, addPath: [], extendedMessage: false };
const speakerOrder = decodeStream(speakerStream, ctx, family).prefixes;
const birdOrder = decodeStream(birdStream, ctx, family).prefixes;

const messages = new MessageFramer().push(speakerStream);
const first = decodeMessage(messages[0], ctx);
if (first.type !== "update") throw new Error("the speaker's stream does not start with an UPDATE");
const template: UpdateMessage = first;
const endOfRib = messages[messages.length - 1];
const reach = template.attributes.mpReach;
const perUpdate = family === "ipv4" ? template.nlri.length : reach?.family ? reach.nlri.length : 0;

/** The speaker's first UPDATE with its prefixes replaced. */
function withPrefixes(prefixes: readonly string[]): UpdateMessage {
  const nlri = prefixes.map((prefix) => ({ prefix }));
  if (family === "ipv4") return { ...template, nlri };
  if (reach === undefined || reach.family === null)
    throw new Error("no MP_REACH_NLRI in the speaker's UPDATE");
  return {
    ...(template as UpdateMessage),
    attributes: { ...template.attributes, mpReach: { ...reach, nlri } },
  };
}

function rebuild(order: readonly string[], per: number): Buffer {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < order.length; i += per)
    parts.push(encodeMessage(withPrefixes(order.slice(i, i + per)), ctx));
  parts.push(endOfRib);
  return Buffer.concat(parts);
}

/** The speaker's prefixes in a fixed pseudo-random order (xorshift32, Fisher-Yates). */
function shuffled(order: readonly string[]): string[] {
  const out = [...order];
  let x = 0x9e3779b9;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const dir = tempDir("replay-order");
const variants = new Map<string, { files: ReplayFiles; e: SenderEndpoint }>();
variants.set(`speaker's stream as sent (${perUpdate} a message)`, { files: speakerFiles, e: SPEAKER });
for (const [orderName, order, packings] of [
  ["speaker's", speakerOrder, [perUpdate, 256]],
  ["BIRD's", birdOrder, [perUpdate, 256]],
  ["a shuffled", shuffled(speakerOrder), [perUpdate]],
] as const) {
  for (const per of packings) {
    const file = join(dir, `${orderName.replace(/\W/g, "")}-${per}.bin`);
    writeFileSync(file, rebuild(order, per));
    variants.set(`rebuilt: ${orderName} order, ${per} a message`, {
      files: { ...speakerFiles, updatesFile: file },
      e: SPEAKER,
    });
  }
}
variants.set("BIRD's stream as sent", { files: birdFiles, e: BIRD });

async function trial(v: {
  files: ReplayFiles;
  e: SenderEndpoint;
}): Promise<{ seconds: number; cpu: number }> {
  const receiver = await startReceiver([v.e]);
  const child = startChild("./replay-sender.ts", {
    address: v.e.address,
    port: v.e.port,
    receiver: RECEIVER,
    ...v.files,
  });
  try {
    await child.next("ready", 60_000);
    await receiver.ctl.command(`enable ${v.e.name}`);
    let establishedAt: number | undefined;
    let cpu0 = 0;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const s = await protocolState(receiver.ctl, v.e.name);
      if (establishedAt === undefined && s.state === "Established") {
        establishedAt = s.sinceMs;
        cpu0 = procCpuSeconds(receiver.pid);
      }
      if (establishedAt !== undefined && s.imported >= count) {
        const result = {
          seconds: (Date.now() - establishedAt) / 1000,
          cpu: procCpuSeconds(receiver.pid) - cpu0,
        };
        const stats = await importStats(receiver.ctl, v.e.name);
        if (stats.received !== count || stats.imported !== count)
          throw new Error(`BIRD: ${JSON.stringify(stats)}`);
        return result;
      }
      if (Date.now() > deadline) throw new Error(`only ${s.imported} of ${count} routes`);
      await sleep(10);
    }
  } finally {
    await child.stop();
    await receiver.stop();
  }
}

const results = new Map<string, { seconds: number; cpu: number }[]>();
for (let run = 1; run <= runs; run++) {
  for (const [name, v] of variants) {
    const t = await trial(v);
    results.set(name, [...(results.get(name) ?? []), t]);
    process.stderr.write(
      `run ${run} ${name}: ${t.seconds.toFixed(2)} s, receiver CPU ${t.cpu.toFixed(2)} s\n`,
    );
  }
}
console.log(
  `\nReplayed to BIRD: ${count.toLocaleString("en")} ${family} prefixes (${prefixSet} set), median of ${runs}\n`,
);
const cell = (xs: number[]) => `${median(xs).toFixed(2)} (${xs.map((x) => x.toFixed(2)).join(", ")})`;
printTable(
  ["stream", "Established -> all in BIRD (s)", "receiver CPU (s)"],
  [...results].map(([name, ts]) => [name, cell(ts.map((t) => t.seconds)), cell(ts.map((t) => t.cpu))]),
);
process.exit(0);
