import { describe, expect, it } from "vitest";
import { initialSnapshot } from "../../src/fsm/machine.js";
import { negotiate, resolveCollision } from "../../src/fsm/negotiate.js";
import { buildOpen, validateOpen } from "../../src/fsm/open.js";
import { jitter } from "../../src/fsm/timers.js";
import type { FsmAction } from "../../src/fsm/types.js";
import { endOfRibFamily } from "../../src/wire/end-of-rib.js";
import { BgpError } from "../../src/wire/errors.js";
import type { OpenMessage } from "../../src/wire/types.js";
import { config, peerOpen, run } from "./helpers.js";

function openError(
  open: OpenMessage,
  cfg = config(),
): { code: number; subcode: number; data: number[] } | null {
  try {
    validateOpen(open, cfg);
    return null;
  } catch (error) {
    if (!(error instanceof BgpError)) throw error;
    return { code: error.code, subcode: error.subcode, data: [...error.data] };
  }
}

describe("OPEN validation", () => {
  it("accepts a correct OPEN", () => {
    expect(openError(peerOpen())).toBeNull();
  });

  it("hold time 1 and 2 -> 2/6; 0 and 3 are fine", () => {
    expect(openError(peerOpen({ holdTime: 1 }))).toEqual({ code: 2, subcode: 6, data: [] });
    expect(openError(peerOpen({ holdTime: 2 }))).toEqual({ code: 2, subcode: 6, data: [] });
    expect(openError(peerOpen({ holdTime: 0 }))).toBeNull();
    expect(openError(peerOpen({ holdTime: 3 }))).toBeNull();
  });

  it("version other than 4 -> 2/1 with our version as data", () => {
    expect(openError(peerOpen({ version: 3 }))).toEqual({ code: 2, subcode: 1, data: [0, 4] });
  });

  it("peer AS: unexpected, zero, and the RFC 6793 AS_TRANS rules -> 2/2", () => {
    const noCap = (myAsn: number) =>
      peerOpen({ myAsn, capabilities: [{ name: "multiprotocol", afi: 1, safi: 1 }] });
    expect(openError(noCap(65003))).toEqual({ code: 2, subcode: 2, data: [] });
    expect(openError(noCap(65002))).toBeNull(); // an OLD speaker (no capability) is fine
    expect(openError(noCap(0), config({ peerAsn: 0 }))).toEqual({ code: 2, subcode: 2, data: [] });
    const four = (myAsn: number, asn: number) =>
      peerOpen({ myAsn, capabilities: [{ name: "four-octet-as", asn }] });
    const cfg = config({ peerAsn: 4_200_000_000 });
    expect(openError(four(23456, 4_200_000_000), cfg)).toBeNull();
    expect(openError(four(65002, 4_200_000_000), cfg)).toEqual({ code: 2, subcode: 2, data: [] });
    expect(openError(four(65002, 65003))).toEqual({ code: 2, subcode: 2, data: [] }); // fields disagree
    // A peer with a 4-octet AS that does not send the capability shows up as AS_TRANS: wrong AS.
    expect(openError(peerOpen({ myAsn: 23456, capabilities: [] }), cfg)).toEqual({
      code: 2,
      subcode: 2,
      data: [],
    });
  });

  it("BGP identifier 0.0.0.0 -> 2/3; equal to ours only for iBGP", () => {
    expect(openError(peerOpen({ bgpIdentifier: "0.0.0.0" }))).toEqual({ code: 2, subcode: 3, data: [] });
    expect(openError(peerOpen({ bgpIdentifier: "10.0.0.1" }))).toBeNull(); // eBGP (RFC 6286)
    const ibgp = config({ peerAsn: 65001 });
    const open = peerOpen({ myAsn: 65001, bgpIdentifier: "10.0.0.1", capabilities: [] });
    expect(openError(open, ibgp)).toEqual({ code: 2, subcode: 3, data: [] });
  });

  it("a required family the peer lacks -> 2/7 with the capability TLV as data", () => {
    const cfg = config({ requiredFamilies: ["ipv6-unicast"] });
    const v4only = peerOpen({ capabilities: [{ name: "multiprotocol", afi: 1, safi: 1 }] });
    // code 1, length 4, AFI 2, reserved 0, SAFI 1
    expect(openError(v4only, cfg)).toEqual({ code: 2, subcode: 7, data: [1, 4, 0, 2, 0, 1] });
    expect(openError(peerOpen(), cfg)).toBeNull();
  });

  it("the FSM sends the OPEN error as a NOTIFICATION from OpenSent", () => {
    const r = run(initialSnapshot(config()), [
      { type: "ManualStart" },
      { type: "Tcp_CR_Acked" },
      { type: "BGPOpen", open: peerOpen({ holdTime: 1 }) },
    ]);
    const sent = r.actions
      .filter((a): a is FsmAction & { type: "send" } => a.type === "send")
      .map((a) => a.message);
    expect(sent.map((m) => m.type)).toEqual(["open", "notification"]);
    expect(sent[1]).toMatchObject({ code: 2, subcode: 6 });
    expect(r.state.state).toBe("Idle");
  });
});

describe("OPEN we send", () => {
  it("carries AS_TRANS for a 4-octet AS, and our capabilities", () => {
    const open = buildOpen(
      config({ localAsn: 4_200_000_001, addPath: [{ family: "ipv4-unicast", send: true, receive: false }] }),
    );
    expect(open.myAsn).toBe(23456);
    expect(open.capabilities).toEqual([
      { name: "multiprotocol", afi: 1, safi: 1 },
      { name: "multiprotocol", afi: 2, safi: 1 },
      { name: "route-refresh" },
      { name: "enhanced-route-refresh" },
      { name: "four-octet-as", asn: 4_200_000_001 },
      { name: "extended-message" },
      { name: "graceful-restart", restarting: false, notification: false, restartTimeSec: 120, families: [] },
      { name: "add-path", families: [{ afi: 1, safi: 1, sendReceive: "send" }] },
    ]);
  });
});

describe("capability negotiation", () => {
  it("intersects families and reports both codec contexts", () => {
    const cfg = config({
      addPath: [
        { family: "ipv4-unicast", send: true, receive: true },
        { family: "ipv6-unicast", send: true, receive: true },
      ],
    });
    const peer = peerOpen({ holdTime: 60 }, [
      { name: "extended-message" },
      { name: "add-path", families: [{ afi: 1, safi: 1, sendReceive: "receive" }] },
    ]);
    const n = negotiate(buildOpen(cfg), peer, cfg);
    expect(n.families).toEqual(["ipv4-unicast", "ipv6-unicast"]);
    expect(n.holdTime).toBe(60);
    expect(n.keepaliveTime).toBe(20);
    expect(n.routeRefresh).toBe(true);
    expect(n.enhancedRouteRefresh).toBe(false);
    expect(n.addPath).toEqual([{ family: "ipv4-unicast", send: true, receive: false }]);
    expect(n.sendContext).toEqual({ fourOctetAs: true, addPath: ["ipv4-unicast"], extendedMessage: true });
    expect(n.receiveContext).toEqual({ fourOctetAs: true, addPath: [], extendedMessage: true });
    expect(n.gracefulRestart).toBeNull();
  });

  it("an OPEN without Multiprotocol capabilities means IPv4 unicast; no 4-octet AS from an OLD speaker", () => {
    const cfg = config({ extendedMessage: false });
    const n = negotiate(buildOpen(cfg), peerOpen({ capabilities: [] }), cfg);
    expect(n.families).toEqual(["ipv4-unicast"]);
    expect(n.fourOctetAs).toBe(false);
    expect(n.sendContext).toEqual({ fourOctetAs: false, addPath: [], extendedMessage: false });
    expect(n.receiveContext.extendedMessage).toBe(false);
  });

  it("reports the peer's Graceful Restart capability", () => {
    const cfg = config();
    const peer = peerOpen({}, [
      {
        name: "graceful-restart",
        restarting: true,
        notification: false,
        restartTimeSec: 120,
        families: [{ afi: 2, safi: 1, forwardingPreserved: true }],
      },
    ]);
    expect(negotiate(buildOpen(cfg), peer, cfg).gracefulRestart).toEqual({
      restartTimeSec: 120,
      restarting: true,
      families: [{ family: "ipv6-unicast", forwardingPreserved: true }],
    });
  });
});

describe("helpers", () => {
  it("collision: keep the connection initiated by the higher BGP identifier", () => {
    const higher = { localBgpIdentifier: "10.0.0.9", remoteBgpIdentifier: "10.0.0.2" };
    expect(resolveCollision({ ...higher, existingInitiatedLocally: true })).toBe("close-new");
    expect(resolveCollision({ ...higher, existingInitiatedLocally: false })).toBe("close-existing");
    // Compared as unsigned 32-bit numbers, not strings: 9.x < 10.x.
    const lower = { localBgpIdentifier: "9.255.255.255", remoteBgpIdentifier: "10.0.0.0" };
    expect(resolveCollision({ ...lower, existingInitiatedLocally: true })).toBe("close-existing");
    expect(resolveCollision({ ...lower, existingInitiatedLocally: false })).toBe("close-new");
    const high = { localBgpIdentifier: "200.0.0.1", remoteBgpIdentifier: "10.0.0.1" };
    expect(resolveCollision({ ...high, existingInitiatedLocally: true })).toBe("close-new");
  });

  it("End-of-RIB markers (RFC 4724 §2)", () => {
    expect(endOfRibFamily({ type: "update", withdrawnRoutes: [], attributes: {}, nlri: [] })).toBe(
      "ipv4-unicast",
    );
    const v6 = {
      type: "update",
      withdrawnRoutes: [],
      nlri: [],
      attributes: { mpUnreach: { family: "ipv6-unicast", afi: 2, safi: 1, withdrawnRoutes: [] } },
    } as const;
    expect(endOfRibFamily(v6)).toBe("ipv6-unicast");
    expect(
      endOfRibFamily({
        type: "update",
        withdrawnRoutes: [],
        attributes: {},
        nlri: [{ prefix: "198.51.100.0/24" }],
      }),
    ).toBeNull();
  });

  it("jitter multiplies by a factor in [0.75, 1]", () => {
    expect(jitter(1000, () => 0)).toBe(750);
    expect(jitter(1000, () => 0.5)).toBe(875);
    expect(jitter(1000, () => 0.999999)).toBe(1000);
  });
});
