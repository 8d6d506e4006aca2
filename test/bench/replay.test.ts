import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { type BulkFamily, prefixOf } from "../../bench/bulk/prefixes.js";
import {
  decodeStream,
  type RecordedStream,
  recordStream,
  startReplaySender,
  verifyStream,
} from "../../bench/bulk/replay.js";
import { BgpSpeaker } from "../../src/index.js";
import { MessageFramer } from "../../src/wire/framer.js";
import { encodeMessage } from "../../src/wire/message.js";
import { canonicalPrefix } from "../../src/wire/prefix.js";
import type { Capability } from "../../src/wire/types.js";
import { useCleanups, waitFor } from "../support/speakers.js";

/**
 * The bulk bench's receiver ceiling (bench/bulk/replay.ts): a recording of what BgpSpeaker sends for
 * its table must decode to exactly the announced routes, and the minimal sender must put exactly
 * those octets back on the wire. In-process, on 127.0.140.x, ports 21400-21409, no daemons.
 */
const SENDER = { address: "127.0.140.15", asn: 65015 };
const RECEIVER = { address: "127.0.140.10", asn: 65000 };
const SPEAKER_PORT = 21400;
const REPLAY_PORT = 21401;
const COUNT = 3000;

const cleanups = useCleanups();

/** An OPEN like the bench's receiving BIRD sends: both families, route refresh, 4-octet AS. */
function receiverOpen(capabilities?: readonly Capability[]): Uint8Array {
  return encodeMessage({
    type: "open",
    version: 4,
    myAsn: RECEIVER.asn,
    holdTime: 240,
    bgpIdentifier: RECEIVER.address,
    capabilities: capabilities ?? [
      { name: "multiprotocol", afi: 1, safi: 1 },
      { name: "multiprotocol", afi: 2, safi: 1 },
      { name: "route-refresh" },
      { name: "enhanced-route-refresh" },
      { name: "four-octet-as", asn: RECEIVER.asn },
    ],
  });
}

/** A passive BgpSpeaker holding `COUNT` routes, set up as bench/bulk/speaker-sender.ts does. */
async function startSpeakerSender(family: BulkFamily): Promise<void> {
  const speaker = new BgpSpeaker({
    asn: SENDER.asn,
    routerId: SENDER.address,
    listen: { host: SENDER.address, port: SPEAKER_PORT },
    holdTime: 240,
  });
  speaker.addPeer({
    address: RECEIVER.address,
    asn: RECEIVER.asn,
    passive: true,
    families: [family === "ipv4" ? "ipv4-unicast" : "ipv6-unicast"],
  });
  const nextHop = family === "ipv4" ? SENDER.address : "2001:db8:113::15";
  for (let i = 0; i < COUNT; i++) speaker.announce(prefixOf(family, i), { nextHop });
  await speaker.start();
  cleanups.push(() => speaker.close());
}

async function record(family: BulkFamily, port: number, peerOpen = receiverOpen()): Promise<RecordedStream> {
  return recordStream({
    host: SENDER.address,
    port,
    localAddress: RECEIVER.address,
    peerOpen,
    family,
    timeoutMs: 10_000,
  });
}

async function replay(recording: RecordedStream) {
  const sender = await startReplaySender({
    host: SENDER.address,
    port: REPLAY_PORT,
    peerAddress: RECEIVER.address,
    recording,
  });
  cleanups.push(() => sender.close());
  return sender;
}

describe("bulk bench replay (receiver ceiling)", () => {
  for (const family of ["ipv4", "ipv6"] as const) {
    it(`records the speaker's ${family} table and replays it octet for octet`, async () => {
      await startSpeakerSender(family);
      const recording = await record(family, SPEAKER_PORT);
      expect(recording.context).toEqual({ fourOctetAs: true, addPath: [], extendedMessage: false });

      const decoded = verifyStream(recording, family, COUNT, (i) => prefixOf(family, i));
      expect(decoded.prefixes).toHaveLength(COUNT);
      expect(decoded.updateCount).toBeGreaterThan(2); // several full UPDATEs, then End-of-RIB
      // The first UPDATE's AS_PATH as the wire has it: flags 0x40, type 2, length 6, one
      // AS_SEQUENCE of one 4-octet AS (65015 = 0x0000fdf7), as negotiated with the receiver.
      const asPath = Buffer.from([0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xf7]);
      const firstLength = recording.updates.readUInt16BE(16);
      expect(recording.updates.subarray(0, firstLength).includes(asPath)).toBe(true);

      const sender = await replay(recording);
      const again = await record(family, REPLAY_PORT);
      await sender.established;
      expect(Buffer.from(again.open).equals(Buffer.from(recording.open))).toBe(true);
      expect(again.updates.equals(recording.updates)).toBe(true);
    });
  }

  it("refuses to replay to a peer whose OPEN differs from the recorded one", async () => {
    await startSpeakerSender("ipv4");
    const recording = await record("ipv4", SPEAKER_PORT);
    const sender = await replay(recording);
    // Without 4-octet AS the peer would read the recorded AS_PATH wrongly.
    const twoOctet = receiverOpen([{ name: "multiprotocol", afi: 1, safi: 1 }]);
    await expect(record("ipv4", REPLAY_PORT, twoOctet)).rejects.toThrow(/NOTIFICATION|closed/);
    await expect(sender.failed).rejects.toThrow(/OPEN differs/);
  });

  it("finds a recording that lost an UPDATE, has one twice or ends mid-message", async () => {
    await startSpeakerSender("ipv4");
    const recording = await record("ipv4", SPEAKER_PORT);
    const check = (updates: Buffer) => () =>
      verifyStream({ ...recording, updates }, "ipv4", COUNT, (i) => prefixOf("ipv4", i));
    // Full UPDATEs of /24s with one set of attributes are all the same length.
    const length = recording.updates.readUInt16BE(16);
    expect(recording.updates.readUInt16BE(length + 16)).toBe(length);
    const first = recording.updates.subarray(0, length);
    const afterFirst = recording.updates.subarray(length);
    const afterSecond = recording.updates.subarray(2 * length);
    expect(check(afterFirst)).toThrow(/NLRI, expected 3000/);
    expect(check(Buffer.concat([first, first, afterSecond]))).toThrow(/announced twice/);
    expect(check(recording.updates.subarray(0, recording.updates.length - 1))).toThrow(
      /ends inside a message/,
    );
    expect(decodeStream(afterFirst, recording.context, "ipv4").endOfRib).toBe(true);
  });

  it("a real BGP receiver takes the replayed table whole", async () => {
    // The receiving side is a BgpSpeaker instead of BIRD, set up as the bench does it: capture the
    // receiver's OPEN once, record the sender against it, then replay to a fresh, identical receiver.
    const receiverOptions = { asn: RECEIVER.asn, routerId: RECEIVER.address, holdTime: 240, connectRetry: 1 };
    const peer = {
      address: SENDER.address,
      asn: SENDER.asn,
      port: REPLAY_PORT,
      localAddress: RECEIVER.address,
      families: ["ipv6-unicast" as const],
    };
    const server = createServer();
    const captured = new Promise<Uint8Array>((resolve) =>
      server.on("connection", (socket) => {
        const framer = new MessageFramer();
        socket.on("error", () => {});
        socket.on("data", (chunk: Buffer) => {
          const [open] = framer.push(chunk);
          if (open === undefined) return;
          resolve(Uint8Array.from(open));
          socket.destroy();
        });
      }),
    );
    await new Promise<void>((resolve) => server.listen({ host: SENDER.address, port: REPLAY_PORT }, resolve));
    const first = new BgpSpeaker(receiverOptions);
    first.addPeer(peer);
    await first.start();
    const peerOpen = await captured;
    await first.close();
    await new Promise((resolve) => server.close(resolve));

    await startSpeakerSender("ipv6");
    const recording = await record("ipv6", SPEAKER_PORT, peerOpen);
    const sender = await replay(recording);
    const receiver = new BgpSpeaker(receiverOptions);
    receiver.addPeer(peer);
    await receiver.start();
    cleanups.push(() => receiver.close());
    await sender.established;
    await waitFor("the replayed routes", () => receiver.peerStatus()[0]?.prefixesIn === COUNT);
    const held = new Set(receiver.adjRibIn().map((r) => r.prefix));
    const missing = [];
    for (let i = 0; i < COUNT; i++) {
      const prefix = canonicalPrefix(prefixOf("ipv6", i)).prefix;
      if (!held.has(prefix)) missing.push(prefix);
    }
    expect(missing).toEqual([]);
  });
});
