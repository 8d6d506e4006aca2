/**
 * Writes the seed corpus: every message of test/vectors (real routers' and other projects' test
 * bytes) for the decode target, and for the session target a peer's OPEN and KEEPALIVE followed
 * by each of those messages. Run once when the vectors change: `npx tsx fuzz/seeds.ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeMessage } from "../src/wire/message.js";
import type { OpenMessage } from "../src/wire/types.js";
import { corpusDir, FUZZ_DIR, writeInputs } from "./corpus.js";

interface Vector {
  readonly hex: string;
}

const vectors = readFileSync(join(FUZZ_DIR, "..", "test", "vectors", "vectors.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Vector)
  .map((v) => new Uint8Array(Buffer.from(v.hex, "hex")));

/** The peer's side of the handshake the session target expects (see targets.ts). */
const peerOpen: OpenMessage = {
  type: "open",
  version: 4,
  myAsn: 65001,
  holdTime: 90,
  bgpIdentifier: "198.51.100.2",
  capabilities: [
    { name: "multiprotocol", afi: 1, safi: 1 },
    { name: "multiprotocol", afi: 2, safi: 1 },
    { name: "route-refresh" },
    { name: "enhanced-route-refresh" },
    { name: "four-octet-as", asn: 65001 },
    { name: "extended-message" },
    { name: "extended-next-hop", entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
    { name: "add-path", families: [{ afi: 1, safi: 1, sendReceive: "both" }] },
    { name: "graceful-restart", restarting: false, notification: true, restartTimeSec: 120, families: [] },
  ],
};
const handshake = Buffer.concat([encodeMessage(peerOpen), encodeMessage({ type: "keepalive" })]);

const decodeSeeds = vectors;
const sessionSeeds = [
  Uint8Array.of(0, ...handshake),
  Uint8Array.of(7, ...handshake), // the same, in 7-octet chunks
  ...vectors.filter((v) => v[18] !== 1).map((v) => Uint8Array.of(0, ...handshake, ...v)),
];

const added = writeInputs(corpusDir("decode"), decodeSeeds) + writeInputs(corpusDir("session"), sessionSeeds);
console.log(`${added} seed inputs written under ${join(FUZZ_DIR, "corpus")}`);
