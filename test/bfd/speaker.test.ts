import { describe, expect, it } from "vitest";
import { realClock } from "../../src/clock.js";
import { BfdSession, BfdTransport, BgpSpeaker, type DownEvent } from "../../src/index.js";
import { createMetricsRegistry } from "../../src/metrics/index.js";
import { parseExposition, sample } from "../support/prometheus.js";
import { useCleanups, waitFor } from "../support/speakers.js";

/**
 * The speaker's BFD over real UDP on loopback (our block 127.0.90.0/24, ports 209xx; no root
 * needed off port 3784): speaker A runs BGP with `bfd` on its peer; the peer's side is a plain
 * BgpSpeaker for BGP plus this library's own BfdTransport and BfdSession for BFD, so the test can
 * silence or AdminDown the peer's BFD while its BGP session stays open.
 */

const cleanups = useCleanups();

const SHA1 = { type: "keyed-sha1" as const, keyId: 1, key: "bfd-secret" };

let net = 0;
async function setup(options: { peerKey?: string; auth?: boolean } = {}) {
  const n = net++;
  const a = `127.0.90.${1 + n * 2}`;
  const b = `127.0.90.${2 + n * 2}`;
  const bgpPort = 20900 + n * 3;
  const bfdA = bgpPort + 1;
  const bfdB = bgpPort + 2;
  const auth = options.auth === false ? undefined : SHA1;
  const speaker = new BgpSpeaker({
    asn: 65000,
    routerId: "198.51.100.1",
    listen: { host: a, port: bgpPort },
    holdTime: 30,
    bfdListen: { host: a, port: bfdA },
  });
  speaker.addPeer({
    address: b,
    asn: 65001,
    passive: true,
    bfd: { interval: 0.1, multiplier: 3, port: bfdB, ...(auth === undefined ? {} : { auth }) },
  });
  const events: { type: string; at: number; event: unknown }[] = [];
  for (const type of ["bfd-up", "bfd-down", "down", "established"] as const) {
    speaker.on(type, (event: unknown) => events.push({ type, at: Date.now(), event }));
  }
  await speaker.start();

  const peer = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", holdTime: 30, connectRetry: 1 });
  peer.addPeer({ address: a, asn: 65000, port: bgpPort, localAddress: b });
  const transport = new BfdTransport({ host: b, port: bfdB });
  const key = new TextEncoder().encode(options.peerKey ?? SHA1.key);
  const remote = new BfdSession(
    a,
    {
      localDiscriminator: transport.allocateDiscriminator(),
      desiredMinTxUs: 100_000,
      requiredMinRxUs: 100_000,
      detectMult: 3,
      ...(auth === undefined ? {} : { auth: { type: 4, keyId: 1, key } }),
      random: Math.random,
    },
    realClock,
    transport.sender(a, bfdA),
  );
  transport.add(remote);
  await transport.open("ipv4");
  remote.start();
  await peer.start();
  cleanups.push(async () => {
    remote.stop();
    await transport.close();
    await peer.close();
    await speaker.close();
  });
  return { speaker, peer, remote, transport, events, b };
}

describe("BFD on a speaker's peer", () => {
  it("refuses bad bfd options at addPeer, naming the option and the range", () => {
    const s = new BgpSpeaker({ asn: 65000, routerId: "198.51.100.1" });
    const add = (bfd: unknown) => () => s.addPeer({ address: "127.0.90.200", asn: 65001, bfd: bfd as true });
    expect(add({ interval: 0 })).toThrow(/invalid bfd.interval 0 .*0.01-60 seconds/);
    expect(add({ interval: Number.NaN })).toThrow(/bfd.interval/);
    expect(add({ multiplier: 0 })).toThrow(/invalid bfd.multiplier 0 .*1-255/);
    expect(add({ multiplier: 2.5 })).toThrow(/bfd.multiplier/);
    expect(add({ auth: { type: "simple", keyId: 1, key: "k" } })).toThrow(/bfd.auth.type "simple"/);
    expect(add({ auth: { type: "keyed-sha1", keyId: 256, key: "k" } })).toThrow(/bfd.auth.keyId 256 .*0-255/);
    expect(add({ auth: { type: "keyed-md5", keyId: 1, key: "x".repeat(17) } })).toThrow(
      /bfd.auth.key .*1-16 octets for keyed-md5/,
    );
    expect(add({ auth: { type: "keyed-sha1", keyId: 1, key: "" } })).toThrow(/1-20 octets/);
    expect(() => new BgpSpeaker({ asn: 1, routerId: "1.1.1.1", bfdListen: { port: 70000 } })).toThrow(
      /bfdListen.port 70000/,
    );
    expect(s.peerStatus()).toEqual([]);
  });

  it("comes Up with Keyed SHA1; silence takes BGP down at once with a reason naming BFD", async () => {
    const { speaker, transport, events } = await setup();
    await waitFor("BGP established and BFD up", () =>
      speaker.peerStatus()[0]?.state === "Established" && speaker.peerStatus()[0]?.bfd?.state === "Up"
        ? true
        : undefined,
    );
    const up = events.find((e) => e.type === "bfd-up")!.event as {
      detectionTimeMs: number;
      remoteDiscriminator: number;
    };
    expect(up.remoteDiscriminator).not.toBe(0);
    // Poll/Final done: both sides at 100 ms, so 3 × 100 ms.
    await waitFor(
      "detection time at the fast rate",
      () => speaker.peerStatus()[0]?.bfd?.detectionTimeMs === 300,
    );
    const status = speaker.peerStatus()[0].bfd!;
    expect(status).toMatchObject({ state: "Up", remoteState: "Up", txIntervalMs: 100, discarded: 0 });
    expect(status.remoteDiscriminator).toBe(up.remoteDiscriminator);
    // The same numbers in the Prometheus metrics.
    const m = await parseExposition(await createMetricsRegistry({ speaker }).metrics());
    const peer = speaker.peerStatus()[0].name;
    expect(sample(m, "bgp_peer_bfd_state", { peer, state: "Up" })).toBe(1);
    expect(sample(m, "bgp_peer_bfd_state", { peer, state: "Down" })).toBe(0);
    expect(sample(m, "bgp_peer_bfd_detection_time_seconds", { peer })).toBeCloseTo(0.3, 9);
    expect(sample(m, "bgp_peer_bfd_remote_discriminator", { peer })).toBe(up.remoteDiscriminator);
    expect(sample(m, "bgp_peer_bfd_packets_received_total", { peer })).toBeGreaterThan(0);

    // The neighbor's host dies: its BFD goes silent (no AdminDown), its TCP connection stays open.
    const silencedAt = Date.now();
    await transport.close();
    const down = await waitFor("BGP down", () => events.find((e) => e.type === "down"));
    const reason = (down.event as DownEvent).reason;
    expect(reason).toMatchObject({ kind: "notification-sent", code: 6, subcode: 10 });
    expect(reason.message).toMatch(/BFD session down: control detection time expired/);
    const bfdDown = events.find((e) => e.type === "bfd-down")!;
    expect(bfdDown.event).toMatchObject({ diag: 1, remoteAdminDown: false });
    // Detection is 300 ms after the last packet; generous margin for a loaded CI machine.
    expect(down.at - silencedAt).toBeLessThan(2500);
    expect(bfdDown.at).toBeLessThanOrEqual(down.at);
    expect(speaker.peerStatus()[0].bfd).toMatchObject({ state: "Down", diag: 1, remoteDiscriminator: 0 });
  }, 20_000);

  it("the neighbor's AdminDown is not a failure: BGP stays Established", async () => {
    const { speaker, remote, events } = await setup({ auth: false });
    await waitFor("BGP established and BFD up", () =>
      speaker.peerStatus()[0]?.state === "Established" && speaker.peerStatus()[0]?.bfd?.state === "Up"
        ? true
        : undefined,
    );
    remote.stop();
    const bfdDown = await waitFor("bfd-down", () => events.find((e) => e.type === "bfd-down"));
    expect(bfdDown.event).toMatchObject({ diag: 3, remoteAdminDown: true });
    await new Promise((r) => setTimeout(r, 800)); // well past the 300 ms detection time
    expect(speaker.peerStatus()[0]).toMatchObject({ state: "Established", bfd: { state: "Down", diag: 3 } });
    expect(events.some((e) => e.type === "down")).toBe(false);
  }, 20_000);

  it("with a wrong key the session never comes Up, and the packets are counted as discarded", async () => {
    const { speaker, events } = await setup({ peerKey: "wrong-secret" });
    await waitFor("BGP established", () => speaker.peerStatus()[0]?.state === "Established");
    await waitFor("discarded packets", () => (speaker.peerStatus()[0]?.bfd?.discarded ?? 0) >= 2);
    expect(speaker.peerStatus()[0].bfd?.state).toBe("Down");
    expect(events.some((e) => e.type === "bfd-up")).toBe(false);
  }, 20_000);
});

describe("BFD discriminators", () => {
  it("are nonzero and distinct even when the injected random source repeats itself", () => {
    const transport = new BfdTransport({ random: () => 0.5 });
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) seen.add(transport.allocateDiscriminator());
    expect(seen.size).toBe(50);
    expect(seen.has(0)).toBe(false);
    const top = new BfdTransport({ random: () => 0.9999999999 });
    expect([top.allocateDiscriminator(), top.allocateDiscriminator()]).toEqual([0xffffffff, 1]);
  });
});
