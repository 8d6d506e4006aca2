import { connect, type Socket } from "node:net";
import type { Clock } from "../../src/clock.js";
import { MessageFramer } from "../../src/wire/framer.js";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import type { BgpMessage, OpenMessage } from "../../src/wire/types.js";

/** Resolve when `pred()` holds, polling; reject after `ms`. */
export async function waitFor(pred: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A peer played by hand: a raw socket, what it received decoded, and helpers to send bytes. */
export class RawPeer {
  readonly socket: Socket;
  readonly received: BgpMessage[] = [];
  bytes = 0;
  closed = false;
  readonly #framer = new MessageFramer({ maxMessageLength: 65535 });

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.bytes += chunk.length;
      for (const frame of this.#framer.push(chunk))
        this.received.push(decodeMessage(frame, { extendedMessage: true }));
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
    });
  }

  static connect(port: number, localAddress: string, host = "127.0.0.1"): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, localAddress }, () => resolve(new RawPeer(socket)));
      socket.once("error", reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  send(message: BgpMessage): void {
    this.socket.write(encodeMessage(message));
  }

  waitType(type: BgpMessage["type"], ms = 5000): Promise<void> {
    return waitFor(() => this.received.some((m) => m.type === type), ms, `a ${type} from the session`);
  }

  waitClosed(ms = 5000): Promise<void> {
    return waitFor(() => this.closed, ms, "the session to close the connection");
  }

  /** The one NOTIFICATION received, as plain numbers. */
  notification(): { code: number; subcode: number; data: number[] } | null {
    const n = this.received.find((m) => m.type === "notification");
    return n?.type === "notification" ? { code: n.code, subcode: n.subcode, data: [...n.data] } : null;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function openFrom(asn: number, overrides: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: "open",
    version: 4,
    myAsn: asn,
    holdTime: 30,
    bgpIdentifier: "10.9.9.9",
    capabilities: [
      { name: "multiprotocol", afi: 1, safi: 1 },
      { name: "multiprotocol", afi: 2, safi: 1 },
      { name: "four-octet-as", asn },
    ],
    ...overrides,
  };
}

/** A clock whose time moves only when told to. */
export class FakeClock implements Clock {
  #now = 0;
  #next = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.#timers)
        if (entry[1].at <= end && (next === null || entry[1].at < next[1].at)) next = entry;
      if (next === null) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
}
