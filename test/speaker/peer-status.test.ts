import { describe, expect, it } from "vitest";
import { AdjRibIn } from "../../src/speaker/adj-rib-in.js";
import { AdjRibOut } from "../../src/speaker/adj-rib-out.js";
import { type PeerStatusSources, peerStatus } from "../../src/speaker/peer-status.js";
import { normalizeAttributes } from "../../src/speaker/route.js";

/** PeerStatus (src/speaker/peer-status.ts) read from a real Adj-RIB-In and Adj-RIB-Out. */

function sources(up: boolean): PeerStatusSources {
  const ribIn = new AdjRibIn();
  ribIn.apply({
    type: "update",
    withdrawnRoutes: [],
    attributes: { origin: "igp", asPath: [], nextHop: "198.51.100.2" },
    nlri: [{ prefix: "10.9.0.0/16" }, { prefix: "10.8.0.0/16" }],
  });
  const ribOut = new AdjRibOut();
  ribOut.resetSession();
  const attributes = normalizeAttributes(undefined);
  ribOut.set("10.0.0.0/24", { family: "ipv4-unicast", attributes });
  ribOut.set("2001:db8::/32", { family: "ipv6-unicast", attributes });
  ribOut.set("2001:db8:1::/48", { family: "ipv6-unicast", attributes });
  // Two of the three go out; the third waits.
  ribOut.takeChanges(2);
  if (!up) ribOut.sessionDown();
  return {
    name: "r1",
    address: "198.51.100.2",
    asn: 65002,
    state: up ? "Established" : "Active",
    stats: {
      messagesIn: 5,
      messagesOut: 7,
      updatesIn: 1,
      updatesOut: 2,
      establishedAtMs: 1_000,
      lastError: null,
      flaps: 0,
    },
    families: up ? ["ipv4-unicast", "ipv6-unicast"] : null,
    ribIn,
    ribOut,
    establishedTransitions: 1,
    asLoopsRejected: 3,
    refreshesFolded: 4,
    lastError: null,
    bfd: null,
  };
}

describe("peerStatus", () => {
  it("an Established peer: uptime, counters and what was sent per family", () => {
    expect(peerStatus(sources(true), 61_000)).toEqual({
      name: "r1",
      address: "198.51.100.2",
      asn: 65002,
      state: "Established",
      uptimeMs: 60_000,
      establishedTransitions: 1,
      messagesIn: 5,
      messagesOut: 7,
      updatesIn: 1,
      updatesOut: 2,
      prefixesIn: 2,
      prefixesStale: 0,
      prefixesOut: 2,
      prefixesOutByFamily: { "ipv4-unicast": 1, "ipv6-unicast": 1 },
      pendingChanges: 1,
      asLoopsRejected: 3,
      refreshesFolded: 4,
      families: ["ipv4-unicast", "ipv6-unicast"],
      lastError: null,
      bfd: null,
    });
  });

  it("a peer without a session: no uptime, nothing counted as sent, everything pending", () => {
    const status = peerStatus(sources(false), 61_000);
    expect(status.uptimeMs).toBeNull();
    expect(status.prefixesOut).toBe(0);
    expect(status.prefixesOutByFamily).toEqual({ "ipv4-unicast": 0, "ipv6-unicast": 0 });
    expect(status.pendingChanges).toBe(3);
    expect(status.families).toEqual([]);
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });
});
