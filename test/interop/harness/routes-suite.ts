import { afterAll, beforeAll, expect, it } from "vitest";
import { BgpSpeaker, type RibEntry, type RouteEvent } from "../../../src/index.js";
import { describeWithDaemon } from "./availability.js";
import { DEFAULT_NEXT_HOP } from "./base.js";
import { createDaemon } from "./index.js";
import { waitFor } from "./process.js";
import type { DaemonKind, DaemonRoute, InteropDaemon, IpFamily, OriginatedRoute } from "./types.js";

export interface RoutesSuiteOptions {
  readonly kind: DaemonKind;
  /** This file's own 127.0.<net>.0/24 and ports 20000 + 10 × net …: files run concurrently. */
  readonly net: number;
}

const OUR_ASN = 65001;
const THEIR_ASN = 65000;
/** Next hops we send: FRR and GoBGP refuse 127/8 (and FRR ::1), so documentation addresses. */
const PEER_NEXT_HOP = { ipv4: "203.0.113.1", ipv6: "2001:db8:113::1" } as const;

/** What both sides are compared on, whoever shows it. */
interface Comparable {
  prefix: string;
  nextHop: string;
  med: number | undefined;
  communities: string[];
  largeCommunities: string[];
  asPath: number[];
}

const byPrefix = (a: Comparable, b: Comparable) => a.prefix.localeCompare(b.prefix);

const fromDaemon = (r: DaemonRoute): Comparable => ({
  prefix: r.prefix,
  nextHop: r.nextHop,
  med: r.med,
  communities: [...r.communities].sort(),
  largeCommunities: [...r.largeCommunities].sort(),
  asPath: [...r.asPath],
});

const fromRib = (r: RibEntry): Comparable => ({
  prefix: r.prefix,
  nextHop: r.nextHop ?? "",
  med: r.attributes.med,
  communities: [...(r.attributes.communities ?? [])].sort(),
  largeCommunities: [...(r.attributes.largeCommunities ?? [])].sort(),
  asPath: (r.attributes.asPath ?? []).flatMap((s) => s.asns),
});

interface Ours {
  prefix: string;
  family: IpFamily;
  nextHop?: string;
  med: number;
  communities: string[];
  largeCommunities: string[];
  asPathPrepend: number;
}

/** 10 IPv4 and 10 IPv6 prefixes: some with their own next hop, some with AS_PATH prepends. */
function ourRoutes(net: number): Ours[] {
  const routes: Ours[] = [];
  for (let i = 0; i < 10; i++) {
    const common = {
      med: 100 + i,
      communities: [`${OUR_ASN}:${i}`, `${OUR_ASN}:1000`],
      largeCommunities: [`${OUR_ASN}:${i}:1`],
      asPathPrepend: i % 4 === 3 ? 2 : 0,
    };
    routes.push({
      prefix: `10.${net}.${i + 1}.0/24`,
      family: "ipv4",
      ...(i % 2 === 0 ? { nextHop: `203.0.113.${10 + i}` } : {}),
      ...common,
    });
    routes.push({
      prefix: `2001:db8:${net}:${(i + 1).toString(16)}::/64`,
      family: "ipv6",
      ...(i % 2 === 0 ? { nextHop: `2001:db8:113::${(10 + i).toString(16)}` } : {}),
      ...common,
    });
  }
  return routes;
}

const expectedOnDaemon = (r: Ours): Comparable => ({
  prefix: r.prefix,
  nextHop: r.nextHop ?? PEER_NEXT_HOP[r.family],
  med: r.med,
  communities: [...r.communities].sort(),
  largeCommunities: [...r.largeCommunities].sort(),
  asPath: Array(1 + r.asPathPrepend).fill(OUR_ASN),
});

/** Routes the daemon originates towards us. */
function theirRoutes(net: number): OriginatedRoute[] {
  return [1, 2, 3].flatMap((i) => [
    { prefix: `10.${100 + net}.${i}.0/24`, med: 10 * i, communities: [`${THEIR_ASN}:${i}`] },
    // Each with a MED: FRR puts MED 0 on a `network` route that has none.
    { prefix: `2001:db8:${100 + net}:${i}::/64`, med: i, largeCommunities: [`${THEIR_ASN}:${i}:7`] },
  ]);
}

const expectedFromDaemon = (r: OriginatedRoute): Comparable => ({
  prefix: r.prefix,
  nextHop: r.prefix.includes(":") ? DEFAULT_NEXT_HOP.ipv6 : DEFAULT_NEXT_HOP.ipv4,
  med: r.med,
  communities: [...(r.communities ?? [])].sort(),
  largeCommunities: [...(r.largeCommunities ?? [])].sort(),
  asPath: [THEIR_ASN],
});

/**
 * Route exchange with a real daemon through `BgpSpeaker`: our announcements and withdrawals as the
 * daemon's own CLI shows them, the daemon's routes in our Adj-RIB-In and events, and our routes back
 * on the daemon after it restarts with no call from the user.
 */
export function routesSuite(o: RoutesSuiteOptions): void {
  describeWithDaemon(o.kind, `BgpSpeaker route exchange with ${o.kind}`, () => {
    const ours = `127.0.${o.net}.1`;
    const theirs = `127.0.${o.net}.2`;
    const daemonPort = 20_000 + o.net * 10;
    const routes = ourRoutes(o.net);
    const withdrawn = new Set(
      ["ipv4", "ipv6"].flatMap((f) =>
        routes
          .filter((r) => r.family === f)
          .slice(0, 5)
          .map((r) => r.prefix),
      ),
    );
    let originated = theirRoutes(o.net);
    let daemon: InteropDaemon;
    let speaker: BgpSpeaker;
    const events: RouteEvent[] = [];
    let establishedCount = 0;

    beforeAll(async () => {
      daemon = createDaemon(o.kind, {
        asn: THEIR_ASN,
        routerId: `10.0.${o.net}.2`,
        address: theirs,
        port: daemonPort,
        neighbor: { address: ours, asn: OUR_ASN, port: daemonPort + 1, passive: true },
        routes: originated,
      });
      await daemon.start();
      speaker = new BgpSpeaker({ asn: OUR_ASN, routerId: `10.0.${o.net}.1`, holdTime: 9, connectRetry: 1 });
      speaker.on("route", (e) => events.push(e));
      speaker.on("established", () => establishedCount++);

      speaker.addPeer({
        address: theirs,
        asn: THEIR_ASN,
        port: daemonPort,
        localAddress: ours,
        families: ["ipv4-unicast", "ipv6-unicast"],
        nextHop: PEER_NEXT_HOP,
      });
      await speaker.start();
      await waitFor("the session Established", () => (establishedCount > 0 ? true : undefined), 20_000);
      // Changes made while FRR 8.4 is still sending its initial table can be lost (a withdrawal then
      // never reaches the peer), so start once the daemon's whole table is here. (GoBGP sends no
      // End-of-RIB without graceful restart, so its routes are what we wait for.)
      await waitFor(
        "the daemon's initial routes",
        () => (speaker.adjRibIn(theirs).length === originated.length ? true : undefined),
        15_000,
      );
    });

    afterAll(async () => {
      await speaker?.close().catch(() => undefined);
      await daemon?.cleanup();
    });

    /** Wait until the daemon's CLI shows exactly `expected` in both families; returns what it shows. */
    const daemonShows = (what: string, expected: Comparable[]) =>
      waitFor(
        `${o.kind} to show ${what}`,
        async () => {
          const got = [...(await daemon.routes("ipv4")), ...(await daemon.routes("ipv6"))]
            .map(fromDaemon)
            .sort(byPrefix);
          try {
            expect(got).toEqual([...expected].sort(byPrefix));
          } catch (err) {
            throw new Error(`it shows ${got.length} routes: ${JSON.stringify(got)}`, { cause: err });
          }
          return got;
        },
        15_000,
        200,
      );

    /**
     * The daemon's own routes only: a daemon that sends ours back (FRR does) sees them refused as
     * AS loops (RFC 4271 §9.1.2).
     */
    const fromTheDaemon = () => originated.map(expectedFromDaemon);

    const ribHolds = (what: string, expected: Comparable[]) =>
      waitFor(
        `our Adj-RIB-In to hold ${what}`,
        () => {
          const got = speaker.adjRibIn(theirs).map(fromRib).sort(byPrefix);
          try {
            expect(got).toEqual([...expected].sort(byPrefix));
          } catch (err) {
            throw new Error(`it holds ${got.length} routes: ${JSON.stringify(got)}`, { cause: err });
          }
          return got;
        },
        15_000,
      );

    it("the daemon shows our 10 IPv4 + 10 IPv6 announcements with their attributes and next hops", async () => {
      for (const r of routes) {
        speaker.announce(r.prefix, {
          ...(r.nextHop === undefined ? {} : { nextHop: r.nextHop }),
          med: r.med,
          communities: r.communities,
          largeCommunities: r.largeCommunities,
          asPathPrepend: r.asPathPrepend,
        });
      }
      const shown = await daemonShows("our 20 routes", routes.map(expectedOnDaemon));
      expect(shown.filter((r) => r.prefix.includes(":"))).toHaveLength(10);
    });

    it("after we withdraw 5 of each family the daemon shows exactly the other 10", async () => {
      for (const prefix of withdrawn) speaker.withdraw(prefix);
      await daemonShows(
        "the 10 routes left",
        routes.filter((r) => !withdrawn.has(r.prefix)).map(expectedOnDaemon),
      );
    });

    it("our Adj-RIB-In and route events hold exactly what the daemon announces", async () => {
      await ribHolds("the daemon's 6 routes", fromTheDaemon());
      // The event stream, replayed, says the same as the Adj-RIB-In.
      const replayed = new Map<string, RouteEvent>();
      for (const e of events) {
        if (e.type === "announce") replayed.set(e.prefix, e);
        else replayed.delete(e.prefix);
      }
      expect([...replayed.keys()].sort()).toEqual(
        fromTheDaemon()
          .map((r) => r.prefix)
          .sort(),
      );

      // The daemon changes its mind: one route goes, one comes, one changes MED.
      const [gone, ...kept] = originated;
      const changed = { ...kept[1], med: 4242 };
      originated = [kept[0], changed, ...kept.slice(2), { prefix: `10.${100 + o.net}.9.0/24`, med: 9 }];
      await daemon.originate(originated);
      await ribHolds("the daemon's new set", fromTheDaemon());
      expect(events.some((e) => e.type === "withdraw" && e.prefix === gone.prefix)).toBe(true);
    });

    it("after the daemon restarts, our routes are back on it and its routes back in our Adj-RIB-In", async () => {
      const before = establishedCount;
      await daemon.restart();
      await waitFor(
        "the session re-Established",
        () => (establishedCount > before ? true : undefined),
        25_000,
      );
      await daemonShows(
        "our 10 routes again",
        routes.filter((r) => !withdrawn.has(r.prefix)).map(expectedOnDaemon),
      );
      await ribHolds("the daemon's routes again", fromTheDaemon());
    }, 40_000);
  });
}
