/**
 * Child process of announce.bench.ts: the minimal sender (`startReplaySender`), passive on its own
 * 127.x address. It reads the recorded stream into memory before it reports ready, so the session
 * only ever writes bytes already held; at the end it reports its peak RSS.
 */
import { readFileSync } from "node:fs";
import { reply, untilStopped } from "./child.js";
import { startReplaySender } from "./replay.js";

interface Args {
  address: string;
  port: number;
  /** The receiver's address: the only peer accepted. */
  receiver: { address: string };
  /** Files written by the bench: our OPEN, the receiver's OPEN, the UPDATEs. */
  openFile: string;
  peerOpenFile: string;
  updatesFile: string;
}

const args = JSON.parse(process.argv[2]) as Args;
const recording = {
  open: readFileSync(args.openFile),
  peerOpen: readFileSync(args.peerOpenFile),
  updates: readFileSync(args.updatesFile),
};
const sender = await startReplaySender({
  host: args.address,
  port: args.port,
  peerAddress: args.receiver.address,
  recording,
});
void sender.established.then(() => reply({ type: "established", at: Date.now() }));
sender.failed.catch((err: Error) => reply({ type: "down", reason: err.message }));
reply({ type: "ready", bytes: recording.updates.length, rss: process.memoryUsage().rss });
await untilStopped();
await sender.close();
reply({ type: "done", maxRss: process.resourceUsage().maxRSS * 1024 });
process.exit(0);
