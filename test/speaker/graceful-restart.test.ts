import { afterEach, describe, expect, it } from "vitest";
import { BgpSpeaker, type RouteEvent } from "../../src/index.js";
import { encodeMessage } from "../../src/wire/message.js";
import type { Capability, UpdateMessage } from "../../src/wire/types.js";
import { openFrom, RawPeer, waitFor } from "../session/helpers.js";

/**
 * RFC 4724 as the receiving speaker: a peer that announced Graceful Restart and drops its TCP
 * connection without a NOTIFICATION keeps its routes here, marked stale, until it comes back and
 * sends End-of-RIB, or until its restart time runs out. The peer is played by a raw socket.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const ROUTER = "127.0.0.80";
const PEER = "127.0.0.81";

function gr(restartTimeSec: number, restarting: boolean, forwardingPreserved: boolean): Capability {
  return {
    name: "graceful-restart",
    restarting,
    notification: false,
    restartTimeSec,
    families: [{ afi: 1, safi: 1, forwardingPreserved }],
  };
}

const route = (prefix: string): UpdateMessage => ({
  type: "update",
  withdrawnRoutes: [],
  attributes: { origin: "igp", asPath: [{ type: "sequence", asns: [65001] }], nextHop: PEER },
  nlri: [{ prefix }],
});
const endOfRibV4: UpdateMessage = { type: "update", withdrawnRoutes: [], attributes: {}, nlri: [] };

async function setup() {
  const router = new BgpSpeaker({ asn: 65000, routerId: "198.51.100.1", listen: { host: ROUTER, port: 0 } });
  router.addPeer({ address: PEER, asn: 65001, passive: true });
  await router.start();
  const events: RouteEvent[] = [];
  router.on("route", (e) => events.push(e));
  cleanups.push(() => router.close());
  return { router, events };
}

/** Connect as the peer, exchange OPENs with the given GR capability, and announce `prefixes`. */
async function peerSession(router: BgpSpeaker, capability: Capability, prefixes: string[]): Promise<RawPeer> {
  // After a drop the session sits out its IdleHold time before it listens again (Active).
  await waitFor(
    () => router.peerStatus()[0].state === "Active",
    8000,
    "the session to wait for a connection",
  );
  const raw = await RawPeer.connect(router.listenPort!, PEER, ROUTER);
  cleanups.push(() => raw.destroy());
  raw.send(openFrom(65001, { capabilities: [...openFrom(65001).capabilities, capability] }));
  await raw.waitType("open");
  raw.send({ type: "keepalive" });
  await waitFor(() => router.peerStatus()[0].state === "Established", 5000, "Established");
  // Both OPENs carry the 4-octet AS capability: encode AS_PATH as negotiated.
  for (const p of prefixes) raw.write(encodeMessage(route(p), { fourOctetAs: true }));
  return raw;
}

const held = (router: BgpSpeaker) =>
  router
    .adjRibIn()
    .map((r) => r.prefix)
    .sort();

describe("graceful restart, receiving side", () => {
  it("keeps a restarting peer's routes stale and drops what it does not announce again before End-of-RIB", async () => {
    const { router, events } = await setup();
    const first = await peerSession(router, gr(60, false, true), ["10.1.0.0/24", "10.2.0.0/24"]);
    await waitFor(() => router.adjRibIn().length === 2, 5000, "two routes");
    first.destroy(); // a crash: TCP goes, no NOTIFICATION
    await waitFor(() => router.peerStatus()[0].state !== "Established", 5000, "the session to drop");
    expect(held(router)).toEqual(["10.1.0.0/24", "10.2.0.0/24"]);
    expect(router.peerStatus()[0].prefixesStale).toBe(2);
    expect(events.filter((e) => e.type === "withdraw")).toEqual([]);

    const second = await peerSession(router, gr(60, true, true), ["10.1.0.0/24"]);
    await waitFor(() => router.peerStatus()[0].prefixesStale === 1, 5000, "10.1.0.0/24 refreshed");
    second.send(endOfRibV4);
    await waitFor(() => router.adjRibIn().length === 1, 5000, "the stale route swept");
    expect(held(router)).toEqual(["10.1.0.0/24"]);
    expect(events.filter((e) => e.type === "withdraw").map((e) => e.prefix)).toEqual(["10.2.0.0/24"]);
  });

  it("drops stale routes at once when the peer comes back without the Forwarding State bit", async () => {
    const { router } = await setup();
    const first = await peerSession(router, gr(60, false, true), ["10.1.0.0/24"]);
    await waitFor(() => router.adjRibIn().length === 1, 5000, "the route");
    first.destroy();
    await waitFor(() => router.peerStatus()[0].state !== "Established", 5000, "the session to drop");
    expect(router.adjRibIn().length).toBe(1);
    await peerSession(router, gr(60, true, false), []);
    await waitFor(() => router.adjRibIn().length === 0, 5000, "the stale route dropped");
  });

  it("drops stale routes when the peer does not return within its restart time", async () => {
    const { router } = await setup();
    const first = await peerSession(router, gr(1, false, true), ["10.1.0.0/24"]);
    await waitFor(() => router.adjRibIn().length === 1, 5000, "the route");
    first.destroy();
    await waitFor(() => router.peerStatus()[0].state !== "Established", 5000, "the session to drop");
    expect(router.adjRibIn().length).toBe(1);
    await waitFor(() => router.adjRibIn().length === 0, 4000, "the restart time to run out");
  });

  it("removes every route at once when the peer ends the session with a NOTIFICATION", async () => {
    const { router } = await setup();
    const first = await peerSession(router, gr(60, false, true), ["10.1.0.0/24"]);
    await waitFor(() => router.adjRibIn().length === 1, 5000, "the route");
    first.send({ type: "notification", code: 6, subcode: 2, data: new Uint8Array(0) });
    await waitFor(() => router.adjRibIn().length === 0, 5000, "the routes gone");
  });
});
