/**
 * IPv6 link-local peering (RFC 2545) with BIRD and FRR (with zebra, which FRR needs to take a
 * link-local next hop), in namespaces bgpmd5l*:
 *
 *   lb (BIRD, fe80::1%bs :20850) ── sb  ls (our speaker, fe80::2 on both links)  sf ── lf (FRR, fe80::1%fs :20851)
 *        2001:db8:100::1/64            2001:db8:100::2 / 2001:db8:101::2                2001:db8:101::1/64
 *
 * We announce 2001:db8:200::/48 with no next hop: each daemon must get 32 octets, the link's
 * global address of ours and our link-local fe80::2, and show the route as usable.
 */
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Lab, run } from "../../examples/anycast-lab/netns.js";
import { runCli, waitFor } from "./harness/process.js";
import { NsSpeaker } from "./netns/child.js";
import { describeNetns } from "./netns/gate.js";

const PREFIX = "2001:db8:200::/48";

describeNetns(
  "IPv6 link-local peering and next hops (BIRD, FRR)",
  ["bird", "birdc", "bgpd", "zebra", "vtysh"],
  () => {
    const lab = new Lab("bgpmd5l");
    const dir = mkdtempSync(join(tmpdir(), "bgp-md5-ll-"));
    let speaker: NsSpeaker;

    beforeAll(async () => {
      const lb = lab.netns("b");
      const lf = lab.netns("f");
      const ls = lab.netns("s");
      lab.link(
        { ns: lb, dev: "bs", v4: "198.51.100.1/24", v6: "2001:db8:100::1/64" },
        { ns: ls, dev: "sb", v4: "198.51.100.2/24", v6: "2001:db8:100::2/64" },
      );
      lab.link(
        { ns: lf, dev: "fs", v4: "198.51.101.1/24", v6: "2001:db8:101::1/64" },
        { ns: ls, dev: "sf", v4: "198.51.101.2/24", v6: "2001:db8:101::2/64" },
      );
      for (const [ns, dev, ll] of [
        [lb, "bs", "fe80::1/64"],
        [lf, "fs", "fe80::1/64"],
        [ls, "sb", "fe80::2/64"],
        [ls, "sf", "fe80::2/64"],
      ] as const) {
        lab.exec(ns, "ip", ["-6", "addr", "add", ll, "dev", dev, "nodad"]);
      }

      writeFileSync(
        join(dir, "bird.conf"),
        `router id 10.0.0.1;
log "${join(dir, "bird.log")}" all;
protocol device {}
protocol bgp ll {
  local fe80::1 port 20850 as 65000;
  neighbor fe80::2 as 65001;
  interface "bs";
  passive on;
  hold time 9;
  ipv6 { import all; export none; };
}
`,
      );
      lab.start("bird", lb, "bird", [
        "-f",
        "-c",
        join(dir, "bird.conf"),
        "-s",
        join(dir, "bird.ctl"),
        "-P",
        join(dir, "bird.pid"),
      ]);

      // zebra refuses root; bgpd then runs as frr too, to reach zebra's socket.
      const frrDir = join(dir, "frr");
      run("mkdir", ["-p", frrDir]);
      writeFileSync(join(frrDir, "zebra.conf"), "hostname lf\n");
      writeFileSync(
        join(frrDir, "bgpd.conf"),
        `hostname lf
log file ${join(frrDir, "bgpd.log")} debugging
router bgp 65000
 bgp router-id 10.0.0.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor fe80::2 remote-as 65001
 neighbor fe80::2 interface fs
 neighbor fe80::2 passive
 neighbor fe80::2 timers 3 9
 address-family ipv6 unicast
  neighbor fe80::2 activate
 exit-address-family
`,
      );
      const frrUser = run("id", ["-u", "frr"]).trim();
      const frrGroup = run("id", ["-g", "frr"]).trim();
      chmodSync(dir, 0o755);
      for (const p of [frrDir, join(frrDir, "zebra.conf"), join(frrDir, "bgpd.conf")]) {
        chownSync(p, Number(frrUser), Number(frrGroup));
      }
      const zserv = join(frrDir, "zserv.api");
      lab.start("zebra", lf, "/usr/lib/frr/zebra", [
        ...["-f", join(frrDir, "zebra.conf"), "-i", join(frrDir, "zebra.pid"), "--vty_socket", frrDir],
        ...["-z", zserv, "-u", "frr", "-g", "frr"],
      ]);
      await waitFor("zebra's socket", async () =>
        (await runCli("test", ["-S", zserv])).code === 0 ? true : undefined,
      );
      lab.start("bgpd", lf, "/usr/lib/frr/bgpd", [
        ...["-f", join(frrDir, "bgpd.conf"), "-i", join(frrDir, "bgpd.pid"), "--vty_socket", frrDir],
        ...["-z", zserv, "-u", "frr", "-g", "frr", "-S", "-p", "20851", "-A", "127.0.0.1", "-P", "0"],
      ]);

      speaker = new NsSpeaker(ls, { asn: 65001, routerId: "10.0.0.11", holdTime: 9, connectRetry: 2 });
      await speaker.ready();
      const v6 = { asn: 65000, families: ["ipv6-unicast" as const] };
      await speaker.addPeer({
        ...v6,
        name: "bird",
        address: "fe80::1%sb",
        localAddress: "fe80::2%sb",
        port: 20850,
      });
      await speaker.addPeer({
        ...v6,
        name: "frr",
        address: "fe80::1%sf",
        localAddress: "fe80::2%sf",
        port: 20851,
      });
      await speaker.announce(PREFIX);
    }, 60_000);

    afterAll(async () => {
      await speaker?.stop();
      await lab.teardown();
      rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it("BIRD: Established over fe80::, the route carries 2001:db8:100::2 and fe80::2 and is usable", async () => {
      await speaker.until("BIRD Established", () => speaker.established("bird"), 20_000);
      const out = await waitFor("BIRD to hold the route", async () => {
        const r = await runCli("birdc", ["-s", join(dir, "bird.ctl"), "show", "route", PREFIX, "all"]);
        return r.stdout.includes("BGP.next_hop") ? r.stdout : undefined;
      });
      expect(out).toMatch(/BGP\.next_hop:\s+2001:db8:100::2 fe80::2/);
      // Usable: a unicast route through the link, not "unreachable".
      expect(out).toMatch(new RegExp(`${PREFIX.replace(/[:/]/g, "\\$&")}\\s+unicast`));
      expect(out).toMatch(/via (2001:db8:100::2|fe80::2) on bs/);
    });

    it("FRR with zebra: Established over fe80::, both next hops accessible, the route installed via fe80::2", async () => {
      await speaker.until("FRR Established", () => speaker.established("frr"), 30_000);
      const vtysh = (daemon: string, cmd: string) =>
        runCli("vtysh", ["--vty_socket", join(dir, "frr"), "-d", daemon, "-c", cmd]);
      const route = await waitFor(
        "FRR to hold the route",
        async () => {
          const r = await vtysh("bgpd", `show bgp ipv6 unicast ${PREFIX} json`);
          const j = JSON.parse(r.stdout || "{}") as {
            paths?: { valid?: boolean; nexthops?: { ip: string; scope: string; accessible?: boolean }[] }[];
          };
          return j.paths?.[0]?.valid ? j.paths[0] : undefined;
        },
        20_000,
      );
      expect(route.nexthops?.map((n) => [n.ip, n.scope, n.accessible])).toEqual([
        ["2001:db8:101::2", "global", true],
        ["fe80::2", "link-local", true],
      ]);
      const installed = await waitFor("zebra to install it", async () => {
        const r = await vtysh("zebra", `show ipv6 route ${PREFIX}`);
        return /Known via "bgp"/.test(r.stdout) ? r.stdout : undefined;
      });
      expect(installed).toMatch(/\* fe80::2, via fs/);
    });
  },
);
