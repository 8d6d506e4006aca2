import { describe, expect, it } from "vitest";
import { BgpSpeaker } from "../../src/index.js";
import { chooseNextHop, type NextHopChoice, type NextHopQuestion } from "../../src/speaker/next-hop.js";

/** The one next-hop rule (src/speaker/next-hop.ts), over every family and kind of session. */

const V4_SESSION = { ipv6: false, localAddress: "198.51.100.1", extendedNextHop: false };
const V4_SESSION_ENH = { ...V4_SESSION, extendedNextHop: true };
const V6_SESSION = { ipv6: true, localAddress: "2001:db8::1", extendedNextHop: false };
const V6_SESSION_ENH = { ...V6_SESSION, extendedNextHop: true };
const LINK_LOCAL = { ipv6: true, localAddress: "fe80::1%eth0", extendedNextHop: false };
const LINK_LOCAL_GLOBAL = { ...LINK_LOCAL, interfaceGlobal: "2001:db8:100::1" };
/** Before the session is up: only the transport's family and what is configured are known. */
const V4_NOT_UP = { ipv6: false, extendedNextHop: false };
const V6_NOT_UP = { ipv6: true, extendedNextHop: false };

const ok = (nextHop: string | null, source: "explicit" | "configured" | "session"): NextHopChoice => ({
  ok: true,
  nextHop,
  source,
});
const refused = (refusal: string, nextHop?: string) => ({
  ok: false,
  refusal,
  ...(nextHop === undefined ? {} : { nextHop }),
});

const cases: [string, NextHopQuestion, unknown][] = [
  // Our own address, when it is of the route's family.
  [
    "IPv4 route, IPv4 session: ours",
    { family: "ipv4-unicast", transport: V4_SESSION },
    ok("198.51.100.1", "session"),
  ],
  [
    "IPv6 route, IPv6 session: ours",
    { family: "ipv6-unicast", transport: V6_SESSION },
    ok("2001:db8::1", "session"),
  ],
  [
    "IPv6 route, IPv4 session: none of ours fits",
    { family: "ipv6-unicast", transport: V4_SESSION },
    refused("no-next-hop-for-transport"),
  ],
  [
    "IPv4 route, IPv6 session: none of ours fits",
    { family: "ipv4-unicast", transport: V6_SESSION },
    refused("no-next-hop-for-transport"),
  ],
  [
    "IPv4 route, IPv6 session with RFC 8950: still none of ours (we do not offer a self IPv6 next hop)",
    { family: "ipv4-unicast", transport: V6_SESSION_ENH },
    refused("no-next-hop-for-transport"),
  ],
  // Link-local peering (RFC 2545 §3): a global address of the interface, else the link-local one.
  [
    "IPv6 route over link-local with a global address on the interface",
    { family: "ipv6-unicast", transport: LINK_LOCAL_GLOBAL },
    ok("2001:db8:100::1", "session"),
  ],
  [
    "IPv6 route over unnumbered link-local: the link-local address without its zone",
    { family: "ipv6-unicast", transport: LINK_LOCAL },
    ok("fe80::1", "session"),
  ],
  // The route's own next hop comes first, then the peer's configured one.
  [
    "explicit beats configured",
    {
      family: "ipv4-unicast",
      explicit: "203.0.113.9",
      configured: { ipv4: "203.0.113.1" },
      transport: V4_SESSION,
    },
    ok("203.0.113.9", "explicit"),
  ],
  [
    "configured beats ours",
    { family: "ipv4-unicast", configured: { ipv4: "203.0.113.1" }, transport: V4_SESSION },
    ok("203.0.113.1", "configured"),
  ],
  [
    "configured of the route's family only",
    { family: "ipv4-unicast", configured: { ipv6: "2001:db8::9" }, transport: V4_SESSION },
    ok("198.51.100.1", "session"),
  ],
  [
    "configured IPv6 rescues an IPv6 route over an IPv4 session",
    { family: "ipv6-unicast", configured: { ipv6: "2001:db8::9" }, transport: V4_SESSION },
    ok("2001:db8::9", "configured"),
  ],
  [
    "configured IPv4 rescues an IPv4 route over an IPv6 session",
    { family: "ipv4-unicast", configured: { ipv4: "203.0.113.1" }, transport: V6_SESSION },
    ok("203.0.113.1", "configured"),
  ],
  // Next hops of the wrong family.
  [
    "IPv6 route with an IPv4 next hop, any session",
    { family: "ipv6-unicast", explicit: "203.0.113.9", transport: V6_SESSION },
    refused("ipv4-next-hop-for-ipv6", "203.0.113.9"),
  ],
  [
    "IPv6 route with an IPv4 next hop, no session given",
    { family: "ipv6-unicast", explicit: "203.0.113.9" },
    refused("ipv4-next-hop-for-ipv6", "203.0.113.9"),
  ],
  [
    "IPv4 route with an IPv6 next hop without RFC 8950",
    { family: "ipv4-unicast", explicit: "2001:db8::9", transport: V6_SESSION },
    refused("needs-extended-next-hop", "2001:db8::9"),
  ],
  [
    "IPv4 route with an IPv6 next hop with RFC 8950 (over IPv6)",
    { family: "ipv4-unicast", explicit: "2001:db8::9", transport: V6_SESSION_ENH },
    ok("2001:db8::9", "explicit"),
  ],
  [
    "IPv4 route with an IPv6 next hop with RFC 8950 offered (over IPv4, before the session)",
    { family: "ipv4-unicast", explicit: "2001:db8::9", transport: { ...V4_NOT_UP, extendedNextHop: true } },
    ok("2001:db8::9", "explicit"),
  ],
  [
    "IPv4 route with an IPv6 next hop with RFC 8950 (over IPv4)",
    { family: "ipv4-unicast", explicit: "2001:db8::9", transport: V4_SESSION_ENH },
    ok("2001:db8::9", "explicit"),
  ],
  [
    "IPv4 route with an IPv6 next hop, no session given: it depends on the session",
    { family: "ipv4-unicast", explicit: "2001:db8::9" },
    ok("2001:db8::9", "explicit"),
  ],
  // Before the session is up: ours is not known yet, but whether it will fit is.
  ["IPv4 route, IPv4 session not up", { family: "ipv4-unicast", transport: V4_NOT_UP }, ok(null, "session")],
  ["IPv6 route, IPv6 session not up", { family: "ipv6-unicast", transport: V6_NOT_UP }, ok(null, "session")],
  [
    "IPv6 route, IPv4 session not up",
    { family: "ipv6-unicast", transport: V4_NOT_UP },
    refused("no-next-hop-for-transport"),
  ],
  ["no session given, no next hop", { family: "ipv6-unicast" }, ok(null, "session")],
];

describe("chooseNextHop", () => {
  it.each(cases)("%s", (_name, question, expected) => {
    expect(chooseNextHop(question)).toEqual(expected);
  });

  it("judges the same on the live session as before it (once ours is known)", () => {
    // What announce() decides before the session must not contradict the flush after it.
    for (const [, question] of cases) {
      const t = question.transport;
      if (t === undefined || t.localAddress === undefined) continue;
      const before = chooseNextHop({
        ...question,
        transport: { ipv6: t.ipv6, extendedNextHop: t.extendedNextHop },
      });
      expect(before.ok).toBe(chooseNextHop(question).ok);
    }
  });
});

describe("announce() asks the same rule of every target peer", () => {
  it("refuses where a peer's session cannot carry the next hop, also for a peer added later", async () => {
    const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.1" });
    try {
      speaker.addPeer({ address: "2001:db8::2", asn: 65002, name: "v6" });
      speaker.announce("2001:db8:1::/48");
      // An IPv4 route to a peer over IPv6 is not refused: it is skipped on that session.
      speaker.announce("10.0.0.0/24");
      expect(() => speaker.announce("10.0.1.0/24", { nextHop: "2001:db8::9" })).toThrow(
        "IPv4 prefix 10.0.1.0/24 with IPv6 next hop 2001:db8::9: peer v6 is not configured with extendedNextHop (RFC 8950)",
      );
      expect(() => speaker.announce("2001:db8:2::/48", { nextHop: "203.0.113.9" })).toThrow(
        "IPv6 prefix 2001:db8:2::/48 needs an IPv6 next hop, got 203.0.113.9",
      );
      speaker.addPeer({ address: "198.51.100.3", asn: 65003, name: "v4" });
      // The same attributes as the first announce: the check is not skipped for the new peer.
      expect(() => speaker.announce("2001:db8:3::/48")).toThrow(
        /^IPv6 prefix 2001:db8:3::\/48 to peer v4: the session runs over IPv4/,
      );
      speaker.announce("2001:db8:3::/48", { peers: ["v6"] });
      speaker.addPeer({ address: "198.51.100.4", asn: 65004, name: "v4x", extendedNextHop: true });
      speaker.announce("10.0.2.0/24", { nextHop: "2001:db8::9", peers: ["v4x"] });
      expect(
        speaker
          .announcements()
          .map((a) => `${a.prefix} ${a.peers.join(",")}`)
          .sort(),
      ).toEqual([
        "10.0.0.0/24 v6,v4,v4x",
        "10.0.2.0/24 v4x",
        "2001:db8:1::/48 v6,v4,v4x",
        "2001:db8:3::/48 v6",
      ]);
    } finally {
      await speaker.close();
    }
  });
});
