import { describe, expect, it } from "vitest";
import { BgpListener, BgpSession, BgpSpeaker } from "../../src/index.js";
import type { MpReachUnicast } from "../../src/wire/types.js";
import { useCleanups, waitFor } from "../support/speakers.js";

/** Link-local addresses at addPeer, and the 32-octet next hop on the wire (over ::1). */

const cleanups = useCleanups();

describe("link-local peers", () => {
  it("a link-local address needs its zone; a zone needs a link-local address; the zone is kept", () => {
    const s = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2" });
    expect(() => s.addPeer({ address: "fe80::1", asn: 65000 })).toThrow(
      /link-local: add its interface as a zone/,
    );
    expect(() => s.addPeer({ address: "2001:db8::1%eth0", asn: 65000 })).toThrow(
      /zone goes only with a link-local/,
    );
    expect(() => s.addPeer({ address: "fe80::1%bad/zone", asn: 65000 })).toThrow(/not an interface name/);
    expect(() =>
      s.addPeer({ address: "fe80::1%eth0", asn: 65000, nextHop: { ipv6LinkLocal: "2001:db8::1" } }),
    ).toThrow(/ipv6LinkLocal/);
    s.addPeer({ address: "FE80::0:1%eth0", asn: 65000, localAddress: "fe80::2%eth0" });
    s.addPeer({ address: "fe80::1%eth1", asn: 65000 }); // the same address on another link: another peer
    expect(s.peerStatus().map((p) => p.address)).toEqual(["fe80::1%eth0", "fe80::1%eth1"]);
  });

  it("nextHop { ipv6, ipv6LinkLocal }: routes without their own next hop carry both (32 octets)", async () => {
    // The router is a bare session: its "update" events are the decoded UPDATEs, MP_REACH_NLRI whole.
    const listener = new BgpListener({ host: "::1", port: 0 });
    const { port } = await listener.listen();
    const router = new BgpSession({
      localAsn: 65000,
      routerId: "198.51.100.1",
      peerAddress: "::1",
      peerAsn: 65001,
      passive: true,
    });
    listener.addSession(router);
    const reaches: MpReachUnicast[] = [];
    router.on("update", (u) => {
      const r = u.attributes.mpReach;
      if (r !== undefined && r.family !== null) reaches.push(r);
    });
    router.start();
    const a = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", connectRetry: 1 });
    a.addPeer({
      address: "::1",
      asn: 65000,
      port,
      nextHop: { ipv6: "2001:db8:100::2", ipv6LinkLocal: "fe80::2" },
    });
    cleanups.push(async () => {
      await a.close();
      await router.stop();
      await listener.close();
    });
    a.announce("2001:db8:300::/48");
    a.announce("2001:db8:301::/48", { nextHop: "2001:db8:100::9" });
    await a.start();
    const own = await waitFor("the route", () =>
      reaches.find((r) => r.nlri.some((n) => n.prefix === "2001:db8:300::/48")),
    );
    expect(own).toMatchObject({ nextHop: "2001:db8:100::2", linkLocalNextHop: "fe80::2" });
    const third = await waitFor("the other route", () =>
      reaches.find((r) => r.nlri.some((n) => n.prefix === "2001:db8:301::/48")),
    );
    expect(third.nextHop).toBe("2001:db8:100::9");
    expect(third).not.toHaveProperty("linkLocalNextHop");
  });
});
