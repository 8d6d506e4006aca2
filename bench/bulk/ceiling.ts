/**
 * Setting up the `replay` sender of announce.bench.ts (the receiver's ceiling):
 * 1. a fresh receiving BIRD, configured exactly as in the trials, connects to us once so we have its
 *    OPEN octets;
 * 2. our BgpSpeaker (speaker-sender.ts, the same child the `speaker` row runs) holds the table under
 *    the replay sender's identity, and `recordStream` takes its table while sending it that OPEN, so
 *    the speaker encodes exactly as it would for BIRD (4-octet AS_PATH, no extended messages …);
 * 3. the stream is decoded back with decodeMessage and must announce exactly the N prefixes;
 * 4. the three parts go to files that replay-sender.ts reads into memory before it reports ready.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { MessageFramer } from "../../src/wire/framer.js";
import { startChild } from "./child.js";
import { RECEIVER, type SenderEndpoint, startReceiver, tempDir } from "./daemons.js";
import { type BulkFamily, prefixOf } from "./prefixes.js";
import { recordStream, verifyStream } from "./replay.js";

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

/** Record and check the speaker's stream for `count` prefixes of `family`; write it to files. */
export async function prepareReplay(
  e: SenderEndpoint,
  family: BulkFamily,
  count: number,
): Promise<ReplayFiles> {
  const peerOpen = await captureReceiverOpen(e);
  const child = startChild("./speaker-sender.ts", {
    family,
    count,
    address: e.address,
    port: e.port,
    asn: e.asn,
    receiver: RECEIVER,
  });
  const t0 = Date.now();
  let recording: Awaited<ReturnType<typeof recordStream>>;
  try {
    await child.next("ready", 300_000);
    recording = await recordStream({
      host: e.address,
      port: e.port,
      localAddress: RECEIVER.address,
      peerOpen,
      family,
      timeoutMs: 300_000,
    });
  } finally {
    await child.stop();
  }
  const recordMs = Date.now() - t0;
  const decoded = verifyStream(recording, family, count, (i) => prefixOf(family, i));
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
    `replay: recorded ${recording.updates.length.toLocaleString("en")} octets in ${decoded.updateCount} UPDATEs ` +
      `(${decoded.prefixes.length.toLocaleString("en")} NLRI, End-of-RIB; 4-octet AS ${ctx.fourOctetAs}, ` +
      `extended messages ${ctx.extendedMessage}) in ${recordMs} ms, decoded and checked\n`,
  );
  return files;
}
