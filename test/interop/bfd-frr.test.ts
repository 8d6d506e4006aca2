/**
 * BFD against FRR (bfdd + `neighbor … bfd`), in network namespaces, as root: the router namespace
 * runs zebra (bgpd reaches bfdd through it), bgpd and bfdd; host 1 runs our speaker with BFD
 * (0.3 s × 3) over IPv4 and IPv6, host 2 without BFD (hold time 9 s). Measured in one run: how
 * long FRR keeps a frozen host's routes with and without BFD, and how long our speaker takes to
 * notice a frozen FRR; and BGP stays up when FRR's BFD session is administratively down. FRR 8.4's
 * bfdd has no authentication, so the key tests run against BIRD only (bfd-bird.test.ts).
 * Mandatory under CI=true as root, skipped otherwise.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Started } from "../../examples/anycast-lab/netns.js";
import { findExecutable } from "./harness/availability.js";
import {
  BfdLab,
  freeze,
  HOST_ASN,
  type Host,
  LINKS,
  labUnusable,
  lastStatus,
  ROUTER_ASN,
  resume,
  stablyUp,
  waitUntil,
} from "./harness/bfd-lab.js";

const FRR = "/usr/lib/frr";

function bgpdConfig(): string {
  const [l1, l2] = LINKS;
  const neighbor = (address: string, bfd: boolean) =>
    [
      ` neighbor ${address} remote-as ${HOST_ASN}`,
      ` neighbor ${address} timers 3 9`,
      ` neighbor ${address} timers connect 1`,
      ` neighbor ${address} advertisement-interval 0`,
      bfd ? ` neighbor ${address} bfd` : "",
    ]
      .filter(Boolean)
      .join("\n");
  return `hostname bfd-frr
router bgp ${ROUTER_ASN}
 bgp router-id ${l1.routerV4}
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
${neighbor(l1.hostV4, true)}
${neighbor(l1.hostV6, true)}
${neighbor(l2.hostV4, false)}
 address-family ipv4 unicast
  neighbor ${l1.hostV4} activate
  neighbor ${l2.hostV4} activate
 exit-address-family
 address-family ipv6 unicast
  neighbor ${l1.hostV6} activate
 exit-address-family
`;
}

const unusable =
  labUnusable() ??
  (["bgpd", "bfdd", "zebra"].some((d) => findExecutable(`${FRR}/${d}`) === undefined) ||
  findExecutable("vtysh") === undefined
    ? "needs FRR (bgpd, bfdd, zebra, vtysh): apt-get install frr"
    : undefined);
const mandatory = process.env.CI === "true" && labUnusable() === undefined;

if (unusable !== undefined && !mandatory) {
  console.warn(`[interop] skipping BFD with FRR: ${unusable}`);
  describe.skip(`BFD with FRR (skipped: ${unusable})`, () => {
    it("runs", () => {});
  });
} else if (unusable !== undefined) {
  describe("BFD with FRR", () => {
    it("needs FRR and root", () => {
      throw new Error(`${unusable}. BFD interop is mandatory under CI=true.`);
    });
  });
} else {
  describe("BFD with FRR", () => {
    let lab: BfdLab;
    let h1: Host;
    let h2: Host;
    const daemons: Started[] = [];
    const vtysh = (daemon: string, ...commands: string[]) =>
      lab.routerExec("vtysh", ["--vty_socket", lab.dir, "-d", daemon, ...commands.flatMap((c) => ["-c", c])]);
    /** Prefixes FRR holds, per family. */
    const routes = async (family: "ipv4" | "ipv6") => {
      const out = JSON.parse(await vtysh("bgpd", `show bgp ${family} unicast json`)) as {
        routes?: Record<string, unknown>;
      };
      return Object.keys(out.routes ?? {});
    };
    const has = async (family: "ipv4" | "ipv6", prefix: string) => (await routes(family)).includes(prefix);
    const established = async (address: string) => {
      const out = JSON.parse(await vtysh("bgpd", `show bgp neighbors ${address} json`)) as Record<
        string,
        { bgpState?: string }
      >;
      return out[address]?.bgpState === "Established";
    };
    interface FrrBfdPeer {
      peer: string;
      status: string;
      "remote-receive-interval"?: number;
      "remote-transmit-interval"?: number;
      "remote-detect-multiplier"?: number;
      "detect-multiplier"?: number;
      "receive-interval"?: number;
      "transmit-interval"?: number;
    }
    const bfdPeers = async () => JSON.parse(await vtysh("bfdd", "show bfd peers json")) as FrrBfdPeer[];

    beforeAll(async () => {
      lab = new BfdLab("f", 2);
      // zebra runs as the frr user and writes its sockets and pid file here.
      chmodSync(lab.dir, 0o777);
      const file = (name: string, text: string) => {
        const path = join(lab.dir, name);
        writeFileSync(path, text);
        chmodSync(path, 0o666);
        return path;
      };
      const zserv = join(lab.dir, "zserv.api");
      const common = (name: string, user: string) => [
        ...["-i", join(lab.dir, `${name}.pid`), "--vty_socket", lab.dir, "-z", zserv],
        ...["-A", "127.0.0.1", "-P", "0", "-u", user, "-g", user],
        // -S: no user/capability switch (root is not in the frrvty group), as the bgpd harness does.
        ...(user === "root" ? ["-S"] : []),
      ];
      const log = (name: string) => (line: string) => {
        if (process.env.BFD_LAB_VERBOSE) console.log(`[${name}] ${line}`);
      };
      daemons.push(
        lab.lab.start(
          "zebra",
          lab.router,
          `${FRR}/zebra`,
          ["-f", file("zebra.conf", "hostname z\n"), ...common("zebra", "frr")],
          log("zebra"),
        ),
      );
      await waitUntil(
        "zebra's socket",
        async () => ((await lab.routerExec("ls", [lab.dir])).includes("zserv.api") ? true : undefined),
        10_000,
        50,
      );
      daemons.push(
        lab.lab.start(
          "bfdd",
          lab.router,
          `${FRR}/bfdd`,
          // bfdd knows no -S: it runs as frr, with the capabilities FRR keeps for it.
          [
            "-f",
            file("bfdd.conf", "hostname b\n"),
            ...common("bfdd", "frr"),
            "--bfdctl",
            join(lab.dir, "bfdd.sock"),
          ],
          log("bfdd"),
        ),
        lab.lab.start(
          "bgpd",
          lab.router,
          `${FRR}/bgpd`,
          ["-f", file("bgpd.conf", bgpdConfig()), ...common("bgpd", "root")],
          log("bgpd"),
        ),
      );
      const [l1, l2] = LINKS;
      const peer = { asn: ROUTER_ASN, holdTime: 9, connectRetry: 1 };
      h1 = lab.startHost(
        0,
        [
          {
            ...peer,
            address: l1.routerV4,
            families: ["ipv4-unicast"],
            bfd: { interval: 0.3, multiplier: 3 },
          },
          {
            ...peer,
            address: l1.routerV6,
            families: ["ipv6-unicast"],
            bfd: { interval: 0.3, multiplier: 3 },
          },
        ],
        [
          { prefix: "10.90.1.0/24", nextHop: l1.hostV4 },
          { prefix: "2001:db8:90:1::/64", nextHop: l1.hostV6 },
        ],
      );
      h2 = lab.startHost(
        1,
        [{ ...peer, address: l2.routerV4, families: ["ipv4-unicast"] }],
        [{ prefix: "10.90.2.0/24", nextHop: l2.hostV4 }],
      );
    }, 30_000);

    afterAll(async () => {
      await lab?.teardown();
      expect(lab?.leftovers() ?? []).toEqual([]);
    }, 30_000);

    it("BFD comes Up over IPv4 and IPv6 with the intervals we asked for", async () => {
      const [l1, l2] = LINKS;
      for (const a of [l1.hostV4, l1.hostV6, l2.hostV4]) {
        await waitUntil(
          `FRR ${a} Established`,
          async () => ((await established(a)) ? true : undefined),
          25_000,
          100,
        );
      }
      const peers = await waitUntil(
        "FRR's BFD peers up",
        async () => {
          const p = await bfdPeers();
          const up = (a: string) => p.find((x) => x.peer === a && x.status === "up");
          return up(l1.hostV4) && up(l1.hostV6) ? p : undefined;
        },
        15_000,
        100,
      );
      console.log(`[bfd-frr] vtysh -d bfdd show bfd peers:\n${await vtysh("bfdd", "show bfd peers")}`);
      for (const a of [l1.hostV4, l1.hostV6]) {
        expect(peers.find((x) => x.peer === a)).toMatchObject({
          status: "up",
          "remote-receive-interval": 300,
          "remote-transmit-interval": 300,
          "remote-detect-multiplier": 3,
        });
      }
      const ours = await waitUntil(
        "our status",
        () => {
          const s = lastStatus(h1);
          return s.length === 2 && s.every((p) => p.bfd?.state === "Up") ? s : undefined;
        },
        5000,
      );
      for (const p of ours)
        expect(p.bfd).toMatchObject({ state: "Up", detectionTimeMs: 900, txIntervalMs: 300 });
    }, 45_000);

    it("host failure: FRR drops a frozen host's routes in under a second with BFD, at the hold time without", async () => {
      await waitUntil(
        "the hosts' routes at FRR",
        async () =>
          (await has("ipv4", "10.90.1.0/24")) &&
          (await has("ipv6", "2001:db8:90:1::/64")) &&
          (await has("ipv4", "10.90.2.0/24"))
            ? true
            : undefined,
        10_000,
        50,
      );
      const t0 = Date.now();
      freeze(h1.process.pid);
      freeze(h2.process.pid);
      let withBfd: number | undefined;
      let withBfdV6: number | undefined;
      let without: number | undefined;
      try {
        await waitUntil(
          "both frozen hosts' routes gone",
          async () => {
            const [v4, v6] = await Promise.all([routes("ipv4"), routes("ipv6")]);
            const now = Date.now() - t0;
            if (!v4.includes("10.90.1.0/24")) withBfd ??= now;
            if (!v6.includes("2001:db8:90:1::/64")) withBfdV6 ??= now;
            if (!v4.includes("10.90.2.0/24")) without ??= now;
            return withBfd !== undefined && withBfdV6 !== undefined && without !== undefined
              ? true
              : undefined;
          },
          15_000,
          20,
        );
      } finally {
        resume(h1.process.pid);
        resume(h2.process.pid);
      }
      console.log(
        `[bfd-frr] host frozen -> FRR dropped its routes: with BFD 0.3 s × 3 ${withBfd} ms (IPv4), ${withBfdV6} ms (IPv6); without BFD, hold time 9 s: ${without} ms`,
      );
      expect(withBfd!).toBeLessThan(2500);
      expect(withBfdV6!).toBeLessThan(2500);
      expect(without!).toBeGreaterThan(withBfd!);
      expect(without!).toBeGreaterThan(2900);
    }, 30_000);

    const backUp = () => stablyUp(h1, 1500, 25_000);

    it("BGP keeps running when FRR's BFD session is administratively down", async () => {
      await backUp();
      const [l1] = LINKS;
      const from = h1.events.length;
      await vtysh(
        "bfdd",
        "configure terminal",
        "bfd",
        `peer ${l1.hostV4} local-address ${l1.routerV4} interface ${l1.routerDev}`,
        "shutdown",
      );
      const bfdDown = await waitUntil(
        "our bfd-down for FRR's AdminDown",
        () => h1.events.slice(from).find((e) => e.type === "bfd-down" && e.event.peer === l1.routerV4),
        5000,
      );
      expect(bfdDown.event).toMatchObject({ remoteAdminDown: true, diag: 3 });
      await new Promise((r) => setTimeout(r, 2000)); // more than twice the detection time
      expect(h1.events.slice(from).some((e) => e.type === "down")).toBe(false);
      expect(await established(l1.hostV4)).toBe(true);
      expect(lastStatus(h1).find((p) => p.address === l1.routerV4)).toMatchObject({
        state: "Established",
        bfd: { state: "Down" },
      });
      await vtysh(
        "bfdd",
        "configure terminal",
        "bfd",
        `peer ${l1.hostV4} local-address ${l1.routerV4} interface ${l1.routerDev}`,
        "no shutdown",
      );
      await waitUntil(
        "BFD Up again",
        () => h1.events.slice(from).find((e) => e.type === "bfd-up" && e.event.peer === l1.routerV4),
        10_000,
      );
    }, 45_000);

    it("router failure: a frozen FRR ends our session with a down event naming BFD within the detection time", async () => {
      await backUp();
      const pids = await Promise.all(
        ["bfdd", "bgpd"].map(async (d) =>
          Number((await lab.routerExec("cat", [join(lab.dir, `${d}.pid`)])).trim()),
        ),
      );
      const from = h1.events.length;
      const t0 = Date.now();
      for (const pid of pids) freeze(pid);
      let down: Host["events"][number];
      try {
        down = await waitUntil(
          "our down event",
          () => h1.events.slice(from).find((e) => e.type === "down" && e.event.peer === LINKS[0].routerV4),
          10_000,
        );
      } finally {
        for (const pid of pids) resume(pid);
      }
      const ms = down.t - t0;
      console.log(`[bfd-frr] FRR frozen -> our down event after ${ms} ms: ${down.event.reason?.message}`);
      expect(down.event.reason).toMatchObject({ code: 6, subcode: 10 });
      expect(down.event.reason?.message).toMatch(/BFD session down/);
      expect(ms).toBeLessThan(2500);
    }, 45_000);

    it("for comparison, a killed host (the kernel closes its TCP session) loses its routes at once", async () => {
      await waitUntil(
        "host 2's route back at FRR",
        async () => ((await has("ipv4", "10.90.2.0/24")) ? true : undefined),
        25_000,
        50,
      );
      const t0 = Date.now();
      process.kill(h2.process.pid, "SIGKILL");
      await waitUntil(
        "host 2's route gone",
        async () => ((await has("ipv4", "10.90.2.0/24")) ? undefined : true),
        10_000,
        10,
      );
      const ms = Date.now() - t0;
      console.log(`[bfd-frr] host killed (kernel FIN) -> FRR dropped its routes after ${ms} ms`);
      expect(ms).toBeLessThan(2500);
    }, 30_000);

    void daemons;
  });
}
