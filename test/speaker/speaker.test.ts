import { describe, expect, it } from "vitest";
import { BgpSession, BgpSpeaker, type RouteEvent } from "../../src/index.js";
import { useCleanups, waitFor } from "../support/speakers.js";

/**
 * Two real speakers over loopback: a "router" that listens and an announcer that connects. Every
 * assertion is on what the router decoded from the wire.
 */

const cleanups = useCleanups();

let nextHost = 10;
async function pair(
  options: {
    routerAsn?: number;
    announcerAsn?: number;
    maxPrefixes?: number;
    extendedNextHop?: boolean;
  } = {},
) {
  const host = nextHost++;
  const routerAddress = `127.0.${host}.1`;
  const announcerAddress = `127.0.${host}.2`;
  const routerAsn = options.routerAsn ?? 65000;
  const announcerAsn = options.announcerAsn ?? 65001;
  const router = new BgpSpeaker({
    asn: routerAsn,
    routerId: "198.51.100.1",
    listen: { host: routerAddress, port: 0 },
    holdTime: 9,
  });
  router.addPeer({
    address: announcerAddress,
    asn: announcerAsn,
    passive: true,
    ...(options.maxPrefixes === undefined ? {} : { maxPrefixes: options.maxPrefixes }),
    ...(options.extendedNextHop === undefined ? {} : { extendedNextHop: options.extendedNextHop }),
  });
  await router.start();
  const announcer = new BgpSpeaker({
    asn: announcerAsn,
    routerId: "198.51.100.2",
    holdTime: 9,
    connectRetry: 1,
  });
  announcer.addPeer({
    address: routerAddress,
    asn: routerAsn,
    port: router.listenPort!,
    localAddress: announcerAddress,
    nextHop: { ipv6: "2001:db8:100::2" },
    ...(options.extendedNextHop === undefined ? {} : { extendedNextHop: options.extendedNextHop }),
  });
  cleanups.push(async () => {
    await announcer.close();
    await router.close();
  });
  const events: RouteEvent[] = [];
  router.on("route", (e) => events.push(e));
  return { router, announcer, events, routerAddress, announcerAddress };
}

function held(
  router: BgpSpeaker,
): Map<string, { nextHop: string | undefined; med?: number; communities?: readonly string[] }> {
  return new Map(
    router.adjRibIn().map((r) => [
      r.prefix,
      {
        nextHop: r.nextHop,
        ...(r.attributes.med === undefined ? {} : { med: r.attributes.med }),
        ...(r.attributes.communities === undefined ? {} : { communities: r.attributes.communities }),
      },
    ]),
  );
}

describe("BgpSpeaker between two real sessions on loopback", () => {
  it("announces IPv4 and IPv6 routes with their attributes and withdraws them", async () => {
    const { router, announcer, announcerAddress } = await pair();
    announcer.announce("203.0.113.0/24", {
      med: 10,
      communities: ["65001:100"],
      largeCommunities: ["65001:1:2"],
    });
    announcer.announce("2001:db8:100::/48", { med: 20 });
    await announcer.start();
    await waitFor("both routes", () => router.adjRibIn().length === 2);
    const routes = router.adjRibIn();
    const v4 = routes.find((r) => r.prefix === "203.0.113.0/24")!;
    expect(v4.family).toBe("ipv4-unicast");
    expect(v4.nextHop).toBe(announcerAddress);
    expect(v4.attributes.med).toBe(10);
    expect(v4.attributes.communities).toEqual(["65001:100"]);
    expect(v4.attributes.largeCommunities).toEqual(["65001:1:2"]);
    expect(v4.attributes.asPath).toEqual([{ type: "sequence", asns: [65001] }]);
    expect(v4.attributes.localPref).toBeUndefined(); // eBGP: no LOCAL_PREF
    const v6 = routes.find((r) => r.prefix === "2001:db8:100::/48")!;
    expect(v6.family).toBe("ipv6-unicast");
    expect(v6.nextHop).toBe("2001:db8:100::2");

    announcer.withdraw("203.0.113.0/24");
    await waitFor("withdraw", () => router.adjRibIn().length === 1);
    expect(router.adjRibIn().map((r) => r.prefix)).toEqual(["2001:db8:100::/48"]);
  });

  it("replaces attributes, coalesces bursts, and sends End-of-RIB for each family", async () => {
    const { router, announcer, events } = await pair();
    const eor: string[] = [];
    router.on("end-of-rib", (e) => eor.push(e.family));
    await announcer.start();
    await waitFor("End-of-RIB for both families", () => eor.length === 2);
    expect(eor.sort()).toEqual(["ipv4-unicast", "ipv6-unicast"]);
    // A burst: only the last state of each prefix reaches the wire.
    for (let i = 0; i < 50; i++) announcer.announce("198.51.100.0/24", { med: i });
    announcer.announce("198.51.100.128/25");
    announcer.withdraw("198.51.100.128/25");
    await waitFor("the burst", () => held(router).get("198.51.100.0/24")?.med === 49);
    await new Promise((r) => setTimeout(r, 100));
    const announces = events.filter((e) => e.type === "announce");
    expect(announces.map((e) => e.prefix)).toEqual(["198.51.100.0/24"]);
    expect(announces[0].attributes?.med).toBe(49);
    // Withdrawing what was never sent sends nothing.
    expect(events.filter((e) => e.type === "withdraw")).toEqual([]);
  });

  it("replays the Adj-RIB-Out after the session is reset", async () => {
    const { router, announcer, announcerAddress } = await pair();
    for (let i = 0; i < 1000; i++) announcer.announce(`10.${i >> 8}.${i & 255}.0/24`, { med: 5 });
    await announcer.start();
    await waitFor("1000 routes", () => router.adjRibIn().length === 1000);
    // Drop the session from the router's side; the announcer reconnects by itself.
    await router.removePeer(announcerAddress);
    router.addPeer({ address: announcerAddress, asn: 65001, passive: true });
    await waitFor("1000 routes after reconnect", () => router.adjRibIn().length === 1000, 15_000);
    const status = announcer.peerStatus()[0];
    expect(status.state).toBe("Established");
    expect(status.prefixesOut).toBe(1000);
    expect(status.establishedTransitions).toBeGreaterThanOrEqual(2);
  });

  it("packs routes with identical attributes into few UPDATEs", async () => {
    const { router, announcer } = await pair();
    for (let i = 0; i < 4000; i++) announcer.announce(`10.${i >> 8}.${i & 255}.0/24`);
    await announcer.start();
    await waitFor("4000 routes", () => router.adjRibIn().length === 4000);
    const updates = router.peerStatus()[0].updatesIn;
    // A 4096-octet UPDATE holds about a thousand /24s (4 octets each): 4000 routes need 4–5, plus 2 End-of-RIB.
    expect(updates).toBeLessThanOrEqual(8);
  });

  it("sends LOCAL_PREF only on iBGP and prepends our AS only on eBGP", async () => {
    const { router, announcer } = await pair({ routerAsn: 65001, announcerAsn: 65001 });
    announcer.announce("203.0.113.0/24", { localPref: 200, asPathPrepend: 1 });
    await announcer.start();
    await waitFor("route", () => router.adjRibIn().length === 1);
    const route = router.adjRibIn()[0];
    expect(route.attributes.localPref).toBe(200);
    expect(route.attributes.asPath).toEqual([{ type: "sequence", asns: [65001] }]);
  });

  it("drain() re-announces with GRACEFUL_SHUTDOWN and undrain() takes it back", async () => {
    const { router, announcer } = await pair();
    announcer.announce("203.0.113.0/24", { communities: ["65001:7"] });
    await announcer.start();
    await waitFor("route", () => router.adjRibIn().length === 1);
    announcer.drain();
    await waitFor("g-shut", () => held(router).get("203.0.113.0/24")?.communities?.includes("65535:0"));
    expect(held(router).get("203.0.113.0/24")?.communities).toEqual(["65001:7", "65535:0"]);
    announcer.undrain("203.0.113.0/24");
    await waitFor("no g-shut", () => held(router).get("203.0.113.0/24")?.communities?.length === 1);
  });

  it("ends the session with Cease/1 when the peer sends more than maxPrefixes", async () => {
    const { router, announcer } = await pair({ maxPrefixes: 5 });
    const downs: { code?: number; subcode?: number; kind: string }[] = [];
    announcer.on("down", (e) => downs.push(e.reason));
    for (let i = 0; i < 10; i++) announcer.announce(`10.0.${i}.0/24`);
    await announcer.start();
    await waitFor("the announcer to see Cease", () => downs.find((d) => d.kind === "notification-received"));
    const cease = downs.find((d) => d.kind === "notification-received")!;
    expect([cease.code, cease.subcode]).toEqual([6, 1]);
    expect(router.peerStatus()[0].lastError?.kind).toBe("notification-sent");
  });

  it("sends an IPv4 route with an IPv6 next hop in MP_REACH_NLRI when RFC 8950 is negotiated", async () => {
    const { router, announcer } = await pair({ extendedNextHop: true });
    announcer.announce("203.0.113.0/24", { nextHop: "2001:db8:100::2" });
    announcer.announce("198.51.100.0/24");
    await announcer.start();
    await waitFor("both routes", () => router.adjRibIn().length === 2);
    const byPrefix = held(router);
    expect(byPrefix.get("203.0.113.0/24")?.nextHop).toBe("2001:db8:100::2");
    expect(byPrefix.get("198.51.100.0/24")?.nextHop).toMatch(/^127\./);
    expect(router.adjRibIn().every((r) => r.family === "ipv4-unicast")).toBe(true);
  });

  it("answers a route refresh from the Adj-RIB-Out, inside BoRR/EoRR", async () => {
    const { router, announcer, events } = await pair();
    announcer.announce("203.0.113.0/24", { med: 3 });
    announcer.announce("2001:db8:100::/48");
    await announcer.start();
    await waitFor("both routes", () => router.adjRibIn().length === 2);
    const before = router.peerStatus()[0].updatesIn;
    events.length = 0;
    router.refresh({ family: "ipv4-unicast" });
    await waitFor("the IPv4 route again", () => events.some((e) => e.prefix === "203.0.113.0/24"));
    // Only the family asked for comes again.
    await new Promise((r) => setTimeout(r, 100));
    expect(events.map((e) => [e.type, e.prefix, e.attributes?.med])).toEqual([
      ["announce", "203.0.113.0/24", 3],
    ]);
    expect(router.peerStatus()[0].updatesIn).toBe(before + 1);
    expect(router.adjRibIn().length).toBe(2);
  });

  it("offers its events as an async iterator", async () => {
    const { router, announcer } = await pair();
    const controller = new AbortController();
    const seen: string[] = [];
    const reader = (async () => {
      for await (const item of router.events(controller.signal)) {
        if (item.type === "route") seen.push(`${item.event.type} ${item.event.prefix}`);
        if (seen.length === 2) controller.abort();
      }
    })();
    announcer.announce("203.0.113.0/24");
    await announcer.start();
    await waitFor("route", () => seen.length === 1);
    announcer.withdraw("203.0.113.0/24");
    await reader;
    expect(seen).toEqual(["announce 203.0.113.0/24", "withdraw 203.0.113.0/24"]);
  });

  it("refuses routes whose AS_PATH holds our own AS (RFC 4271 §9.1.2), and withdraws what they replace", async () => {
    const router = new BgpSpeaker({
      asn: 65000,
      routerId: "198.51.100.1",
      listen: { host: "127.0.0.90", port: 0 },
    });
    router.addPeer({ address: "127.0.0.91", asn: 65001, passive: true });
    await router.start();
    // A raw session plays a peer that sends what a speaker's API would never build: a path through us.
    const peer = new BgpSession({
      localAsn: 65001,
      routerId: "198.51.100.91",
      peerAddress: "127.0.0.90",
      peerAsn: 65000,
      peerPort: router.listenPort!,
      localAddress: "127.0.0.91",
      connectRetry: 1,
    });
    cleanups.push(async () => {
      await peer.stop();
      await router.close();
    });
    const established = new Promise<void>((resolve) => peer.once("established", () => resolve()));
    peer.start();
    await established;
    const announce = (prefix: string, asns: number[]) =>
      peer.send({
        type: "update",
        withdrawnRoutes: [],
        attributes: { origin: "igp", asPath: [{ type: "sequence", asns }], nextHop: "127.0.0.91" },
        nlri: [{ prefix }],
      });
    announce("10.0.0.0/24", [65001]);
    announce("10.0.1.0/24", [65001, 65000, 64999]);
    await waitFor("the clean route", () => router.adjRibIn().length === 1);
    announce("10.0.0.0/24", [65001, 65000]); // a looped replacement withdraws the clean one
    await waitFor("the withdrawal", () => router.adjRibIn().length === 0);
    expect(router.peerStatus()[0].asLoopsRejected).toBe(2);
  });

  it("rejects invalid input at the call", () => {
    const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2" });
    speaker.addPeer({ address: "127.0.0.2", asn: 65000 });
    expect(() => speaker.announce("203.0.113.1/24")).toThrow(/host bits/);
    expect(() => speaker.announce("203.0.113.0/33")).toThrow(TypeError);
    expect(() => speaker.announce("not a prefix")).toThrow(TypeError);
    expect(() => speaker.announce("203.0.113.0/24", { nextHop: "300.1.1.1" })).toThrow(/nextHop/);
    expect(() => speaker.announce("203.0.113.0/24", { communities: ["65536:1"] })).toThrow(/community/);
    expect(() => speaker.announce("203.0.113.0/24", { largeCommunities: ["1:2"] })).toThrow(
      /large community/,
    );
    expect(() => speaker.announce("203.0.113.0/24", { med: -1 })).toThrow(/med/);
    // An IPv6 route over an IPv4 session with no IPv6 next hop to give.
    expect(() => speaker.announce("2001:db8:100::/48")).toThrow(/IPv6 next hop/);
    expect(() => speaker.announce("2001:db8:100::/48", { nextHop: "198.51.100.2" })).toThrow(/IPv6 next hop/);
    expect(() => speaker.announce("203.0.113.0/24", { nextHop: "2001:db8::1" })).toThrow(/extendedNextHop/);
    expect(() => new BgpSpeaker({ asn: 0, routerId: "198.51.100.2" })).toThrow(/asn/);
    expect(() => new BgpSpeaker({ asn: 1, routerId: "0.0.0.0" })).toThrow(/routerId/);
    expect(() => new BgpSpeaker({ asn: 1, routerId: "198.51.100.2", holdTime: 2 })).toThrow(/holdTime/);
    // Canonical forms come back from the slow path.
    speaker.announce("2001:DB8:100:0::/48", { nextHop: "2001:db8::1" });
    expect(speaker.announcements().map((a) => a.prefix)).toEqual(["2001:db8:100::/48"]);
  });
});
