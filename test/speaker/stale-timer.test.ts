import { describe, expect, it } from "vitest";
import type { DownReason } from "../../src/fsm/types.js";
import { AdjRibIn, type RibInChange } from "../../src/speaker/adj-rib-in.js";
import { StaleRouteTimer } from "../../src/speaker/stale-timer.js";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import type { UpdateMessage } from "../../src/wire/types.js";
import { FakeClock } from "../session/helpers.js";

/** The graceful-restart stale timer (src/speaker/stale-timer.ts), RFC 4724 §4.2, on a fake clock. */

/** An UPDATE as it comes off the wire: encoded, then decoded again. */
function received(update: UpdateMessage): UpdateMessage {
  return decodeMessage(encodeMessage(update, { fourOctetAs: true }), { fourOctetAs: true }) as UpdateMessage;
}

const V4 = received({
  type: "update",
  withdrawnRoutes: [],
  attributes: { origin: "igp", asPath: [{ type: "sequence", asns: [65002] }], nextHop: "198.51.100.2" },
  nlri: [{ prefix: "10.0.0.0/24" }, { prefix: "10.0.1.0/24" }],
});
const V6 = received({
  type: "update",
  withdrawnRoutes: [],
  attributes: {
    origin: "igp",
    asPath: [{ type: "sequence", asns: [65002] }],
    mpReach: {
      family: "ipv6-unicast",
      afi: 2,
      safi: 1,
      nextHop: "2001:db8::2",
      nlri: [{ prefix: "2001:db8:1::/48" }],
    },
  },
  nlri: [],
});
const V4_AGAIN = received({ ...V4, nlri: [{ prefix: "10.0.0.0/24" }] });

const GR_DOWN: DownReason = {
  kind: "tcp-closed",
  message: "closed",
  fromState: "Established",
  gracefulRestart: { restartTimeSec: 120 },
};
const PLAIN_DOWN: DownReason = { kind: "tcp-closed", message: "closed", fromState: "Established" };
const LISTED = {
  gracefulRestart: {
    restartTimeSec: 120,
    restarting: false,
    families: [
      { family: "ipv4-unicast" as const, forwardingPreserved: true },
      { family: "ipv6-unicast" as const, forwardingPreserved: true },
    ],
  },
};

function setup() {
  const clock = new FakeClock();
  const ribIn = new AdjRibIn();
  ribIn.apply(V4);
  ribIn.apply(V6);
  const reported: string[] = [];
  const report = (changes: readonly RibInChange[]) => {
    for (const c of changes) reported.push(`${c.type} ${c.type === "announce" ? c.route.prefix : c.prefix}`);
  };
  const timer = new StaleRouteTimer({ routes: ribIn, clock, report, label: "r1" });
  return { clock, ribIn, reported, timer };
}

describe("StaleRouteTimer", () => {
  it("keeps the routes of a restarting peer stale for its restart time, then drops them", () => {
    const { clock, ribIn, reported, timer } = setup();
    expect(timer.sessionDown(LISTED, GR_DOWN)).toBe(true);
    expect(ribIn.staleCount).toBe(3);
    expect(clock.pending()).toEqual([120_000]);
    clock.advance(119_999);
    expect(ribIn.size).toBe(3);
    clock.advance(1);
    expect(ribIn.size).toBe(0);
    expect(reported.sort()).toEqual([
      "withdraw 10.0.0.0/24",
      "withdraw 10.0.1.0/24",
      "withdraw 2001:db8:1::/48",
    ]);
    expect(timer.running).toBe(false);
  });

  it("keeps nothing when the peer did not list graceful restart or went down without it", () => {
    const { clock, ribIn, timer } = setup();
    expect(timer.sessionDown({ gracefulRestart: null }, GR_DOWN)).toBe(false);
    expect(timer.sessionDown(LISTED, PLAIN_DOWN)).toBe(false);
    expect(ribIn.staleCount).toBe(0);
    expect(clock.pending()).toEqual([]);
  });

  it("on the new session drops families not preserved, and sweeps the rest at each End-of-RIB", () => {
    const { clock, ribIn, reported, timer } = setup();
    timer.sessionDown(LISTED, GR_DOWN);
    // Back, with IPv6 listed without the Forwarding State bit: its stale routes go at once.
    timer.sessionUp({
      gracefulRestart: {
        restartTimeSec: 90,
        restarting: true,
        families: [
          { family: "ipv4-unicast", forwardingPreserved: true },
          { family: "ipv6-unicast", forwardingPreserved: false },
        ],
      },
    });
    expect(reported).toEqual(["withdraw 2001:db8:1::/48"]);
    expect(clock.pending()).toEqual([90_000]);
    // 10.0.0.0/24 is announced again, 10.0.1.0/24 is not: End-of-RIB ends the wait for it.
    ribIn.apply(V4_AGAIN);
    expect(ribIn.staleCount).toBe(1);
    timer.endOfRib("ipv4-unicast");
    expect(reported).toEqual(["withdraw 2001:db8:1::/48", "withdraw 10.0.1.0/24"]);
    expect(ribIn.size).toBe(1);
    expect(clock.pending()).toEqual([]);
  });

  it("waits at least a second for the End-of-RIB of a peer that says its restart takes 0 s", () => {
    const { clock, ribIn, timer } = setup();
    timer.sessionDown(LISTED, GR_DOWN);
    timer.sessionUp({ gracefulRestart: { ...LISTED.gracefulRestart, restartTimeSec: 0 } });
    expect(clock.pending()).toEqual([1000]);
    clock.advance(1000);
    expect(ribIn.size).toBe(0);
  });

  it("stop() clears the timer and keeps the routes as they are", () => {
    const { clock, ribIn, timer } = setup();
    timer.sessionDown(LISTED, GR_DOWN);
    timer.stop();
    expect(clock.pending()).toEqual([]);
    expect(ribIn.staleCount).toBe(3);
  });
});
