import type { Socket } from "node:net";
import createDebug from "debug";
import { msToSeconds, secondsToMs } from "../clock.js";
import { DEFAULT_CODEC_CONTEXT, maxMessageLength } from "../wire/context.js";
import { type DeferringContext, deferringContext } from "../wire/deferred-nlri.js";
import { BgpError } from "../wire/errors.js";
import { MessageFramer } from "../wire/framer.js";
import { decodeReceivedMessage, encodeMessage } from "../wire/message.js";
import type { BgpMessage, CodecContext } from "../wire/types.js";

const debug = createDebug("bgp:session");

/** How long a closing connection may take to flush its last NOTIFICATION before it is destroyed. */
export const CLOSE_GRACE_MS = 1000;

export interface ConnectionHandlers {
  message(message: BgpMessage): void;
  /** The peer sent bytes the codec rejects: the NOTIFICATION this error describes is owed. */
  protocolError(error: BgpError): void;
  /** The TCP connection ended or failed (not called after close()). */
  closed(error?: Error): void;
  /** Our send queue went past its cap. */
  overflow(queuedBytes: number): void;
  /** RFC 9687: bytes were queued and none could be written for the send hold time. */
  sendHoldExpired(sendHoldTime: number): void;
  drain(): void;
}

/** Milliseconds of handling input after which a connection waits for the next turn of the loop. */
const READ_SLICE_MS = 10;

/** Messages gathered before one socket write; past this the connection reports itself not writable. */
const BATCH_HIGH_WATER = 64 * 1024;

/** What a connection needs besides its socket: timers (injected in tests) and its limits. */
export interface ConnectionLimits {
  readonly maxQueueBytes: number;
  readonly clock: {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  };
}

function summary(m: BgpMessage): string {
  switch (m.type) {
    case "open":
      return `OPEN as=${m.myAsn} hold=${m.holdTime} id=${m.bgpIdentifier} caps=${m.capabilities.map((c) => c.name).join(",")}`;
    case "update":
      return `UPDATE +${m.nlri.length} -${m.withdrawnRoutes.length}${m.attributes.mpReach ? ` mp+${m.attributes.mpReach.family ?? "raw"}` : ""}${m.attributes.mpUnreach ? ` mp-${m.attributes.mpUnreach.family ?? "raw"}` : ""}`;
    case "notification":
      return `NOTIFICATION ${m.code}/${m.subcode}${m.shutdownMessage ? ` "${m.shutdownMessage}"` : ""}`;
    case "keepalive":
      return "KEEPALIVE";
    case "route-refresh":
      return `ROUTE-REFRESH ${m.afi}/${m.safi} subtype ${m.subtype}`;
    default: {
      const never: never = m;
      return String(never);
    }
  }
}

/**
 * One TCP connection carrying BGP: frames and decodes what arrives, encodes and writes what we
 * send, and closes by flushing first (a NOTIFICATION must reach the peer before the FIN).
 */
export class Connection {
  readonly socket: Socket;
  readonly initiatedLocally: boolean;
  sendContext: CodecContext = DEFAULT_CODEC_CONTEXT;
  #receiveContext: CodecContext = DEFAULT_CODEC_CONTEXT;
  /** #receiveContext with NLRI deferred: UPDATEs reach the Adj-RIB-In as checked bytes. */
  #deferringContext: DeferringContext = deferringContext(DEFAULT_CODEC_CONTEXT);
  readonly #framer = new MessageFramer();
  readonly #handlers: ConnectionHandlers;
  readonly #limits: ConnectionLimits;
  #detached = false;
  #closing: Promise<void> | null = null;
  /** Encoded messages not yet handed to the socket: written as one buffer per turn (see send). */
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #batchQueued = false;
  /** Frames received and not yet handled (see #onData), the next one at #frameAt. */
  #frames: Uint8Array[] = [];
  #frameAt = 0;
  /** A framing error met behind frames still waiting: reported after them. */
  #frameError: unknown = null;
  #readPaused = false;
  readonly #batchHighWater: number;
  /** writable was false because of the batch: the host is owed a "drain" once it is written. */
  #owedDrain = false;
  /** Complete messages received; a connection that has sent none is "silent" (see links.ts). */
  messagesReceived = 0;
  /** RFC 9687 Send Hold Time in ms, or 0 while not armed (set once the session is Established). */
  #sendHoldMs = 0;
  #sendHoldTimer: unknown = null;

  constructor(
    socket: Socket,
    initiatedLocally: boolean,
    handlers: ConnectionHandlers,
    limits: ConnectionLimits,
  ) {
    this.socket = socket;
    this.initiatedLocally = initiatedLocally;
    this.#handlers = handlers;
    this.#limits = limits;
    // A small cap (tests) must still see backpressure before the batch alone overflows it.
    this.#batchHighWater = Math.min(BATCH_HIGH_WATER, Math.floor(limits.maxQueueBytes / 4));
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (error) => this.#onClosed(error));
    socket.on("close", () => this.#onClosed());
    socket.on("drain", () => {
      if (!this.#detached) this.#handlers.drain();
    });
    if (socket.isPaused()) socket.resume();
  }

  get #label(): string {
    return `${this.socket.remoteAddress ?? "?"}:${this.socket.remotePort ?? "?"}${this.initiatedLocally ? " (out)" : " (in)"}`;
  }

  get receiveContext(): CodecContext {
    return this.#receiveContext;
  }

  set receiveContext(ctx: CodecContext) {
    this.#receiveContext = ctx;
    this.#deferringContext = deferringContext(ctx);
    this.#framer.maxMessageLength = maxMessageLength(ctx);
  }

  get detached(): boolean {
    return this.#detached;
  }

  /** Below the socket's high-water mark, and the batch not yet written is small. */
  get writable(): boolean {
    if (this.#detached || this.socket.writableNeedDrain) return false;
    if (this.#batchBytes < this.#batchHighWater) return true;
    this.#owedDrain = true;
    return false;
  }

  /** Octets queued and not yet taken by the kernel: the batch plus the socket's buffer. */
  get queuedBytes(): number {
    return this.#batchBytes + this.socket.writableLength;
  }

  /**
   * RFC 9687 Send Hold Timer: from now on, when queued bytes make no progress for `sendHoldTime`
   * seconds, the host is told (and ends the session with NOTIFICATION 8).
   */
  armSendHold(sendHoldTime: number): void {
    this.#sendHoldMs = secondsToMs(sendHoldTime);
    if (this.socket.writableLength > 0) this.#restartSendHold();
  }

  /**
   * Messages are gathered and written as one buffer per turn of the event loop (a microtask
   * after the caller's synchronous work): every socket write costs a request object and a
   * buffer-list entry far larger than a 19-octet KEEPALIVE, so counting bytes against the cap
   * only holds when writes are few and large.
   */
  send(message: BgpMessage): void {
    if (this.#detached || this.socket.destroyed) return;
    const bytes = encodeMessage(message, this.sendContext);
    if (debug.enabled) debug("%s > %s (%d octets)", this.#label, summary(message), bytes.length);
    this.#queue(bytes);
  }

  /**
   * Send `count` UPDATEs already encoded (with `sendContext`) back to back in `bytes`. The bytes
   * are kept, not copied, until written: the caller must not change them.
   */
  sendEncoded(bytes: Uint8Array, count: number): void {
    if (this.#detached || this.socket.destroyed) return;
    if (debug.enabled) debug("%s > %d UPDATEs (%d octets)", this.#label, count, bytes.length);
    this.#queue(bytes);
  }

  #queue(bytes: Uint8Array): void {
    this.#batch.push(bytes);
    this.#batchBytes += bytes.length;
    if (!this.#batchQueued) {
      this.#batchQueued = true;
      queueMicrotask(() => this.#writeBatch());
    }
    // Past the cap the session ends rather than buffer without bound.
    const queued = this.queuedBytes;
    if (queued > this.#limits.maxQueueBytes) this.#handlers.overflow(queued);
  }

  #writeBatch(): void {
    this.#batchQueued = false;
    const batch = this.#batch;
    if (batch.length === 0 || this.socket.destroyed) return;
    const chunk = batch.length === 1 ? batch[0] : Buffer.concat(batch, this.#batchBytes);
    this.#batch = [];
    this.#batchBytes = 0;
    const flushed = this.socket.write(chunk, () => this.#progress());
    if (this.#sendHoldMs > 0 && this.#sendHoldTimer === null && this.socket.writableLength > 0) {
      this.#restartSendHold();
    }
    if (flushed && this.#owedDrain && !this.#detached) {
      // The socket took it all and will not emit "drain": the host still waits for one.
      this.#owedDrain = false;
      setImmediate(() => {
        if (!this.#detached) this.#handlers.drain();
      });
    }
  }

  /** A write reached the kernel: progress, so the send hold timer starts over (or stops). */
  #progress(): void {
    if (this.#sendHoldMs === 0) return;
    if (this.socket.writableLength === 0) this.#stopSendHold();
    else this.#restartSendHold();
  }

  #restartSendHold(): void {
    this.#stopSendHold();
    if (this.#detached) return;
    const sendHoldTime = msToSeconds(this.#sendHoldMs);
    this.#sendHoldTimer = this.#limits.clock.setTimeout(() => {
      this.#sendHoldTimer = null;
      if (this.#detached || this.queuedBytes === 0) return;
      debug("%s: send hold timer expired with %d octets queued", this.#label, this.queuedBytes);
      this.#handlers.sendHoldExpired(sendHoldTime);
    }, this.#sendHoldMs);
  }

  #stopSendHold(): void {
    if (this.#sendHoldTimer !== null) this.#limits.clock.clearTimeout(this.#sendHoldTimer);
    this.#sendHoldTimer = null;
  }

  /** Stop reporting, flush what was written, FIN, and destroy after a short bounded wait. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#writeBatch(); // the last messages (a NOTIFICATION) go before the FIN
    this.#detached = true;
    this.#stopSendHold();
    const socket = this.socket;
    this.#closing = new Promise<void>((resolve) => {
      if (socket.destroyed || socket.connecting) {
        socket.destroy();
        resolve();
        return;
      }
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
    return this.#closing;
  }

  /** Drop at once (no flush). */
  destroy(): void {
    this.#detached = true;
    this.#stopSendHold();
    this.#batch = [];
    this.#batchBytes = 0;
    this.socket.destroy();
  }

  /**
   * Frames are decoded and handed on for at most READ_SLICE_MS per turn of the event loop: libuv
   * reads up to 32 chunks of 64 KiB per turn, so a peer flooding UPDATEs could otherwise hold the
   * loop (and every other session's timers) for hundreds of ms. What is left waits, in order, with
   * the socket paused, for the next turn.
   */
  #onData(chunk: Buffer): void {
    if (this.#detached) return;
    let frames: Uint8Array[];
    try {
      frames = this.#framer.push(chunk);
    } catch (error) {
      if (this.#frameAt < this.#frames.length) this.#frameError = error;
      else this.#fail(error);
      return;
    }
    if (this.#frameAt < this.#frames.length) {
      for (const frame of frames) this.#frames.push(frame); // a turn is already scheduled
      return;
    }
    this.#frames = frames;
    this.#frameAt = 0;
    this.#handleFrames();
  }

  #handleFrames(): void {
    const started = performance.now();
    const frames = this.#frames;
    while (this.#frameAt < frames.length) {
      if (this.#detached) return; // an earlier message ended the connection
      const frame = frames[this.#frameAt++];
      let message: BgpMessage;
      try {
        message = decodeReceivedMessage(frame, this.#deferringContext);
      } catch (error) {
        this.#fail(error);
        return;
      }
      if (debug.enabled) debug("%s < %s (%d octets)", this.#label, summary(message), frame.length);
      this.messagesReceived++;
      this.#handlers.message(message);
      if (this.#frameAt < frames.length && performance.now() - started > READ_SLICE_MS) {
        if (!this.#readPaused) {
          this.#readPaused = true;
          this.socket.pause();
        }
        setImmediate(() => {
          if (!this.#detached) this.#handleFrames();
        });
        return;
      }
    }
    this.#frames = [];
    this.#frameAt = 0;
    const error = this.#frameError;
    if (error !== null) {
      this.#frameError = null;
      if (!this.#detached) this.#fail(error);
      return;
    }
    if (this.#readPaused && !this.#detached) {
      this.#readPaused = false;
      this.socket.resume();
    }
  }

  #fail(error: unknown): void {
    if (error instanceof BgpError) {
      if (debug.enabled) debug("%s < malformed: %s", this.#label, error.message);
      this.#handlers.protocolError(error);
      return;
    }
    // The codec only throws BgpError on bad bytes; anything else is our bug, reported as a failure.
    this.#onClosed(new Error("decoder failed", { cause: error }));
  }

  #onClosed(error?: Error): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#stopSendHold();
    if (debug.enabled) debug("%s closed%s", this.#label, error ? `: ${error.message}` : "");
    this.socket.destroy();
    this.#handlers.closed(error);
  }
}
