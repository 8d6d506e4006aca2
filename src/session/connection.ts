import type { Socket } from "node:net";
import createDebug from "debug";
import { DEFAULT_CODEC_CONTEXT, maxMessageLength } from "../wire/context.js";
import { BgpError } from "../wire/errors.js";
import { MessageFramer } from "../wire/framer.js";
import { decodeMessage, encodeMessage } from "../wire/message.js";
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
  drain(): void;
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
  readonly #framer = new MessageFramer();
  readonly #handlers: ConnectionHandlers;
  readonly #maxQueueBytes: number;
  #detached = false;
  #closing: Promise<void> | null = null;

  constructor(
    socket: Socket,
    initiatedLocally: boolean,
    handlers: ConnectionHandlers,
    maxQueueBytes: number,
  ) {
    this.socket = socket;
    this.initiatedLocally = initiatedLocally;
    this.#handlers = handlers;
    this.#maxQueueBytes = maxQueueBytes;
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
    this.#framer.maxMessageLength = maxMessageLength(ctx);
  }

  get detached(): boolean {
    return this.#detached;
  }

  /** Below the socket's high-water mark. */
  get writable(): boolean {
    return !this.#detached && !this.socket.writableNeedDrain;
  }

  send(message: BgpMessage): void {
    if (this.#detached || this.socket.destroyed) return;
    const bytes = encodeMessage(message, this.sendContext);
    if (debug.enabled) debug("%s > %s (%d octets)", this.#label, summary(message), bytes.length);
    this.socket.write(bytes);
    // write() returning false is our backpressure signal (writable goes false, "drain" follows);
    // past the cap the session ends rather than buffer without bound.
    if (this.socket.writableLength > this.#maxQueueBytes) this.#handlers.overflow(this.socket.writableLength);
  }

  /** Stop reporting, flush what was written, FIN, and destroy after a short bounded wait. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#detached = true;
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
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#detached) return;
    let frames: Uint8Array[];
    try {
      frames = this.#framer.push(chunk);
    } catch (error) {
      this.#fail(error);
      return;
    }
    for (const frame of frames) {
      if (this.#detached) return; // an earlier message in this chunk ended the connection
      let message: BgpMessage;
      try {
        message = decodeMessage(frame, this.#receiveContext);
      } catch (error) {
        this.#fail(error);
        return;
      }
      if (debug.enabled) debug("%s < %s (%d octets)", this.#label, summary(message), frame.length);
      this.#handlers.message(message);
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
    if (debug.enabled) debug("%s closed%s", this.#label, error ? `: ${error.message}` : "");
    this.socket.destroy();
    this.#handlers.closed(error);
  }
}
