/**
 * GTSM (RFC 5082) and multihop across a routed hop, in namespaces bgpmd5t*:
 *
 *   r (BIRD .1:20840, FRR .3:20841)  198.51.100.1,3 ── 198.51.100.2  m (forwards; the near speaker)
 *                                                198.51.101.1 ── 198.51.101.2-5  f (the far speaker)
 *
 * A segment from f reaches r with TTL 254 (m decrements it), one from m with 255.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Lab } from "../../examples/anycast-lab/netns.js";
import { runCli, waitFor } from "./harness/process.js";
import { NsSpeaker } from "./netns/child.js";
import { describeNetns } from "./netns/gate.js";

const R = "198.51.100.1";
/** FRR's own address on r (a speaker has one peer per address). */
const RF = "198.51.100.3";
const M = "198.51.100.2";
const BIRD_PORT = 20840;
const FRR_PORT = 20841;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeNetns("GTSM and multihop across a routed hop (BIRD, FRR)", ["bird", "birdc", "bgpd", "vtysh"], () => {
  const lab = new Lab("bgpmd5t");
  const dir = mkdtempSync(join(tmpdir(), "bgp-md5-ttl-"));
  let near: NsSpeaker;
  let far: NsSpeaker;

  beforeAll(async () => {
    const r = lab.netns("r");
    const m = lab.netns("m");
    const f = lab.netns("f");
    lab.link(
      { ns: r, dev: "rm", v4: `${R}/24`, v6: "2001:db8:100::1/64" },
      { ns: m, dev: "mr", v4: `${M}/24`, v6: "2001:db8:100::2/64" },
    );
    lab.link(
      { ns: m, dev: "mf", v4: "198.51.101.1/24", v6: "2001:db8:101::1/64" },
      { ns: f, dev: "fm", v4: "198.51.101.2/24", v6: "2001:db8:101::2/64" },
    );
    for (const a of ["198.51.101.3/24", "198.51.101.4/24", "198.51.101.5/24"])
      lab.exec(f, "ip", ["addr", "add", a, "dev", "fm"]);
    lab.exec(r, "ip", ["addr", "add", `${RF}/24`, "dev", "rm"]);
    lab.exec(m, "sysctl", ["-qw", "net.ipv4.ip_forward=1"]);
    lab.exec(r, "ip", ["route", "add", "198.51.101.0/24", "via", M]);
    lab.exec(f, "ip", ["route", "add", "default", "via", "198.51.101.1"]);

    // BIRD: the near peer with GTSM (1 hop), a far peer with GTSM allowing 2 hops, a far multihop peer.
    writeFileSync(
      join(dir, "bird.conf"),
      `router id 10.0.0.1;
log "${join(dir, "bird.log")}" all;
protocol device {}
protocol static { ipv4; route 10.84.0.0/24 unreachable; }
template bgp t { local ${R} port ${BIRD_PORT} as 65000; passive on; hold time 9; connect delay time 1; error wait time 1, 2;
  ipv4 { import all; export all; }; }
protocol bgp near from t { neighbor ${M} as 65001; ttl security on; }
protocol bgp far_gtsm from t { neighbor 198.51.101.2 as 65002; ttl security on; multihop 2; }
protocol bgp far_mh from t { neighbor 198.51.101.3 as 65002; multihop 2; }
`,
    );
    lab.start("bird", r, "bird", [
      "-f",
      "-c",
      join(dir, "bird.conf"),
      "-s",
      join(dir, "bird.ctl"),
      "-P",
      join(dir, "bird.pid"),
    ]);
    // FRR: the same near and far GTSM peers.
    writeFileSync(
      join(dir, "bgpd.conf"),
      `hostname r
log file ${join(dir, "frr.log")} debugging
router bgp 65000
 bgp router-id 10.0.0.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor ${M} remote-as 65001
 neighbor ${M} passive
 neighbor ${M} ttl-security hops 1
 neighbor 198.51.101.4 remote-as 65002
 neighbor 198.51.101.4 passive
 neighbor 198.51.101.4 ttl-security hops 2
 address-family ipv4 unicast
  neighbor ${M} activate
  neighbor 198.51.101.4 activate
 exit-address-family
`,
    );
    lab.start("bgpd", r, "/usr/lib/frr/bgpd", [
      ...["-f", join(dir, "bgpd.conf"), "-i", join(dir, "bgpd.pid"), "--vty_socket", dir],
      ...[
        "-A",
        "127.0.0.1",
        "-P",
        "0",
        "-u",
        "root",
        "-g",
        "root",
        "-S",
        "-Z",
        "-p",
        String(FRR_PORT),
        "-l",
        RF,
      ],
    ]);
    near = new NsSpeaker(m, { asn: 65001, routerId: "10.0.0.11", holdTime: 9, connectRetry: 2 });
    far = new NsSpeaker(f, { asn: 65002, routerId: "10.0.0.12", holdTime: 9, connectRetry: 2 });
    await Promise.all([near.ready(), far.ready()]);
  }, 60_000);

  afterAll(async () => {
    await near?.stop();
    await far?.stop();
    await lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const bird = (proto: string) =>
    waitFor(
      `BIRD ${proto} Established`,
      async () => {
        const out = await runCli("birdc", ["-s", join(dir, "bird.ctl"), "show", "protocols", proto]);
        return /Established/.test(out.stdout) ? true : undefined;
      },
      15_000,
    );
  const frr = (neighbor: string) =>
    waitFor(
      `FRR ${neighbor} Established`,
      async () => {
        const out = await runCli("vtysh", [
          "--vty_socket",
          dir,
          "-d",
          "bgpd",
          "-c",
          `show bgp neighbors ${neighbor} json`,
        ]);
        return /"bgpState":"Established"/.test(out.stdout.replace(/\s/g, "")) ? true : undefined;
      },
      15_000,
    );

  it("GTSM on both sides, one hop: Established with BIRD (ttl security on) and FRR (ttl-security hops 1)", async () => {
    await near.addPeer({
      address: R,
      asn: 65000,
      port: BIRD_PORT,
      name: "bird",
      ttlSecurity: true,
      localAddress: M,
    });
    await near.until("BIRD Established", () => near.established("bird"));
    await bird("near");
    await near.addPeer({
      address: RF,
      asn: 65000,
      port: FRR_PORT,
      name: "frr",
      ttlSecurity: true,
      localAddress: M,
    });
    await near.until("FRR Established", () => near.established("frr"));
    await frr(M);
  }, 60_000);

  it("one hop further away: refused while we accept 1 hop, Established once we accept 2", async () => {
    // The daemons send TTL 255 and accept 254 (hops 2); their segments reach us with 254.
    await far.addPeer({
      address: R,
      asn: 65000,
      port: BIRD_PORT,
      name: "bird",
      ttlSecurity: true,
      localAddress: "198.51.101.2",
    });
    await far.addPeer({
      address: RF,
      asn: 65000,
      port: FRR_PORT,
      name: "frr",
      ttlSecurity: true,
      localAddress: "198.51.101.4",
    });
    await sleep(5000);
    expect(far.established("bird") || far.established("frr")).toBe(false);
    await far.removePeer("bird");
    await far.removePeer("frr");
    const hops2 = { ttlSecurity: { hops: 2 } } as const;
    await far.addPeer({
      address: R,
      asn: 65000,
      port: BIRD_PORT,
      name: "bird",
      localAddress: "198.51.101.2",
      ...hops2,
    });
    await far.addPeer({
      address: RF,
      asn: 65000,
      port: FRR_PORT,
      name: "frr",
      localAddress: "198.51.101.4",
      ...hops2,
    });
    await far.until("both Established with hops 2", () => far.established("bird") && far.established("frr"));
    await far.removePeer("bird");
    await far.removePeer("frr");
  }, 60_000);

  it("multihop: TTL 1 dies at the middle hop, multihop: 2 reaches BIRD", async () => {
    await far.addPeer({
      address: R,
      asn: 65000,
      port: BIRD_PORT,
      name: "mh",
      multihop: 1,
      localAddress: "198.51.101.3",
    });
    await sleep(4000);
    expect(far.established("mh")).toBe(false);
    await far.removePeer("mh");
    await far.addPeer({
      address: R,
      asn: 65000,
      port: BIRD_PORT,
      name: "mh",
      multihop: 2,
      localAddress: "198.51.101.3",
    });
    await far.until("Established with multihop 2", () => far.established("mh"));
    await bird("far_mh");
  }, 60_000);
});
