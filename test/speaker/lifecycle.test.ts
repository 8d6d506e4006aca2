import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BgpSpeaker } from "../../src/index.js";
import type { UpdateMessage } from "../../src/wire/types.js";
import { openFrom, RawPeer, waitFor } from "../session/helpers.js";

/**
 * Issue 9, items 3 and 4: the speaker's lifecycle (start/close as a state machine that every
 * caller can rely on) and attributes taken by value. Sessions are real, on loopback
 * 127.0.61.0/24, against a peer played by hand.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

let nextHost = 10;
function hosts(): { speaker: string; peer: string } {
  const n = nextHost;
  nextHost += 2;
  return { speaker: `127.0.61.${n}`, peer: `127.0.61.${n + 1}` };
}

function listening(host: string): BgpSpeaker {
  const s = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", listen: { host, port: 0 }, holdTime: 30 });
  cleanups.push(() => s.close());
  return s;
}

/** A speaker with one passive peer, and that peer connected and Established by hand. */
async function established(): Promise<{ speaker: BgpSpeaker; raw: RawPeer }> {
  const { speaker: host, peer } = hosts();
  const speaker = listening(host);
  speaker.addPeer({ address: peer, asn: 65000, passive: true });
  await speaker.start();
  const raw = await RawPeer.connect(speaker.listenPort!, peer, host);
  cleanups.push(() => raw.destroy());
  raw.send(openFrom(65000));
  raw.send({ type: "keepalive" });
  await raw.waitType("keepalive");
  await waitFor(() => speaker.peerStatus()[0].state === "Established", 5000, "Established");
  return { speaker, raw };
}

function updates(raw: RawPeer): UpdateMessage[] {
  return raw.received.filter((m): m is UpdateMessage => m.type === "update");
}

function lastUpdateWith(raw: RawPeer, prefix: string): UpdateMessage | undefined {
  const carrying = updates(raw).filter((u) => u.nlri.some((n) => n.prefix === prefix));
  return carrying[carrying.length - 1];
}

/** MED of the last UPDATE that carried `prefix`. */
function medOf(raw: RawPeer, prefix: string): number | undefined {
  return lastUpdateWith(raw, prefix)?.attributes.med;
}

describe("start()", () => {
  it("can be retried after the listen address was in use, and then listens and starts its peers", async () => {
    const { speaker: host, peer } = hosts();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host, port: 0 }, resolve));
    const port = (squatter.address() as { port: number }).port;
    const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", listen: { host, port } });
    cleanups.push(() => speaker.close());
    speaker.addPeer({ address: peer, asn: 65000, passive: true });
    await expect(speaker.start()).rejects.toThrow(/cannot listen/);
    expect(speaker.lifecycle).toBe("new");
    expect(speaker.peerStatus()[0].state).toBe("Idle");
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await speaker.start();
    expect(speaker.lifecycle).toBe("running");
    expect(speaker.listenPort).toBe(port);
    expect(speaker.peerStatus()[0].state).toBe("Active");
    const raw = await RawPeer.connect(port, peer, host);
    cleanups.push(() => raw.destroy());
    raw.send(openFrom(65000));
    await raw.waitType("open");
  });

  it("resolves every concurrent call only once the listener is bound", async () => {
    const speaker = listening(hosts().speaker);
    const first = speaker.start();
    const second = speaker.start();
    expect(speaker.lifecycle).toBe("starting");
    await second;
    expect(speaker.listenPort).not.toBeNull();
    await first;
    await speaker.start(); // and again once running: a no-op
    expect(speaker.lifecycle).toBe("running");
  });
});

describe("close()", () => {
  it("makes every caller wait for the same completion, after the Cease has been sent", async () => {
    const { speaker, raw } = await established();
    const first = speaker.close();
    const second = speaker.close();
    expect(speaker.lifecycle).toBe("closing");
    await second;
    // The session was stopped with its Cease before the second caller resumed.
    expect(speaker.peerStatus()[0].state).toBe("Idle");
    expect(speaker.lifecycle).toBe("closed");
    await first;
    await raw.waitType("notification");
    expect(raw.notification()).toMatchObject({ code: 6, subcode: 2 });
  });

  it("turns every later call into a clear error", async () => {
    const { speaker } = await established();
    await speaker.close();
    const closed = /the speaker is closed/;
    expect(() => speaker.announce("203.0.113.0/24")).toThrow(closed);
    expect(() => speaker.withdraw("203.0.113.0/24")).toThrow(closed);
    expect(() => speaker.refresh()).toThrow(closed);
    expect(() => speaker.drain()).toThrow(closed);
    expect(() => speaker.undrain()).toThrow(closed);
    expect(() => speaker.addPeer({ address: "127.0.61.250", asn: 65000 })).toThrow(closed);
    await expect(speaker.start()).rejects.toThrow(closed);
    await expect(speaker.removePeer("127.0.61.251")).rejects.toThrow(closed);
    await speaker.close(); // idempotent
  });

  it("during start() waits for it, and leaves nothing listening", async () => {
    const speaker = listening(hosts().speaker);
    const starting = speaker.start();
    const closing = speaker.close();
    await expect(starting).rejects.toThrow(/closed/);
    await closing;
    expect(speaker.listenPort).toBeNull();
    expect(speaker.lifecycle).toBe("closed");
  });
});

describe("peer counters", () => {
  it("report no routes sent once the session is down", async () => {
    const { speaker, raw } = await established();
    for (let i = 0; i < 300; i++) speaker.announce(`10.${i >> 8}.${i & 255}.0/24`);
    await waitFor(() => speaker.peerStatus()[0].prefixesOut === 300, 5000, "300 routes sent");
    raw.destroy();
    await waitFor(() => speaker.peerStatus()[0].state !== "Established", 5000, "the session down");
    expect(speaker.peerStatus()[0].prefixesOut).toBe(0);
  });
});

describe("announce() attributes", () => {
  it("are taken by value: mutating the object later changes the next call only, and is validated", async () => {
    const { speaker, raw } = await established();
    const a: { med: number; communities: string[] } = { med: 100, communities: ["65001:1"] };
    speaker.announce("203.0.113.0/24", a);
    a.med = 1000;
    speaker.announce("203.0.113.128/25", a);
    a.communities.push("65001:2");
    speaker.announce("198.51.100.0/24", a);
    await waitFor(() => medOf(raw, "198.51.100.0/24") !== undefined, 5000, "the third route");
    expect(medOf(raw, "203.0.113.0/24")).toBe(100);
    expect(medOf(raw, "203.0.113.128/25")).toBe(1000);
    const third = lastUpdateWith(raw, "198.51.100.0/24");
    expect(third?.attributes.communities).toEqual(["65001:1", "65001:2"]);
    a.med = -7;
    expect(() => speaker.announce("192.0.0.0/24", a)).toThrow(/invalid med -7/);
    (a as Record<string, unknown>).mde = 5;
    a.med = 1;
    expect(() => speaker.announce("192.0.0.0/24", a)).toThrow(/unknown option "mde"/);
    expect(speaker.announcements().map((x) => x.prefix)).not.toContain("192.0.0.0/24");
  });
});
