import { describe, expect, it } from "vitest";
import { normalizeAttributes } from "../../src/speaker/route.js";
import {
  type InterfaceAddress,
  SessionNextHop,
  type SessionNextHopSettings,
} from "../../src/speaker/session-next-hop.js";

/** One live session's next hops (src/speaker/session-next-hop.ts): link-local, the skip reasons, the cache. */

const BOTH = ["ipv4-unicast", "ipv6-unicast"] as const;

/** eth0 as os.networkInterfaces() lists it: its link-local, a temporary global, a scoped one. */
const ETH0: InterfaceAddress[] = [
  { address: "fe80::1", family: "IPv6", internal: false, scopeid: 2 },
  { address: "198.51.100.200", family: "IPv4", internal: false },
  { address: "2001:db8:100::1", family: "IPv6", internal: false, scopeid: 0 },
];

function session(overrides: Partial<SessionNextHopSettings> = {}): SessionNextHop {
  return new SessionNextHop({
    peerName: "r1",
    localAddress: "198.51.100.1",
    peerAddress: "198.51.100.2",
    families: BOTH,
    extendedNextHop: false,
    interfaces: () => [],
    ...overrides,
  });
}

describe("SessionNextHop", () => {
  it("over an IPv4 session: ours for IPv4, none for IPv6 routes without a next hop", () => {
    const s = session();
    expect(s.nextHopFor("ipv4-unicast", undefined)).toBe("198.51.100.1");
    expect(s.nextHopFor("ipv6-unicast", undefined)).toBeNull();
    expect(s.nextHopFor("ipv6-unicast", "2001:db8::7")).toBe("2001:db8::7");
    expect(s.linkLocalFor("ipv6-unicast", undefined)).toBeUndefined();
  });

  it("over link-local: the interface's global address first, and the link-local one second (RFC 2545)", () => {
    const zones: string[] = [];
    const s = session({
      localAddress: "fe80::1%eth0",
      interfaces: (zone) => {
        zones.push(zone);
        return zone === "eth0" ? ETH0 : [];
      },
    });
    expect(zones).toEqual(["eth0"]);
    expect(s.nextHopFor("ipv6-unicast", undefined)).toBe("2001:db8:100::1");
    expect(s.linkLocalFor("ipv6-unicast", undefined)).toBe("fe80::1");
    // A route with its own next hop carries only that one; IPv4 routes never carry a link-local.
    expect(s.linkLocalFor("ipv6-unicast", "2001:db8::7")).toBeUndefined();
    expect(s.linkLocalFor("ipv4-unicast", undefined)).toBeUndefined();
  });

  it("over unnumbered link-local: the link-local address itself; a configured link-local wins", () => {
    const s = session({
      localAddress: "fe80::1%eth1",
      configured: { ipv6LinkLocal: "fe80::99" },
      interfaces: () => ETH0.filter((a) => a.address.startsWith("fe80")),
    });
    expect(s.nextHopFor("ipv6-unicast", undefined)).toBe("fe80::1");
    expect(s.linkLocalFor("ipv6-unicast", undefined)).toBe("fe80::99");
  });

  it("a configured link-local goes on IPv6 routes over a global session too", () => {
    const s = session({ localAddress: "2001:db8::1", configured: { ipv6LinkLocal: "fe80::99" } });
    expect(s.nextHopFor("ipv6-unicast", undefined)).toBe("2001:db8::1");
    expect(s.linkLocalFor("ipv6-unicast", undefined)).toBe("fe80::99");
  });

  it("says why a route cannot go, once per prefix, and nothing for a family the session lacks", () => {
    const s = session({ families: ["ipv4-unicast"] });
    const plain = normalizeAttributes(undefined);
    expect(s.canSend("2001:db8:1::/48", "ipv6-unicast", plain)).toBe("");

    const v6 = session({ localAddress: "198.51.100.1" });
    expect(v6.canSend("2001:db8:1::/48", "ipv6-unicast", plain)).toBe(
      "IPv6 route 2001:db8:1::/48 to r1 needs an IPv6 next hop: the session runs over IPv4 (198.51.100.1); pass announce(prefix, { nextHop }) or addPeer({ nextHop: { ipv6 } })",
    );
    expect(v6.canSend("2001:db8:1::/48", "ipv6-unicast", plain)).toBe("");
    expect(v6.canSend("2001:db8:2::/48", "ipv6-unicast", plain)).toMatch(
      /^IPv6 route 2001:db8:2::\/48 to r1 needs/,
    );

    const overV6 = session({ localAddress: "2001:db8::1" });
    expect(overV6.canSend("10.0.0.0/8", "ipv4-unicast", plain)).toMatch(
      /^IPv4 route 10\.0\.0\.0\/8 to r1 needs an IPv4 next hop: the session runs over IPv6 \(2001:db8::1\)/,
    );
    const v6NextHop = normalizeAttributes({ nextHop: "2001:db8::9" });
    expect(overV6.canSend("10.0.1.0/24", "ipv4-unicast", v6NextHop)).toBe(
      "IPv4 route 10.0.1.0/24 has an IPv6 next hop 2001:db8::9, but r1 did not negotiate RFC 8950 extended next hop",
    );
    const extended = session({ localAddress: "2001:db8::1", extendedNextHop: true });
    expect(extended.canSend("10.0.1.0/24", "ipv4-unicast", v6NextHop)).toBe(true);
    expect(extended.nextHopFor("ipv4-unicast", "2001:db8::9")).toBe("2001:db8::9");
  });

  it("a yes is remembered per attributes object; a no is judged again for the next prefix", () => {
    const s = session();
    const a = normalizeAttributes({ med: 5 });
    const b = normalizeAttributes({ med: 6 });
    expect(s.canSend("10.0.0.0/24", "ipv4-unicast", a)).toBe(true);
    expect(s.canSend("10.0.1.0/24", "ipv4-unicast", b)).toBe(true);
    expect(s.canSend("10.0.2.0/24", "ipv4-unicast", a)).toBe(true);
    // The IPv4 and IPv6 answers are kept apart: the same object is judged again for IPv6.
    expect(s.canSend("2001:db8::/32", "ipv6-unicast", a)).toMatch(/needs an IPv6 next hop/);
  });

  it("without a known local address only routes with their own next hop can go", () => {
    const s = session({ localAddress: null });
    expect(s.nextHopFor("ipv4-unicast", undefined)).toBeNull();
    expect(s.canSend("10.0.0.0/24", "ipv4-unicast", normalizeAttributes(undefined))).toMatch(
      /needs an IPv4 next hop/,
    );
    expect(s.canSend("10.0.1.0/24", "ipv4-unicast", normalizeAttributes({ nextHop: "203.0.113.1" }))).toBe(
      true,
    );
    expect(s.nextHopFor("ipv4-unicast", "203.0.113.1")).toBe("203.0.113.1");
  });
});
