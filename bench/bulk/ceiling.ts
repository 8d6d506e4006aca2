/**
 * Setting up the `replay` and `replay-bird` senders of announce.bench.ts (the receiver's ceiling):
 * 1. a fresh receiving BIRD, configured exactly as in the trials, connects to us once so we have its
 *    OPEN octets;
 * 2. our BgpSpeaker (speaker-sender.ts, the same child the `speaker` row runs) holds the table under
 *    the replay sender's identity, and `recordStream` takes its table while sending it that OPEN, so
 *    the speaker encodes exactly as it would for BIRD (4-octet AS_PATH, no extended messages …);
 * 3. the stream is decoded back with decodeMessage and must announce exactly the N prefixes;
 * 4. the three parts go to files that replay-sender.ts reads into memory before it reports ready.
 * `replay-bird` records the sending BIRD of the `bird` row instead (same config, the replay sender's
 * address and AS), to tell what BIRD's own stream costs the receiver from what any stream costs.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { MessageFramer } from "../../src/wire/framer.js";
import { sleep } from "../../test/interop/harness/process.js";
import { startChild } from "./child.js";
import { RECEIVER, type SenderEndpoint, startBirdOriginator, startReceiver, tempDir } from "./daemons.js";
import { type BulkFamily, prefixOf } from "./prefixes.js";
import { type RecordedStream, recordStream, verifyStream } from "./replay.js";

/** The IPv6 next hop every bench sender puts on its routes: 2001:db8:113::<last octet of its address>. */
export const ipv6NextHopOf = (e: { readonly address: string }): string =>
  `2001:db8:113::${e.address.split(".")[3]}`;

/** Where replay-sender.ts finds the recording. */
export interface ReplayFiles {
  readonly openFile: string;
  readonly peerOpenFile: string;
  readonly updatesFile: string;
}

/** BIRD's OPEN towards `e`: accept its connection on e's address and port, keep the first message. */
async function captureReceiverOpen(e: SenderEndpoint): Promise<Uint8Array> {
  const receiver = await startReceiver([e]);
  const server = createServer();
  let timer: NodeJS.Timeout | undefined;
  try {
    const open = new Promise<Uint8Array>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("receiving BIRD sent no OPEN within 30 s")), 30_000);
      server.on("connection", (socket) => {
        const framer = new MessageFramer();
        socket.on("error", () => {}); // we close it ourselves below
        socket.on("data", (chunk: Buffer) => {
          const [first] = framer.push(chunk);
          if (first === undefined) return;
          resolve(Uint8Array.from(first));
          socket.destroy();
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: e.address, port: e.port }, resolve);
    });
    await receiver.ctl.command(`enable ${e.name}`);
    return await open;
  } finally {
    clearTimeout(timer);
    await new Promise((resolve) => server.close(resolve));
    await receiver.stop();
  }
}

/** Who produces the stream to record. */
export type ReplaySource = "speaker" | "bird";

/** Record and check `source`'s stream for `count` prefixes of `family` as sender `e`; write it to files. */
export async function prepareReplay(
  e: SenderEndpoint,
  family: BulkFamily,
  count: number,
  source: ReplaySource,
): Promise<ReplayFiles> {
  const peerOpen = await captureReceiverOpen(e);
  const record = (untilNlri?: number) =>
    recordStream({
      host: e.address,
      port: e.port,
      localAddress: RECEIVER.address,
      peerOpen,
      family,
      timeoutMs: 300_000,
      ...(untilNlri === undefined ? {} : { untilNlri }),
    });
  const t0 = Date.now();
  let recording: RecordedStream;
  if (source === "speaker") {
    const child = startChild("./speaker-sender.ts", {
      family,
      count,
      address: e.address,
      port: e.port,
      asn: e.asn,
      receiver: RECEIVER,
    });
    try {
      await child.next("ready", 300_000);
      recording = await record();
    } finally {
      await child.stop();
    }
  } else {
    const bird = await startBirdOriginator({
      family,
      count,
      local: { address: e.address, port: e.port, asn: e.asn },
      neighbor: RECEIVER,
      passive: true,
      ipv6NextHop: ipv6NextHopOf(e),
    });
    // BIRD sends its last UPDATE only when its event loop wakes: a CLI request wakes it (see the bench).
    let recorded = false;
    const poke = (async () => {
      while (!recorded) {
        await bird.ctl.command("show status");
        await sleep(10);
      }
    })();
    try {
      // BIRD sends no End-of-RIB to a receiver without Graceful Restart: stop at the N-th NLRI.
      // Its listener opens a moment after the protocol is enabled: retry while it refuses.
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          recording = await record(count);
          break;
        } catch (err) {
          const refused =
            ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code === "ECONNREFUSED";
          if (!refused || Date.now() > deadline) throw err;
          await sleep(100);
        }
      }
    } finally {
      recorded = true;
      await poke.catch(() => {});
      await bird.stop();
    }
  }
  const recordMs = Date.now() - t0;
  const decoded = verifyStream(recording, family, count, (i) => prefixOf(family, i), {
    requireEndOfRib: source === "speaker",
  });
  const dir = tempDir("replay");
  const files: ReplayFiles = {
    openFile: join(dir, "open.bin"),
    peerOpenFile: join(dir, "peer-open.bin"),
    updatesFile: join(dir, "updates.bin"),
  };
  writeFileSync(files.openFile, recording.open);
  writeFileSync(files.peerOpenFile, recording.peerOpen);
  writeFileSync(files.updatesFile, recording.updates);
  const ctx = recording.context;
  process.stderr.write(
    `replay (${source}): recorded ${recording.updates.length.toLocaleString("en")} octets in ${decoded.updateCount} UPDATEs ` +
      `(${decoded.prefixes.length.toLocaleString("en")} NLRI${decoded.endOfRib ? ", End-of-RIB" : ""}; ` +
      `4-octet AS ${ctx.fourOctetAs}, extended messages ${ctx.extendedMessage}) in ${recordMs} ms, decoded and checked; ` +
      `first prefixes ${decoded.prefixes.slice(0, 3).join(" ")}\n`,
  );
  return files;
}
