/**
 * The two fuzz targets and their oracles. Each takes raw bytes and throws only when an oracle fails
 * (a crash); bad input that is handled as the RFCs say is not a crash.
 *
 * - decode: one message through `decodeMessage` under two contexts. Only `BgpError` may be thrown;
 *   what decodes must encode again, `encodingLength` must equal the encoded length, and a message
 *   decoded without RFC 7606 problems must decode to the same value from its own encoding.
 * - session: a peer's byte stream into a passive `BgpSession` over a socket stand-in, through the
 *   real framer, decoder, links and state machine. The first input byte picks the chunk size the
 *   stream arrives in. Nothing may throw out of the socket's "data" handler, and once the TCP
 *   connection closes the session must have left Established.
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { isDeepStrictEqual } from "node:util";
import type { Clock } from "../src/clock.js";
import type { FsmState } from "../src/fsm/types.js";
import { BgpSession } from "../src/session/session.js";
import { unknownAttributeFlags } from "../src/wire/attributes/unknown.js";
import { BgpError } from "../src/wire/errors.js";
import { decodeMessage, encodeMessage, encodingLength } from "../src/wire/message.js";
import type { BgpMessage, CodecContext } from "../src/wire/types.js";

export const CONTEXTS: readonly CodecContext[] = [
  { fourOctetAs: false, addPath: [], extendedMessage: false },
  { fourOctetAs: true, addPath: ["ipv4-unicast", "ipv6-unicast"], extendedMessage: true },
];

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * The message as it is sent on: RFC 4271 §5 sets the Partial bit on unknown optional transitive
 * attributes that are passed on, so that is the one difference a re-encoding may make.
 */
function passedOn(message: BgpMessage): BgpMessage {
  if (message.type !== "update" || message.attributes.unknown === undefined) return message;
  const unknown = message.attributes.unknown.map((u) => ({ ...u, flags: unknownAttributeFlags(u) }));
  return { ...message, attributes: { ...message.attributes, unknown } };
}

/** The decode target: throws on an oracle failure. */
export function decodeTarget(input: Uint8Array): void {
  for (const ctx of CONTEXTS) {
    let message: BgpMessage;
    try {
      message = decodeMessage(input, ctx);
    } catch (error) {
      if (error instanceof BgpError) continue;
      throw error;
    }
    const encoded = encodeMessage(message, ctx);
    const length = encodingLength(message, ctx);
    if (length !== encoded.length) {
      throw new Error(`encodingLength ${length} but encodeMessage gave ${encoded.length} octets`);
    }
    if (message.type === "update" && message.problems !== undefined) continue;
    const again = decodeMessage(encoded, ctx);
    if (!isDeepStrictEqual(again, passedOn(message))) {
      throw new Error(`re-encoding changed the message: ${hex(input)} -> ${hex(encoded)}`);
    }
  }
}

/** Just enough of a net.Socket for a Connection: records what is written, emits what the peer sends. */
export class FakeSocket extends EventEmitter {
  remoteAddress = "198.51.100.2";
  remotePort = 179;
  localAddress = "198.51.100.1";
  localPort = 40179;
  remoteFamily = "IPv4";
  destroyed = false;
  connecting = false;
  writableLength = 0;
  writableNeedDrain = false;
  written = 0;
  #closeQueued = false;

  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  isPaused(): boolean {
    return false;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  cork(): void {}
  uncork(): void {}
  /** Takes everything at once; the callback runs later, as a real socket's does once flushed. */
  write(bytes: Uint8Array, done?: (error?: Error | null) => void): boolean {
    this.written += bytes.length;
    if (done !== undefined) process.nextTick(done, null);
    return true;
  }
  end(): this {
    this.#queueClose();
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    this.#queueClose();
    return this;
  }
  /** Like a real socket, "close" comes later, not inside the call that caused it. */
  #queueClose(): void {
    if (this.#closeQueued) return;
    this.#closeQueued = true;
    process.nextTick(() => this.emit("close", false));
  }
}

/** Timers that never fire: the fuzzer drives the bytes, not the clock. */
const STILL_CLOCK: Clock = { now: () => 0, setTimeout: () => null, clearTimeout: () => {} };

/** The session target: throws on an oracle failure. */
export function sessionTarget(input: Uint8Array): void {
  feedSession(input);
}

/**
 * Feed a peer's stream (after the chunk-size byte) to a fresh passive session, close the
 * connection, and check the oracles; returns the states the session went through.
 */
export function feedSession(input: Uint8Array): FsmState[] {
  const states: FsmState[] = [];
  if (input.length === 0) return states;
  const session = new BgpSession({
    localAsn: 65000,
    routerId: "198.51.100.1",
    peerAddress: "198.51.100.2",
    peerAsn: 65001,
    passive: true,
    holdTime: 90,
    addPath: [{ family: "ipv4-unicast", send: true, receive: true }],
    extendedNextHop: true,
    clock: STILL_CLOCK,
    random: () => 0.5,
  });
  session.on("state", (_from, to) => states.push(to));
  session.start();
  const socket = new FakeSocket();
  session.acceptConnection(socket as unknown as Socket);
  // Chunk size 1..255 from the first byte; 0 delivers the whole stream at once.
  const size = input[0] === 0 ? input.length : input[0];
  for (let at = 1; at < input.length; at += size) {
    socket.emit("data", Buffer.from(input.subarray(at, Math.min(input.length, at + size))));
  }
  if (!socket.destroyed) socket.emit("close", false);
  if (session.state === "Established") throw new Error("still Established after the connection closed");
  session.removeAllListeners();
  return states;
}
