/**
 * Golden: real ExaBGP 4.2 healthcheck invocations (as written in ExaBGP's own docs and examples and
 * in operators' write-ups) go through our parser unchanged and mean the same settings. ExaBGP's
 * healthcheck is not a BGP speaker, so the resolved cases add only our BGP flags (--local-as …).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/cli/announce.js";
import { parseArgs } from "../../src/cli/args.js";
import type { AnnouncerSettings } from "../../src/cli/settings.js";
import { BGP_ARGV, useTempDir } from "./peer-settings.js";

/** Splits a shell command line as sh would for these cases: single and double quotes, no escapes. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let current = "";
  let last = 0;
  for (const match of line.matchAll(pattern)) {
    const gap = line.slice(last, match.index);
    if (/\s/.test(gap) && current !== "") {
      words.push(current);
      current = "";
    }
    current += match[1] ?? match[2] ?? match[3];
    last = (match.index ?? 0) + match[0].length;
  }
  if (current !== "") words.push(current);
  return words;
}

/** [source, the healthcheck arguments exactly as written there, what they set] */
const GOLDEN: readonly [string, string, AnnouncerSettings][] = [
  [
    "ExaBGP 4.2 lib/exabgp/application/healthcheck.py docstring",
    `--cmd "curl -sf http://127.0.0.1/healthcheck" --label haproxy`,
    { command: "curl -sf http://127.0.0.1/healthcheck", label: "haproxy" },
  ],
  [
    "ExaBGP 4.2 lib/exabgp/application/healthcheck.py docstring",
    `--cmd "mysql -u check -e 'SELECT 1'" --label mysql`,
    { command: "mysql -u check -e 'SELECT 1'", label: "mysql" },
  ],
  [
    "ExaBGP 4.2 etc/exabgp/example-healthcheck.conf",
    `-s --name nginx --cmd "curl --fail --verbose --max-time 2 http://localhost" --start-ip 0`,
    {
      silent: true,
      name: "nginx",
      command: "curl --fail --verbose --max-time 2 http://localhost",
      startIp: 0,
    },
  ],
  [
    "anycast write-up: withdraw on down, communities as ExaBGP writes them",
    `--name dns --ip 203.0.113.53/32 --ip 2001:db8:53::53/128 --next-hop 198.51.100.2 --cmd "dig @127.0.0.1 example.com +short" --interval 5 --fast-interval 1 --rise 5 --fall 2 --withdraw-on-down --community "65000:100 65000:200" --disable /etc/exabgp/dns.disable`,
    {
      name: "dns",
      ip: ["203.0.113.53/32", "2001:db8:53::53/128"],
      nextHop: ["198.51.100.2"],
      command: "dig @127.0.0.1 example.com +short",
      interval: 5,
      fastInterval: 1,
      rise: 5,
      fall: 2,
      withdrawOnDown: true,
      community: ["65000:100", "65000:200"],
      disable: "/etc/exabgp/dns.disable",
    },
  ],
  [
    "every ExaBGP 4.2 healthcheck flag that applies, short forms included",
    `-d -n web -p /run/hc.pid --user nobody --group nogroup -i 0.5 -f 0.2 -t 2 --rise 2 --fall 4 --disable /tmp/off -c "true" -N 198.51.100.2 --ip 203.0.113.1 --ip 203.0.113.2 --local-preference 200 --deaggregate-networks --no-ip-setup --dynamic-ip-setup --start-ip 1 --up-metric 10 --down-metric 20 --disabled-metric 30 --increase 5 --community 65000:1 --extended-community target:65000:7 --large-community 65000:1:2 --disabled-community 65000:666 --as-path "65001 65001" --up-as-path 0 --down-as-path "65001 65001 65001" --disabled-as-path 3 --neighbor 198.51.100.1 --execute "logger any" --execute "logger any2" --up-execute "logger up" --down-execute "logger down" --disabled-execute "logger disabled" --no-ack --no-syslog --sudo`,
    {
      debug: true,
      name: "web",
      pid: "/run/hc.pid",
      user: "nobody",
      group: "nogroup",
      interval: 0.5,
      fastInterval: 0.2,
      timeout: 2,
      rise: 2,
      fall: 4,
      disable: "/tmp/off",
      command: "true",
      nextHop: ["198.51.100.2"],
      ip: ["203.0.113.1", "203.0.113.2"],
      localPref: 200,
      deaggregateNetworks: true,
      ipSetup: false,
      ipDynamic: true,
      startIp: 1,
      upMed: 10,
      downMed: 20,
      disabledMed: 30,
      increase: 5,
      community: ["65000:1"],
      extendedCommunity: ["target:65000:7"],
      largeCommunity: ["65000:1:2"],
      disabledCommunity: ["65000:666"],
      asPath: "65001 65001",
      upAsPath: 0,
      downAsPath: "65001 65001 65001",
      disabledAsPath: 3,
      peers: ["198.51.100.1"],
      execute: ["logger any", "logger any2"],
      upExecute: ["logger up"],
      downExecute: ["logger down"],
      disabledExecute: ["logger disabled"],
      sudo: true,
    },
  ],
];

const dir = useTempDir("bgp-cli-golden-");

describe("ExaBGP healthcheck invocations, golden", () => {
  it.each(GOLDEN)("%s: %s", (_source, line, settings) => {
    expect(parseArgs(shellWords(line)).settings).toEqual(settings);
  });

  it("the full invocation resolves to ExaBGP's routes: MEDs increased per IP from --start-ip, per-state AS paths and communities", async () => {
    const words = shellWords(GOLDEN[4][1]).filter(
      (word, i, all) =>
        !["--user", "--group", "-p"].includes(all[i - 1] ?? "") &&
        !["--user", "--group", "-p"].includes(word),
    );
    const config = await loadConfig([...BGP_ARGV, ...words.filter((w) => w !== "--deaggregate-networks")]);
    const [service] = config.services;
    expect(service.name).toBe("web");
    expect(service.gate).toMatchObject({ intervalSec: 0.5, fastIntervalSec: 0.2, rise: 2, fall: 4 });
    expect(service.timeoutSec).toBe(2);
    expect(service.execute).toEqual({
      any: ["logger any", "logger any2"],
      up: ["logger up"],
      down: ["logger down"],
      disabled: ["logger disabled"],
    });
    const common = {
      nextHop: "198.51.100.2",
      localPref: 200,
      largeCommunities: ["65000:1:2"],
      extendedCommunities: ["0002fde800000007"],
      peers: ["198.51.100.1"],
    };
    // --start-ip 1: 203.0.113.2 comes first and gets the base MEDs; the next one +5 (--increase).
    expect(service.prefixes).toEqual([
      {
        prefix: "203.0.113.2/32",
        up: { ...common, med: 10, communities: ["65000:1"] },
        down: { ...common, med: 20, communities: ["65000:666"], asPathPrepend: 3 },
        disabled: { ...common, med: 30, communities: ["65000:666"], asPathPrepend: 3 },
      },
      {
        prefix: "203.0.113.1/32",
        up: { ...common, med: 15, communities: ["65000:1"] },
        down: { ...common, med: 25, communities: ["65000:666"], asPathPrepend: 3 },
        disabled: { ...common, med: 35, communities: ["65000:666"], asPathPrepend: 3 },
      },
    ]);
    expect(config.logLevel).toBe("debug");
    expect(config.ip).toEqual({ setup: false, dynamic: true, sudo: true });
  });

  it("--interval 0 checks until a state is reached, then stops (ExaBGP: announce once and stay)", async () => {
    const config = await loadConfig([...BGP_ARGV, "--ip", "203.0.113.1", "-c", "true", "-i", "0"]);
    expect(config.services[0].once).toBe(true);
    expect(config.services[0].gate.intervalSec).toBe(1);
  });

  it("reads ExaBGP's key = value config file, flags on the command line win", async () => {
    const path = join(dir, "dns-lb-1");
    writeFileSync(
      path,
      [
        "# as in ExaBGP's healthcheck --config",
        "name = dns-lb-1",
        "ip = 203.0.113.53/32",
        "next-hop = 198.51.100.2",
        "command = dig @127.0.0.1 example.com a +short",
        "disable = /etc/exabgp/healthcheck_dns-lb-1.disable",
        "interval = 5",
        "fast-interval = 1",
        "rise = 5",
        "fall = 2",
        "withdraw-on-down",
        "",
      ].join("\n"),
    );
    const config = await loadConfig([...BGP_ARGV, "--config", path, "--rise", "3"]);
    const [service] = config.services;
    expect(service).toMatchObject({
      name: "dns-lb-1",
      checks: [{ kind: "command", command: "dig @127.0.0.1 example.com a +short" }],
      disableFile: "/etc/exabgp/healthcheck_dns-lb-1.disable",
      gate: { intervalSec: 5, fastIntervalSec: 1, rise: 3, fall: 2 },
      prefixes: [{ prefix: "203.0.113.53/32", up: { nextHop: "198.51.100.2", med: 100 }, down: "withdraw" }],
    });
  });
});
