import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalPrefix, splitHostPort } from "../../src/cli/addresses.js";
import { parseArgs } from "../../src/cli/args.js";
import { loadConfigFile, resolveConfig } from "../../src/cli/config.js";
import { type AnnouncerSettings, checkSettings, SettingsError } from "../../src/cli/settings.js";

const dir = mkdtempSync(join(tmpdir(), "bgp-cli-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE: AnnouncerSettings = {
  localAs: 65001,
  routerId: "198.51.100.2",
  peer: ["198.51.100.1"],
  peerAs: 65000,
};

describe("addresses", () => {
  it("makes a bare address a host prefix and canonicalises", () => {
    expect(canonicalPrefix("x", "203.0.113.1")).toBe("203.0.113.1/32");
    expect(canonicalPrefix("x", "2001:DB8:AC:0::1")).toBe("2001:db8:ac::1/128");
    expect(canonicalPrefix("x", "203.0.113.0/24")).toBe("203.0.113.0/24");
    expect(() => canonicalPrefix("x", "203.0.113.1/24")).toThrow(/bits set after \/24/);
    expect(() => canonicalPrefix("x", "203.0.113.0/33")).toThrow(/bad prefix length/);
    expect(() => canonicalPrefix("x", "example.com")).toThrow(/not an IP prefix/);
  });

  it("splits HOST:PORT, [V6]:PORT, bare IPv6 and bare ports", () => {
    expect(splitHostPort("x", "127.0.0.2:1179")).toEqual({ host: "127.0.0.2", port: 1179 });
    expect(splitHostPort("x", "[2001:db8::1]:179")).toEqual({ host: "2001:db8::1", port: 179 });
    expect(splitHostPort("x", "2001:db8::1")).toEqual({ host: "2001:db8::1" });
    expect(splitHostPort("x", "[::1]")).toEqual({ host: "::1" });
    expect(splitHostPort("x", "8080", { portOnly: true })).toEqual({ port: 8080 });
    expect(() => splitHostPort("x", "127.0.0.2:0")).toThrow(/bad port/);
    expect(() => splitHostPort("x", "127.0.0.2:http")).toThrow(/bad port/);
  });
});

describe("resolveConfig", () => {
  it("gives ExaBGP's timing defaults, withdraws on DOWN and DISABLED unless a --down-med / --disabled-med is given", () => {
    const config = resolveConfig({}, { ...BASE, ip: ["203.0.113.1"], http: "http://127.0.0.1/" });
    expect(config.speaker).toEqual({ asn: 65001, routerId: "198.51.100.2" });
    expect(config.peers).toEqual([{ address: "198.51.100.1", port: 179, asn: 65000 }]);
    expect(config.services).toEqual([
      {
        name: "default",
        checks: [{ kind: "http", url: "http://127.0.0.1/" }],
        timeoutSec: 5,
        once: false,
        staleAfter: 30,
        checkDeadlineSec: 10,
        gate: { intervalSec: 5, fastIntervalSec: 1, rise: 3, fall: 3, holdDownSec: 0 },
        prefixes: [{ prefix: "203.0.113.1/32", up: { med: 100 }, down: "withdraw", disabled: "withdraw" }],
        execute: { any: [], up: [], down: [], disabled: [] },
      },
    ]);
    const keeping = resolveConfig(
      {},
      { ...BASE, ip: ["203.0.113.1"], tcp: "127.0.0.1:80", downMed: 1000, disabledMed: 500 },
    );
    expect(keeping.services[0].prefixes[0]).toEqual({
      prefix: "203.0.113.1/32",
      up: { med: 100 },
      down: { med: 1000 },
      disabled: { med: 500 },
    });
    const withdrawing = resolveConfig(
      {},
      { ...BASE, ip: ["203.0.113.1"], tcp: "127.0.0.1:80", withdrawOnDown: true, downMed: 1000 },
    );
    expect(withdrawing.services[0].prefixes[0]).toEqual({
      prefix: "203.0.113.1/32",
      up: { med: 100 },
      down: "withdraw",
      disabled: "withdraw",
    });
  });

  it("never makes the fast interval slower than the interval", () => {
    const fast = (settings: AnnouncerSettings) =>
      resolveConfig({}, { ...BASE, ip: ["203.0.113.1"], command: "true", ...settings }).services[0].gate
        .fastIntervalSec;
    expect(fast({ interval: 0.1 })).toBe(0.1);
    expect(fast({ interval: 10 })).toBe(1);
    expect(fast({ interval: 0.1, fastInterval: 0.5 })).toBe(0.5);
  });

  it("maps route flags onto announce attributes", () => {
    const { args } = {
      args: parseArgs([
        "--ip",
        "203.0.113.0/24",
        "--next-hop",
        "198.51.100.2",
        "--community",
        "65001:1",
        "--large-community",
        "65001:2:3",
        "--as-path",
        "2",
        "--up-med",
        "10",
        "--command",
        "true",
      ]),
    };
    const config = resolveConfig({}, { ...BASE, ...args.settings });
    expect(config.services[0].prefixes[0].up).toEqual({
      nextHop: "198.51.100.2",
      communities: ["65001:1"],
      largeCommunities: ["65001:2:3"],
      asPathPrepend: 2,
      med: 10,
    });
    expect(config.services[0].checks).toEqual([{ kind: "command", command: "true" }]);
  });

  it("gives each prefix the next hop of its own family", () => {
    const config = resolveConfig(
      {},
      {
        ...BASE,
        command: "true",
        nextHop: ["2001:DB8:100::2", "198.51.100.2"],
        ip: ["203.0.113.1", "2001:db8:ac::1", { prefix: "2001:db8:ac::2", nextHop: ["2001:db8:100::9"] }],
      },
    );
    expect(config.services[0].prefixes.map((p) => p.up.nextHop)).toEqual([
      "198.51.100.2",
      "2001:db8:100::2",
      "2001:db8:100::9",
    ]);
    // An IPv6 prefix to a peer over IPv4 needs an IPv6 next hop: refused at start, not at announce time.
    expect(() =>
      resolveConfig({}, { ...BASE, command: "true", nextHop: ["198.51.100.2"], ip: ["2001:db8:ac::1"] }),
    ).toThrow(/--next-hop: IPv6 prefix 2001:db8:ac::1\/128 goes to 198\.51\.100\.1 over an IPv4 session/);
    const v6peer = resolveConfig(
      {},
      {
        ...BASE,
        peer: ["2001:db8:100::1"],
        command: "true",
        nextHop: ["198.51.100.2"],
        ip: ["2001:db8:ac::1"],
      },
    );
    expect(v6peer.services[0].prefixes[0].up).toEqual({ med: 100 });
    expect(() =>
      resolveConfig(
        {},
        { ...BASE, command: "true", nextHop: ["198.51.100.2", "198.51.100.3"], ip: ["203.0.113.1"] },
      ),
    ).toThrow(/at most one IPv4 and one IPv6 next hop/);
  });

  it("reads peers in every form and takes the router id from an IPv4 local address", () => {
    const config = resolveConfig(
      {},
      {
        localAs: 65001,
        localAddress: "127.0.0.1",
        peerAs: 65000,
        peer: [
          "127.0.0.2:1179",
          "[::1]:2179",
          "2001:db8::2",
          { address: "127.0.0.3", port: 3179, peerAs: 65003, passive: true },
        ],
        listen: "127.0.0.1:11179",
        holdTime: 9,
        ip: ["203.0.113.1"],
        socket: "8080",
      },
    );
    expect(config.speaker).toEqual({
      asn: 65001,
      routerId: "127.0.0.1",
      listen: { host: "127.0.0.1", port: 11179 },
      holdTime: 9,
    });
    expect(config.peers).toEqual([
      { address: "127.0.0.2", port: 1179, asn: 65000, localAddress: "127.0.0.1", holdTime: 9 },
      { address: "::1", port: 2179, asn: 65000, localAddress: "127.0.0.1", holdTime: 9 },
      { address: "2001:db8::2", port: 179, asn: 65000, localAddress: "127.0.0.1", holdTime: 9 },
      { address: "127.0.0.3", port: 3179, asn: 65003, localAddress: "127.0.0.1", holdTime: 9, passive: true },
    ]);
    expect(config.services[0].checks).toEqual([{ kind: "socket", port: 8080 }]);
  });

  it("runs services from the file, inheriting top-level settings, with flags overriding the file", async () => {
    const path = join(dir, "anycast.json");
    writeFileSync(
      path,
      JSON.stringify({
        localAs: 65001,
        routerId: "198.51.100.2",
        peerAs: 65000,
        peer: ["198.51.100.1"],
        nextHop: ["2001:db8:100::2"],
        interval: 2,
        rise: 2,
        withdrawOnDown: true,
        community: ["65001:1"],
        services: [
          {
            name: "global",
            http: "http://127.0.0.1:8080/health",
            ip: ["203.0.113.1", { prefix: "2001:db8:ac::1", upMed: 50, community: ["65001:6"] }],
          },
          {
            name: "regional",
            tcp: "127.0.0.1:8443",
            fall: 5,
            withdrawOnDown: false,
            downMed: 900,
            disabledMed: 500,
            dampening: { halfLife: 60 },
            ip: ["203.0.113.64/26"],
          },
        ],
      }),
    );
    const file = await loadConfigFile(path);
    const config = resolveConfig(file, parseArgs(["--interval", "0.5", "--up-med", "20"]).settings);
    const [global, regional] = config.services;
    expect(global.name).toBe("global");
    expect(global.gate).toEqual({ intervalSec: 0.5, fastIntervalSec: 0.5, rise: 2, fall: 3, holdDownSec: 0 });
    expect(global.checks).toEqual([{ kind: "http", url: "http://127.0.0.1:8080/health" }]);
    expect(global.prefixes).toEqual([
      {
        prefix: "203.0.113.1/32",
        up: { communities: ["65001:1"], med: 20 },
        down: "withdraw",
        disabled: "withdraw",
      },
      {
        prefix: "2001:db8:ac::1/128",
        up: { nextHop: "2001:db8:100::2", communities: ["65001:6"], med: 50 },
        down: "withdraw",
        disabled: "withdraw",
      },
    ]);
    expect(regional.gate).toEqual({
      intervalSec: 0.5,
      fastIntervalSec: 0.5,
      rise: 2,
      fall: 5,
      holdDownSec: 0,
      dampening: { halfLifeSec: 60 },
    });
    expect(regional.prefixes[0]).toEqual({
      prefix: "203.0.113.64/26",
      up: { communities: ["65001:1"], med: 20 },
      down: { communities: ["65001:1"], med: 900 },
      disabled: { communities: ["65001:1"], med: 500 },
    });
  });

  it("says what is wrong with a bad file", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"localAs": 65001, "intervall": 1}');
    await expect(loadConfigFile(bad)).rejects.toThrow(`${bad}: unknown setting "intervall"`);
    writeFileSync(bad, "{not json");
    await expect(loadConfigFile(bad)).rejects.toThrow(/is not valid JSON/);
    await expect(loadConfigFile(join(dir, "missing.json"))).rejects.toThrow(/cannot read config file/);
    expect(() => checkSettings("f", { services: [{ ip: [{ upMed: 1 }] }] })).toThrow(
      /services\[0\]\.ip\[0\]: "prefix" is required/,
    );
    expect(() => checkSettings("f", { rise: "2" })).toThrow(/f\.rise: expected an integer/);
    expect(() => checkSettings("f", { peer: [{ port: 1 }] })).toThrow(/"address" is required/);
  });

  it.each([
    [{ ...BASE, ip: ["203.0.113.1"] }, /no health check/],
    [{ ...BASE, http: "http://127.0.0.1/" }, /no prefix to announce/],
    [{ ...BASE, localAs: undefined, ip: ["203.0.113.1"], command: "true" }, /--local-as is required/],
    [{ ...BASE, routerId: undefined, ip: ["203.0.113.1"], command: "true" }, /--router-id/],
    [{ ...BASE, peer: [], ip: ["203.0.113.1"], command: "true" }, /at least one --peer/],
    [{ ...BASE, peerAs: undefined, ip: ["203.0.113.1"], command: "true" }, /--peer-as is required/],
    [{ ...BASE, ip: ["203.0.113.1", "203.0.113.1/32"], command: "true" }, /listed twice/],
    [{ ...BASE, ip: ["203.0.113.1"], http: "ftp://x/" }, /http:\/\/ or https:\/\//],
    [{ ...BASE, ip: ["203.0.113.1"], tcp: "127.0.0.1" }, /--tcp: needs HOST:PORT/],
    [
      { ...BASE, ip: ["203.0.113.1"], command: "true", nextHop: ["gateway"] },
      /--next-hop: invalid nextHop "gateway"/,
    ],
  ])("rejects incomplete settings %#", (settings, message) => {
    expect(() => resolveConfig({}, settings as AnnouncerSettings)).toThrow(SettingsError);
    expect(() => resolveConfig({}, settings as AnnouncerSettings)).toThrow(message);
  });
});
