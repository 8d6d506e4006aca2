import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { BgpSpeaker, type DownEvent, type PeerOptions, type RouteEvent } from "../../src/index.js";
import { useCleanups, waitFor } from "../support/speakers.js";

/**
 * TCP-MD5 and GTSM between two real speakers over loopback: the kernel does the signing, checking
 * and dropping; these tests watch what gets through. Loopback addresses 127.0.85.x and 127.0.87.x.
 */

const cleanups = useCleanups();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let nextHost = 10;
async function pair(router: Partial<PeerOptions>, announcer: Partial<PeerOptions>, passiveRouter = true) {
  const host = nextHost++;
  const routerAddress = `127.0.85.${host}`;
  const announcerAddress = `127.0.85.${host + 100}`;
  const r = new BgpSpeaker({
    asn: 65000,
    routerId: "198.51.100.1",
    listen: { host: routerAddress, port: 0 },
    holdTime: 9,
  });
  r.addPeer({ address: announcerAddress, asn: 65001, passive: passiveRouter, connectRetry: 1, ...router });
  await r.start();
  const a = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", holdTime: 9, connectRetry: 2 });
  a.addPeer({
    address: routerAddress,
    asn: 65000,
    port: r.listenPort!,
    localAddress: announcerAddress,
    ...announcer,
  });
  cleanups.push(async () => {
    await a.close();
    await r.close();
  });
  const routes: RouteEvent[] = [];
  r.on("route", (e) => routes.push(e));
  const downs: DownEvent[] = [];
  a.on("down", (e) => downs.push(e));
  return { r, a, routes, downs, routerAddress, announcerAddress };
}

const established = (s: BgpSpeaker) => s.peerStatus()[0]?.state === "Established";

/** Whether a plain TCP connect from `localAddress` completes within `ms`. */
function tcpConnects(host: string, port: number, localAddress: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, localAddress });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

describe.runIf(process.platform === "linux")("TCP-MD5 over loopback", () => {
  it("the same password on both sides: Established and routes arrive (we connect, they listen)", async () => {
    const { r, a, routes } = await pair({ password: "s3cret" }, { password: "s3cret" });
    a.announce("10.85.1.0/24");
    await a.start();
    await waitFor("the session", () => established(r) && established(a));
    await waitFor("the route", () => routes.find((e) => e.prefix === "10.85.1.0/24"));
  });

  it("the listening side connects out too: Established with the key on its outgoing socket", async () => {
    const host = nextHost++;
    const listenerAddress = `127.0.85.${host}`;
    const dialerAddress = `127.0.85.${host + 100}`;
    const listener = new BgpSpeaker({
      asn: 65001,
      routerId: "198.51.100.2",
      listen: { host: listenerAddress, port: 0 },
    });
    listener.addPeer({ address: dialerAddress, asn: 65000, passive: true, password: "other-way" });
    await listener.start();
    const dialer = new BgpSpeaker({ asn: 65000, routerId: "198.51.100.1", connectRetry: 1 });
    dialer.addPeer({
      address: listenerAddress,
      asn: 65001,
      port: listener.listenPort!,
      localAddress: dialerAddress,
      password: "other-way",
    });
    cleanups.push(async () => {
      await dialer.close();
      await listener.close();
    });
    await dialer.start();
    await waitFor("the session", () => established(listener) && established(dialer));
  });

  it("a wrong key: no session, and the down reason says a key mismatch looks exactly like this", async () => {
    const { r, a, downs } = await pair({ password: "right" }, { password: "wrong" });
    await a.start();
    const down = await waitFor("a down event", () => downs[0], 10_000);
    expect(down.reason.message).toMatch(/got no answer .*TCP-MD5 key mismatch .* looks exactly like this/);
    expect(established(r)).toBe(false);
  });

  it("no key on our side while the listener has one: no session", async () => {
    const { r, a } = await pair({ password: "right" }, {});
    await a.start();
    await sleep(2500);
    expect(established(r) || established(a)).toBe(false);
  });

  it("a key on the wrong peer: the listener holds it for another address, ours is refused", async () => {
    const { r, a, announcerAddress } = await pair({}, { password: "k" });
    r.addPeer({ address: "127.0.85.250", asn: 65009, passive: true, password: "k" });
    await a.start();
    await sleep(2500);
    expect(established(r) || established(a)).toBe(false);
    expect(r.peerStatus().find((p) => p.address === announcerAddress)?.state).not.toBe("Established");
  });

  it("a non-peer cannot even complete a TCP handshake with a listener whose peers all have keys", async () => {
    const { r, routerAddress, announcerAddress } = await pair({ password: "k" }, { password: "k" });
    const port = r.listenPort!;
    expect(await tcpConnects(routerAddress, port, "127.0.85.251", 1500)).toBe(false);
    expect(await tcpConnects(routerAddress, port, announcerAddress, 1500)).toBe(false); // unsigned from the peer's address
    // Another peer without a password lifts the catch-all key: unsigned handshakes complete again
    // (and the listener drops them at once for non-peers).
    r.addPeer({ address: "127.0.85.252", asn: 65009, passive: true });
    expect(await tcpConnects(routerAddress, port, "127.0.85.251", 1500)).toBe(true);
  });

  it("20 peers with 20 different passwords on one listener: each comes up with its own key only", async () => {
    const router = new BgpSpeaker({
      asn: 65000,
      routerId: "198.51.100.1",
      listen: { host: "127.0.87.254", port: 0 },
    });
    const n = 20;
    for (let i = 1; i <= n; i++)
      router.addPeer({ address: `127.0.87.${i}`, asn: 65001, passive: true, password: `key-${i}` });
    await router.start();
    const dialers: BgpSpeaker[] = [];
    cleanups.push(async () => {
      await Promise.all(dialers.map((d) => d.close()));
      await router.close();
    });
    for (let i = 1; i <= n; i++) {
      const d = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", connectRetry: 2 });
      // The last one uses its neighbour's key: it must not come up.
      const key = i === n ? `key-${i - 1}` : `key-${i}`;
      d.addPeer({
        address: "127.0.87.254",
        asn: 65000,
        port: router.listenPort!,
        localAddress: `127.0.87.${i}`,
        password: key,
      });
      dialers.push(d);
      await d.start();
    }
    const up = () =>
      router
        .peerStatus()
        .filter((p) => p.state === "Established")
        .map((p) => p.address);
    await waitFor("19 sessions", () => up().length === n - 1, 15_000);
    await sleep(1500);
    expect(up()).not.toContain(`127.0.87.${n}`);
    expect(up()).toHaveLength(n - 1);
  });

  it("removing a peer removes its key (and re-adding it rotates the password)", async () => {
    const { r, a, announcerAddress } = await pair({ password: "old" }, {});
    await r.removePeer(announcerAddress);
    r.addPeer({ address: announcerAddress, asn: 65001, passive: true }); // no key now
    await a.start();
    await waitFor("the unsigned session", () => established(r) && established(a));
  });
});

describe.runIf(process.platform === "linux")("GTSM and multihop over loopback", () => {
  it("ttlSecurity on both sides: Established (loopback delivers TTL 255 as 255)", async () => {
    const { r, a } = await pair({ ttlSecurity: true }, { ttlSecurity: { hops: 1 } });
    await a.start();
    await waitFor("the session", () => established(r) && established(a));
  });

  it("ttlSecurity on the listener only: the peer's TTL 64 segments are dropped, no session", async () => {
    const { r, a } = await pair({ ttlSecurity: true }, {});
    await a.start();
    await sleep(2500);
    expect(established(r) || established(a)).toBe(false);
  });

  it("a listener with GTSM and plain peers: the TTL minimum is set per accepted connection", async () => {
    // Mixed peers, so the listening socket itself keeps no minimum: the GTSM peer's accepted socket gets it.
    const { r, a, announcerAddress, routerAddress } = await pair(
      { ttlSecurity: true },
      { ttlSecurity: true },
    );
    r.addPeer({ address: "127.0.85.253", asn: 65009, passive: true });
    await a.start();
    await waitFor("the GTSM session", () => established(r) && established(a));
    await a.close();
    await r.removePeer(announcerAddress);
    r.addPeer({ address: announcerAddress, asn: 65001, passive: true, ttlSecurity: true });
    // Now from the same address without GTSM (TTL 64): the handshake completes (the listener lets
    // plain peers in), but the connection's own minimum drops everything after our OPEN.
    const plain = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", holdTime: 9, connectRetry: 2 });
    plain.addPeer({
      address: routerAddress,
      asn: 65000,
      port: r.listenPort!,
      localAddress: announcerAddress,
    });
    cleanups.push(() => plain.close());
    await plain.start();
    await sleep(2500);
    expect(established(r) || established(plain)).toBe(false);
  });

  it("multihop on one side and nothing on the other: Established", async () => {
    const { r, a } = await pair({ multihop: 3 }, { multihop: 2 });
    await a.start();
    await waitFor("the session", () => established(r) && established(a));
  });
});

describe.runIf(process.platform === "linux")("IPv6 and a dual-stack listener", () => {
  it("TCP-MD5 and GTSM over IPv6 (::1 to ::1): Established; a wrong key is not", async () => {
    const router = new BgpSpeaker({ asn: 65000, routerId: "198.51.100.1", listen: { host: "::1", port: 0 } });
    router.addPeer({ address: "::1", asn: 65001, passive: true, password: "v6-key", ttlSecurity: true });
    await router.start();
    const dial = (password: string) => {
      const s = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", connectRetry: 2 });
      s.addPeer({ address: "::1", asn: 65000, port: router.listenPort!, password, ttlSecurity: true });
      return s;
    };
    const wrong = dial("not-it");
    cleanups.push(async () => {
      await wrong.close();
      await router.close();
    });
    await wrong.start();
    await sleep(2500);
    expect(established(router)).toBe(false);
    await wrong.close();
    const right = dial("v6-key");
    cleanups.push(() => right.close());
    await right.start();
    await waitFor("the IPv6 session", () => established(router) && established(right));
  });

  it("an IPv4 peer's key on a dual-stack (::) listener is filed as ::ffff:a.b.c.d: Established", async () => {
    const router = new BgpSpeaker({ asn: 65000, routerId: "198.51.100.1", listen: { host: "::", port: 0 } });
    router.addPeer({ address: "127.0.85.200", asn: 65001, passive: true, password: "mapped" });
    await router.start();
    const a = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", connectRetry: 1 });
    a.addPeer({
      address: "127.0.85.201",
      asn: 65000,
      port: router.listenPort!,
      localAddress: "127.0.85.200",
      password: "mapped",
    });
    cleanups.push(async () => {
      await a.close();
      await router.close();
    });
    // 127.0.85.201 is not bound by anyone: the dual-stack listener takes it (all of 127/8 is local).
    await a.start();
    await waitFor("the session over the mapped key", () => established(router) && established(a));
    expect(await tcpConnects("127.0.85.201", router.listenPort!, "127.0.85.202", 1500)).toBe(false);
  });
});
