/**
 * A speaker run inside a network namespace for the netns interop tests (`ip netns exec NS node
 * --import tsx speaker-child.ts '<speaker options JSON>'`). Commands arrive one JSON object a line
 * on stdin; events leave one JSON object a line on stdout.
 */
import { createInterface } from "node:readline";
import { BgpSpeaker, type PeerOptions } from "../../../src/index.js";

type Command =
  | { readonly addPeer: PeerOptions }
  | { readonly removePeer: string }
  | { readonly announce: string; readonly nextHop?: string };

const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const speaker = new BgpSpeaker(JSON.parse(process.argv[2] ?? "{}"));
speaker.on("state", (e) => out({ event: "state", peer: e.peer, to: e.to }));
speaker.on("down", (e) => out({ event: "down", peer: e.peer, message: e.reason.message }));
speaker.on("route-skipped", (e) => out({ event: "route-skipped", peer: e.peer, reason: e.reason }));

let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  queue = queue.then(async () => {
    const c = JSON.parse(line) as Command;
    try {
      if ("addPeer" in c) speaker.addPeer(c.addPeer);
      else if ("removePeer" in c) await speaker.removePeer(c.removePeer);
      else speaker.announce(c.announce, c.nextHop === undefined ? undefined : { nextHop: c.nextHop });
      out({ event: "done", line });
    } catch (error) {
      out({ event: "error", line, message: (error as Error).message });
    }
  });
});
process.stdin.once("end", () => void speaker.close().then(() => process.exit(0)));
process.once("SIGTERM", () => void speaker.close().then(() => process.exit(0)));
await speaker.start();
out({ event: "ready" });
