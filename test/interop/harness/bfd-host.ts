/**
 * The host side of the BFD interop lab: one BgpSpeaker in its network namespace, configured from
 * the JSON in argv[2], announcing its prefixes and printing every event as one JSON line
 * `{ "t": epoch ms, "type": ..., "event": ... }` on stdout (the test reads them). SIGTERM closes it.
 */
import { BgpSpeaker, type PeerOptions } from "../../../src/index.js";

interface HostConfig {
  readonly asn: number;
  readonly routerId: string;
  readonly peers: readonly PeerOptions[];
  readonly announce: readonly { prefix: string; nextHop: string }[];
}

const config = JSON.parse(process.argv[2]) as HostConfig;
const speaker = new BgpSpeaker({ asn: config.asn, routerId: config.routerId, holdTime: 9, connectRetry: 1 });
const print = (type: string, event: unknown) =>
  process.stdout.write(
    `${JSON.stringify({ t: Date.now(), type, event }, (_k, v) => (v instanceof Uint8Array ? [...v] : v))}\n`,
  );
for (const type of ["established", "down", "bfd-up", "bfd-down"] as const) {
  speaker.on(type, (event: unknown) => print(type, event));
}
for (const peer of config.peers) speaker.addPeer(peer);
for (const { prefix, nextHop } of config.announce) speaker.announce(prefix, { nextHop });
setInterval(() => print("status", speaker.peerStatus()), 500).unref();
process.once("SIGTERM", () => {
  void speaker.close().then(() => process.exit(0));
});
speaker.start().then(
  () => print("started", { pid: process.pid }),
  (error: Error) => {
    print("error", { message: error.message });
    process.exit(1);
  },
);
setInterval(() => {}, 1 << 30);
