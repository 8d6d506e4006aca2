import { describe, expect, it } from "vitest";
import {
  REFRESH_BURST,
  REFRESH_INTERVAL_MS,
  RefreshLimiter,
  refreshMessage,
  refreshRequests,
  requestedFamily,
} from "../../src/speaker/refresh.js";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import type { AddressFamily, RouteRefreshMessage } from "../../src/wire/types.js";
import { FakeClock } from "../session/helpers.js";

/** ROUTE-REFRESH in and out (src/speaker/refresh.ts): the messages, and the rate limit on a fake clock. */

const BOTH: AddressFamily[] = ["ipv4-unicast", "ipv6-unicast"];

function limiter(underWay = new Set<AddressFamily>()) {
  const clock = new FakeClock();
  clock.advance(1_000_000); // a clock that does not start at 0, as Date.now does not
  const started: [number, AddressFamily][] = [];
  const limit = new RefreshLimiter({
    clock,
    label: "r1",
    isUnderWay: (family) => underWay.has(family),
    start: (family) => started.push([clock.now() - 1_000_000, family]),
  });
  return { clock, started, limit, underWay };
}

describe("ROUTE-REFRESH messages", () => {
  it("reads the family a request asks for off the wire, and ignores BoRR, EoRR and other families", () => {
    // RFC 2918 §3: AFI 2 (IPv6), reserved 0, SAFI 1 (unicast); RFC 7313 puts the subtype in the reserved octet.
    const request = decodeMessage(
      Buffer.from("ffffffffffffffffffffffffffffffff 0017 05 0002 00 01".replace(/ /g, ""), "hex"),
    );
    const session = { families: BOTH, routeRefresh: true };
    expect(requestedFamily(request as RouteRefreshMessage, session)).toBe("ipv6-unicast");
    expect(requestedFamily(refreshMessage("ipv4-unicast", 1), session)).toBeNull(); // BoRR
    expect(requestedFamily(refreshMessage("ipv4-unicast", 2), session)).toBeNull(); // EoRR
    expect(
      requestedFamily(request as RouteRefreshMessage, { families: ["ipv4-unicast"], routeRefresh: true }),
    ).toBeNull();
    expect(requestedFamily({ type: "route-refresh", afi: 1, safi: 128, subtype: 0 }, session)).toBeNull();
    expect(requestedFamily(request as RouteRefreshMessage, null)).toBeNull();
  });

  it("asks for the families the session carries, and nothing without the capability", () => {
    const session = { families: BOTH, routeRefresh: true };
    const all = refreshRequests(session);
    expect(all?.map((m) => Buffer.from(encodeMessage(m)).toString("hex").slice(32))).toEqual([
      "0017" + "05" + "0001" + "00" + "01",
      "0017" + "05" + "0002" + "00" + "01",
    ]);
    expect(refreshRequests(session, "ipv6-unicast")).toEqual([
      { type: "route-refresh", afi: 2, safi: 1, subtype: 0 },
    ]);
    expect(refreshRequests({ families: ["ipv4-unicast"], routeRefresh: true }, "ipv6-unicast")).toEqual([]);
    expect(refreshRequests({ families: BOTH, routeRefresh: false })).toBeNull();
    expect(refreshRequests(null)).toBeNull();
  });
});

describe("RefreshLimiter", () => {
  it("lets a burst through at once, then one per interval", () => {
    const { clock, started, limit } = limiter();
    for (let i = 0; i < REFRESH_BURST; i++) limit.request("ipv4-unicast");
    expect(started).toEqual(new Array(REFRESH_BURST).fill([0, "ipv4-unicast"]));
    limit.request("ipv4-unicast");
    expect(started).toHaveLength(REFRESH_BURST);
    expect(limit.deferred).toEqual(["ipv4-unicast"]);
    expect(clock.pending()).toEqual([REFRESH_INTERVAL_MS]);
    clock.advance(REFRESH_INTERVAL_MS - 1);
    expect(started).toHaveLength(REFRESH_BURST);
    clock.advance(1);
    expect(started.at(-1)).toEqual([REFRESH_INTERVAL_MS, "ipv4-unicast"]);
    expect(limit.deferred).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });

  it("folds requests into one owed per family, and into one under way", () => {
    const underWay = new Set<AddressFamily>();
    const { clock, started, limit } = limiter(underWay);
    for (let i = 0; i < REFRESH_BURST; i++) limit.request("ipv4-unicast");
    for (let i = 0; i < 50; i++) limit.request("ipv4-unicast");
    limit.request("ipv6-unicast");
    limit.request("ipv6-unicast");
    // The first request over the burst is owed; the 49 after it and the second IPv6 one are folded.
    expect(limit.folded).toBe(50);
    expect(limit.deferred).toEqual(["ipv4-unicast", "ipv6-unicast"]);
    // One timer serves both; when it fires one token is free: IPv4 goes, IPv6 waits again.
    expect(clock.pending()).toEqual([REFRESH_INTERVAL_MS]);
    clock.advance(REFRESH_INTERVAL_MS);
    expect(started.slice(REFRESH_BURST)).toEqual([[REFRESH_INTERVAL_MS, "ipv4-unicast"]]);
    expect(limit.deferred).toEqual(["ipv6-unicast"]);
    clock.advance(REFRESH_INTERVAL_MS);
    expect(started.slice(REFRESH_BURST)).toEqual([
      [REFRESH_INTERVAL_MS, "ipv4-unicast"],
      [2 * REFRESH_INTERVAL_MS, "ipv6-unicast"],
    ]);
    // While a refresh of a family is being sent, a new request for it costs nothing.
    underWay.add("ipv4-unicast");
    limit.request("ipv4-unicast");
    expect(limit.folded).toBe(51);
    expect(started).toHaveLength(REFRESH_BURST + 2);
  });

  it("refills tokens with time, up to the burst", () => {
    const { clock, started, limit } = limiter();
    for (let i = 0; i < REFRESH_BURST; i++) limit.request("ipv4-unicast");
    clock.advance(10 * REFRESH_INTERVAL_MS);
    for (let i = 0; i < REFRESH_BURST + 1; i++) limit.request("ipv6-unicast");
    // The burst again, not ten: the fourth is owed.
    expect(started).toHaveLength(2 * REFRESH_BURST);
    expect(limit.deferred).toEqual(["ipv6-unicast"]);
    clock.advance(REFRESH_INTERVAL_MS / 2);
    limit.request("ipv4-unicast"); // half a token: owed too, and no second timer
    expect(clock.pending()).toEqual([REFRESH_INTERVAL_MS / 2]);
  });

  it("stop() forgets what is owed and clears its timer", () => {
    const { clock, started, limit } = limiter();
    for (let i = 0; i < REFRESH_BURST + 1; i++) limit.request("ipv4-unicast");
    limit.stop();
    expect(limit.deferred).toEqual([]);
    expect(clock.pending()).toEqual([]);
    clock.advance(10 * REFRESH_INTERVAL_MS);
    expect(started).toHaveLength(REFRESH_BURST);
  });
});
