/**
 * The receiver's ceiling for the bulk bench: record the exact octets a sender puts on the wire for
 * its table, then play them back from memory with a sender that does nothing else, so the bench can
 * show how long the receiving BIRD itself needs to take in that byte stream.
 *
 * - `recordStream` plays the receiver towards a sender: it sends the receiver's own OPEN (captured
 *   from the real BIRD by the bench), answers with a KEEPALIVE, and keeps every UPDATE octet the
 *   sender writes after that, up to and including the End-of-RIB of the family.
 * - `startReplaySender` is the minimal sender: on an accepted connection it sends the recorded OPEN
 *   and a KEEPALIVE, checks the peer's OPEN is the one the recording was made against (so the
 *   negotiated context, 4-octet AS above all, is the same), and once the peer's KEEPALIVE arrives
 *   writes every recorded UPDATE in one `write`; then only KEEPALIVEs.
 * @module
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import {
  CeaseSubcode,
  ErrorCode,
  HEADER_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
} from "../../src/wire/constants.js";
import { endOfRibFamily } from "../../src/wire/end-of-rib.js";
import { MessageFramer } from "../../src/wire/framer.js";
import { KEEPALIVE } from "../../src/wire/keepalive.js";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import { canonicalPrefix } from "../../src/wire/prefix.js";
import type { AddressFamily, CodecContext, OpenMessage, UpdateMessage } from "../../src/wire/types.js";
import type { BulkFamily } from "./prefixes.js";

export const addressFamilyOf = (family: BulkFamily): AddressFamily =>
  family === "ipv4" ? "ipv4-unicast" : "ipv6-unicast";

/** What a sender wrote for its table, as the receiver would have read it. */
export interface RecordedStream {
  /** The sender's OPEN message, header included. */
  readonly open: Uint8Array;
  /** The receiver's OPEN the recording was made against, header included. */
  readonly peerOpen: Uint8Array;
  /** Every UPDATE after the session came up, End-of-RIB included, back to back. */
  readonly updates: Buffer;
  readonly updateCount: number;
  /** How the UPDATEs are encoded, from the two OPENs. */
  readonly context: CodecContext;
}

const KEEPALIVE_BYTES = encodeMessage(KEEPALIVE);
const CEASE_BYTES = encodeMessage({
  type: "notification",
  code: ErrorCode.CEASE,
  subcode: CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
  data: new Uint8Array(0),
});

function decodeOpenBytes(bytes: Uint8Array, what: string): OpenMessage {
  const message = decodeMessage(bytes);
  if (message.type !== "open") throw new Error(`${what}: expected an OPEN, got ${message.type}`);
  return message;
}

/**
 * The encoding both sides agree on (RFC 6793 4-octet AS, RFC 8654 extended messages). The bench's
 * speakers never use ADD-PATH; a recording that would need it is refused rather than misread.
 */
export function contextOf(senderOpen: OpenMessage, receiverOpen: OpenMessage): CodecContext {
  const has = (o: OpenMessage, name: string) => o.capabilities.some((c) => c.name === name);
  if (has(senderOpen, "add-path") && has(receiverOpen, "add-path")) {
    throw new Error("replay: both OPENs carry ADD-PATH, which the recorder does not decode");
  }
  return {
    fourOctetAs: has(senderOpen, "four-octet-as") && has(receiverOpen, "four-octet-as"),
    addPath: [],
    extendedMessage: has(senderOpen, "extended-message") && has(receiverOpen, "extended-message"),
  };
}

const END_OF_RIB_MAX_LENGTH = HEADER_LENGTH + 4 + 4 + 3;

/** NLRI an UPDATE announces, in its NLRI field and its MP_REACH_NLRI. */
function announcedCount(update: UpdateMessage): number {
  const reach = update.attributes.mpReach;
  return update.nlri.length + (reach !== undefined && reach.family !== null ? reach.nlri.length : 0);
}

const messageType = (message: Uint8Array): number => message[HEADER_LENGTH - 1];

/**
 * Connect to a passive sender as its receiver would, and record its table. Resolves once the
 * End-of-RIB of `family` has arrived; rejects on a NOTIFICATION, a closed connection or the timeout.
 */
export function recordStream(opts: {
  /** Where the sender listens. */
  readonly host: string;
  readonly port: number;
  /** The address the sender expects its peer on. */
  readonly localAddress: string;
  /** The receiver's OPEN, sent as it is. */
  readonly peerOpen: Uint8Array;
  readonly family: BulkFamily;
  readonly timeoutMs: number;
  /**
   * For a sender that sends no End-of-RIB (BIRD does only to a peer that announced Graceful
   * Restart): stop once this many NLRI have come. Every UPDATE is then decoded as it arrives.
   */
  readonly untilNlri?: number;
}): Promise<RecordedStream> {
  const family = addressFamilyOf(opts.family);
  const peerOpen = decodeOpenBytes(opts.peerOpen, "the receiver's OPEN");
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => fail(new Error(`recording: no End-of-RIB within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const framer = new MessageFramer();
    let open: Uint8Array | undefined;
    let context: CodecContext | undefined;
    const updates: Uint8Array[] = [];
    let updateBytes = 0;
    let nlri = 0;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      socket.end(CEASE_BYTES);
      resolve({
        open: open!,
        peerOpen: opts.peerOpen,
        updates: Buffer.concat(updates, updateBytes),
        updateCount: updates.length,
        context: context!,
      });
    };
    socket.on("connect", () => socket.write(opts.peerOpen));
    socket.on("error", (err) => fail(new Error(`recording: ${err.message}`, { cause: err })));
    socket.on("close", () => fail(new Error("recording: the sender closed the connection")));
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const message of framer.push(chunk)) {
          const type = messageType(message);
          if (open === undefined) {
            if (type !== MessageType.OPEN)
              throw new Error(`recording: first message is type ${type}, not OPEN`);
            open = Uint8Array.from(message);
            context = contextOf(decodeOpenBytes(open, "the sender's OPEN"), peerOpen);
            if (context.extendedMessage) framer.maxMessageLength = MAX_EXTENDED_MESSAGE_LENGTH;
            socket.write(KEEPALIVE_BYTES);
          } else if (type === MessageType.NOTIFICATION) {
            throw new Error(`recording: NOTIFICATION ${JSON.stringify(decodeMessage(message))}`);
          } else if (type === MessageType.UPDATE) {
            updates.push(Uint8Array.from(message));
            updateBytes += message.length;
            // Only a short UPDATE can be an End-of-RIB (23 octets for IPv4, 29 or 30 with an empty
            // MP_UNREACH_NLRI): unless NLRI are counted, decode just those; verifyStream reads the rest.
            if (opts.untilNlri !== undefined || message.length <= END_OF_RIB_MAX_LENGTH) {
              const update = decodeMessage(message, context);
              if (update.type !== "update") continue;
              nlri += announcedCount(update);
              if (
                endOfRibFamily(update) === family ||
                (opts.untilNlri !== undefined && nlri >= opts.untilNlri)
              ) {
                finish();
                return;
              }
            }
          }
        }
      } catch (err) {
        fail(err as Error);
      }
    });
  });
}

/** What a recorded UPDATE stream announces, read back with the project's decoder. */
export interface DecodedStream {
  /** Announced prefixes in wire order. */
  readonly prefixes: string[];
  readonly updateCount: number;
  /** Withdrawn prefixes and UPDATEs with RFC 7606 problems: both must be 0 for a clean table. */
  readonly withdrawn: number;
  readonly problems: number;
  readonly endOfRib: boolean;
}

/** Decode every UPDATE of a recording (`decodeMessage`, the recording's context). */
export function decodeStream(updates: Uint8Array, context: CodecContext, family: BulkFamily): DecodedStream {
  const addressFamily = addressFamilyOf(family);
  const framer = new MessageFramer({
    maxMessageLength: context.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
  });
  const prefixes: string[] = [];
  let updateCount = 0;
  let withdrawn = 0;
  let problems = 0;
  let endOfRib = false;
  for (const message of framer.push(updates)) {
    const update = decodeMessage(message, context);
    if (update.type !== "update") throw new Error(`recording holds a ${update.type}, not only UPDATEs`);
    updateCount++;
    if (endOfRibFamily(update) === addressFamily) endOfRib = true;
    if (update.problems !== undefined) problems++;
    withdrawn += update.withdrawnRoutes.length;
    for (const n of update.nlri) prefixes.push(n.prefix);
    const reach = update.attributes.mpReach;
    if (reach !== undefined && reach.family !== null) for (const n of reach.nlri) prefixes.push(n.prefix);
    const unreach = update.attributes.mpUnreach;
    if (unreach !== undefined && unreach.family !== null) withdrawn += unreach.withdrawnRoutes.length;
  }
  if (framer.buffered !== 0) throw new Error(`recording ends inside a message (${framer.buffered} octets)`);
  return { prefixes, updateCount, withdrawn, problems, endOfRib };
}

/**
 * Check a recording announces exactly the `count` prefixes `prefixOf(0..count-1)`, each once, and
 * nothing else; throws naming the first difference. The decoder gives RFC 5952 text, so the expected
 * prefixes are compared in their canonical form (the bench writes `fd00:0:0::/48` for `fd00::/48`).
 */
export function verifyStream(
  recording: RecordedStream,
  family: BulkFamily,
  count: number,
  prefixOf: (i: number) => string,
  options: { requireEndOfRib: boolean } = { requireEndOfRib: true },
): DecodedStream {
  const decoded = decodeStream(recording.updates, recording.context, family);
  const fail = (why: string) => {
    throw new Error(`recorded stream: ${why}`);
  };
  if (options.requireEndOfRib && !decoded.endOfRib) fail("no End-of-RIB");
  if (decoded.withdrawn !== 0) fail(`${decoded.withdrawn} withdrawn prefixes`);
  if (decoded.problems !== 0) fail(`${decoded.problems} UPDATEs with RFC 7606 problems`);
  if (decoded.prefixes.length !== count) fail(`${decoded.prefixes.length} NLRI, expected ${count}`);
  const seen = new Set(decoded.prefixes);
  if (seen.size !== count) fail(`${count - seen.size} prefixes announced twice`);
  for (let i = 0; i < count; i++) {
    const expected = canonicalPrefix(prefixOf(i)).prefix;
    if (!seen.has(expected)) fail(`${expected} missing`);
  }
  return decoded;
}

/** A running minimal sender. */
export interface ReplaySender {
  readonly server: Server;
  /** Resolves when the peer's KEEPALIVE has come and the UPDATEs have been handed to the socket. */
  readonly established: Promise<void>;
  /** Rejects with the reason the session failed (a NOTIFICATION, a wrong OPEN, a closed socket). */
  readonly failed: Promise<never>;
  /** Send a Cease, close the connection and the listener. */
  close(): Promise<void>;
}

/**
 * Listen on `host:port` and replay `recording` to the first peer from `peerAddress` that connects.
 * The peer's OPEN must equal the one the recording was made against, octet for octet, so that it
 * negotiates the same encoding (a receiver configured differently would misread the stream).
 */
export async function startReplaySender(opts: {
  readonly host: string;
  readonly port: number;
  readonly peerAddress: string;
  readonly recording: Pick<RecordedStream, "open" | "peerOpen" | "updates">;
}): Promise<ReplaySender> {
  const ourOpen = decodeOpenBytes(opts.recording.open, "the recorded OPEN");
  const expected = Buffer.from(opts.recording.peerOpen);
  let session: Socket | undefined;
  let keepaliveTimer: NodeJS.Timeout | undefined;
  let onEstablished!: () => void;
  let onFailed!: (err: Error) => void;
  const established = new Promise<void>((resolve) => {
    onEstablished = resolve;
  });
  const failed = new Promise<never>((_, reject) => {
    onFailed = reject;
  });
  failed.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  const fail = (err: Error) => {
    clearInterval(keepaliveTimer);
    session?.destroy();
    onFailed(err);
  };
  const server = createServer((socket) => {
    if (session !== undefined || socket.remoteAddress !== opts.peerAddress) {
      socket.destroy();
      return;
    }
    session = socket;
    socket.setNoDelay(true);
    socket.write(opts.recording.open);
    const framer = new MessageFramer();
    let peerOpen: OpenMessage | undefined;
    let up = false;
    socket.on("error", (err) => fail(new Error(`replay: ${err.message}`, { cause: err })));
    socket.on("close", () => fail(new Error("replay: the peer closed the connection")));
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const message of framer.push(chunk)) {
          const type = messageType(message);
          if (type === MessageType.NOTIFICATION) {
            throw new Error(`replay: NOTIFICATION ${JSON.stringify(decodeMessage(message))}`);
          }
          if (peerOpen === undefined) {
            if (!expected.equals(message)) {
              throw new Error(
                `replay: the peer's OPEN differs from the one recorded against (${Buffer.from(message).toString("hex")})`,
              );
            }
            peerOpen = decodeOpenBytes(message, "the peer's OPEN");
            socket.write(KEEPALIVE_BYTES);
          } else if (type === MessageType.KEEPALIVE && !up) {
            up = true;
            // The whole table in one write; Node hands it to the kernel as fast as it drains.
            socket.write(opts.recording.updates);
            const holdTimeSec = Math.min(ourOpen.holdTime, peerOpen.holdTime);
            if (holdTimeSec > 0) {
              keepaliveTimer = setInterval(() => socket.write(KEEPALIVE_BYTES), (holdTimeSec / 3) * 1000);
              keepaliveTimer.unref();
            }
            onEstablished();
          }
        }
      } catch (err) {
        socket.write(CEASE_BYTES);
        fail(err as Error);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    established,
    failed,
    async close() {
      clearInterval(keepaliveTimer);
      const s = session;
      if (s !== undefined && !s.destroyed) {
        s.removeAllListeners("close");
        await new Promise<void>((resolve) => {
          s.once("close", () => resolve());
          s.end(CEASE_BYTES);
          setTimeout(() => s.destroy(), 1_000).unref();
        });
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
