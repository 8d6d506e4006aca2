/**
 * The anycast lab: a small internet in network namespaces, three sites announcing one anycast
 * address through our announcer, a client that follows the nearest healthy site. See
 * docs/anycast-lab.md and the plan in topology.ts.
 *
 *   sudo npx tsx examples/anycast-lab/run.ts
 *
 * Needs root, Linux network namespaces and BIRD 2 (`apt-get install bird2`). Prints each step, the
 * measured failover times, and a last line `RESULT {json}`; exits 0 when every step did what it
 * should, 1 when one did not, 2 when it cannot run here. Everything it created (namespaces,
 * processes, temp files) is removed at the end, also on error or Ctrl-C.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Lab, run, type Started } from "./netns.js";
import { cannotRun, which } from "./preflight.js";
import {
  ANYCAST_V4,
  ANYCAST_V6,
  announcerConfig,
  birdConfig,
  linkPlan,
  regionalPrefixes,
  SERVICE_PORT,
  SITES,
} from "./topology.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEADLINE_MS = Number(process.env.LAB_DEADLINE_MS ?? 50_000);
const t0 = Date.now();
const say = (text: string) => console.log(`[lab +${((Date.now() - t0) / 1000).toFixed(2)}s] ${text}`);

interface Answer {
  readonly at: number;
  readonly url: string;
  readonly location?: string;
  readonly status?: number;
  readonly error?: string;
}

interface LogLine {
  readonly time: string;
  readonly event: string;
  readonly prefix?: string;
}

async function waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main(): Promise<number> {
  const reason = cannotRun();
  if (reason !== undefined) {
    console.error(`anycast lab: ${reason}`);
    return 2;
  }
  const lab = new Lab(`bgplab-${process.pid}-`);
  const dir = mkdtempSync(join(tmpdir(), "bgplab-"));
  const cleanup = async () => {
    await lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: tearing down`);
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const deadline = setTimeout(() => {
    say(`deadline of ${DEADLINE_MS} ms passed: tearing down`);
    void cleanup().finally(() => process.exit(1));
  }, DEADLINE_MS);

  const result: Record<string, unknown> = { namespacePrefix: lab.prefix };
  try {
    await build(lab, dir, result);
    result.ok = true;
  } catch (error) {
    result.ok = false;
    result.error = (error as Error).message;
    say(`FAILED: ${(error as Error).message}`);
  } finally {
    clearTimeout(deadline);
    await cleanup();
    result.leftoverNamespaces = lab.leftovers();
    say(`torn down; namespaces left: ${(result.leftoverNamespaces as string[]).length}`);
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
  return result.ok === true && (result.leftoverNamespaces as string[]).length === 0 ? 0 : 1;
}

async function build(lab: Lab, dir: string, result: Record<string, unknown>): Promise<void> {
  // 1. Namespaces and links.
  const client = lab.netns("client");
  const router = lab.netns("router");
  const sites = SITES.map((site) => lab.netns(`site${site}`));
  const clientLink = linkPlan(0);
  lab.link(
    { ns: router, dev: "to-client", v4: `${clientLink.routerV4}/29`, v6: `${clientLink.routerV6}/112` },
    { ns: client, dev: "to-router", v4: `${clientLink.otherV4}/29`, v6: `${clientLink.otherV6}/112` },
  );
  lab.exec(client, "ip", ["route", "add", "default", "via", clientLink.routerV4]);
  lab.exec(client, "ip", ["-6", "route", "add", "default", "via", clientLink.routerV6]);
  lab.exec(router, "sysctl", ["-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
  SITES.forEach((site, i) => {
    const ns = sites[i];
    const link = linkPlan(site);
    lab.link(
      { ns: router, dev: `to-site${site}`, v4: `${link.routerV4}/29`, v6: `${link.routerV6}/112` },
      { ns, dev: "to-router", v4: `${link.otherV4}/29`, v6: `${link.otherV6}/112` },
    );
    lab.exec(ns, "ip", ["route", "add", "default", "via", link.routerV4]);
    lab.exec(ns, "ip", ["-6", "route", "add", "default", "via", link.routerV6]);
    const regional = regionalPrefixes(site);
    lab.exec(ns, "ip", ["addr", "add", `${ANYCAST_V4}/32`, "dev", "lo"]);
    lab.exec(ns, "ip", ["-6", "addr", "add", `${ANYCAST_V6}/128`, "dev", "lo", "nodad"]);
    lab.exec(ns, "ip", ["addr", "add", `${regional.v4Address}/32`, "dev", "lo"]);
  });
  say(`namespaces ${lab.prefix}{client,router,site1,site2,site3} up`);

  // 2. BIRD on the router.
  const birdSocket = join(dir, "bird.ctl");
  const birdConf = join(dir, "bird.conf");
  writeFileSync(birdConf, birdConfig(join(dir, "bird.log")));
  const birdc = (...args: string[]) => run(which("birdc")!, ["-s", birdSocket, ...args]);
  lab.start("bird", router, which("bird")!, [
    "-f",
    "-c",
    birdConf,
    "-s",
    birdSocket,
    "-P",
    join(dir, "bird.pid"),
  ]);
  await waitUntil("BIRD to answer", () => {
    try {
      birdc("show", "status");
      return true;
    } catch {
      return undefined;
    }
  });
  say("BIRD running in the router namespace");

  // 3. The sites: service and announcer each.
  const tsx = (script: string, args: readonly string[]) => ["--import", "tsx", join(ROOT, script), ...args];
  const services: Started[] = [];
  const logs = new Map<number, LogLine[]>();
  for (const [i, site] of SITES.entries()) {
    const ns = sites[i];
    services.push(
      lab.start(
        `service site-${site}`,
        ns,
        process.execPath,
        tsx("examples/anycast-lab/site-service.ts", [`site-${site}`]),
        (l) => say(`site-${site} service: ${l}`),
        { cwd: ROOT },
      ),
    );
    const config = join(dir, `site${site}.json`);
    writeFileSync(config, JSON.stringify(announcerConfig(site), null, 2));
    const lines: LogLine[] = [];
    logs.set(site, lines);
    lab.start(
      `announcer site-${site}`,
      ns,
      process.execPath,
      tsx("examples/announcer.ts", ["--config", config]),
      (line) => {
        if (!line.startsWith("{")) {
          say(`site-${site} announcer: ${line}`);
          return;
        }
        const record = JSON.parse(line) as LogLine & { action?: string; reason?: string };
        lines.push(record);
        if (record.event !== "start")
          say(
            `site-${site} announcer: ${record.event} ${record.prefix ?? ""} ${record.action ?? record.reason ?? ""}`,
          );
      },
      { cwd: ROOT },
    );
  }
  const anycastRoutes = () => birdc("show", "route", `${ANYCAST_V4}/32`, "all");
  await waitUntil(
    "BIRD to learn the anycast route from all three sites",
    () => {
      try {
        return (anycastRoutes().match(/BGP\.as_path:/g) ?? []).length === 3 ? true : undefined;
      } catch {
        return undefined; // "Network not found" until the first arrives
      }
    },
    20_000,
  );
  say(`BIRD's routes to ${ANYCAST_V4}/32:\n${birdc("show", "route", `${ANYCAST_V4}/32`)}`);

  // 4. The client.
  const urls = [
    `http://${ANYCAST_V4}:${SERVICE_PORT}/`,
    `http://[${ANYCAST_V6}]:${SERVICE_PORT}/`,
    `http://${regionalPrefixes(1).v4Address}:${SERVICE_PORT}/`,
  ];
  const answers: Answer[] = [];
  lab.start(
    "client",
    client,
    process.execPath,
    tsx("examples/anycast-lab/client.ts", urls),
    (line) => {
      if (!line.startsWith("{")) return say(`client: ${line}`);
      const answer = JSON.parse(line) as Answer;
      answers.push(answer);
      say(`client: ${answer.url} -> ${answer.error ?? `${answer.status} from ${answer.location}`}`);
    },
    { cwd: ROOT },
  );
  /** The first answer at or after `since` from `location` on `url`. */
  const reached = (url: string, location: string, since: number) =>
    waitUntil(`${url} to answer from ${location}`, () =>
      answers.find((a) => a.url === url && a.at >= since && a.location === location && a.status === 200),
    );
  await reached(urls[0], "site-1", 0);
  await reached(urls[1], "site-1", 0);
  say("client reaches site-1 (the nearest) over IPv4 and IPv6");

  // 5. Failovers. Each step: signal the services, wait for the client to land on the expected site.
  const steps: Record<string, unknown>[] = [];
  const step = async (name: string, signals: [number, NodeJS.Signals][], expect: string) => {
    const startedAt = Date.now();
    for (const [site, signal] of signals) process.kill(services[site - 1].pid, signal);
    const v4 = await reached(urls[0], expect, startedAt);
    const v6 = await reached(urls[1], expect, startedAt);
    const failed = signals.find(([, signal]) => signal === "SIGUSR1")?.[0];
    const down =
      failed === undefined
        ? undefined
        : logs
            .get(failed)
            ?.find(
              (l) => l.event === "down" && l.prefix === `${ANYCAST_V4}/32` && Date.parse(l.time) >= startedAt,
            );
    const record = {
      step: name,
      reached: expect,
      ipv4Ms: v4.at - startedAt,
      ipv6Ms: v6.at - startedAt,
      ...(down === undefined ? {} : { announcerDownMs: Date.parse(down.time) - startedAt }),
    };
    steps.push(record);
    say(
      `${name}: client on ${expect} after ${record.ipv4Ms} ms (IPv4), ${record.ipv6Ms} ms (IPv6)` +
        (down === undefined ? "" : `; the announcer withdrew after ${record.announcerDownMs} ms`),
    );
  };
  const failoverStart = Date.now();
  await step("site-1 unhealthy", [[1, "SIGUSR1"]], "site-2");
  // The regional prefix is gated on its own check (the port still accepts): during the anycast
  // failover it keeps reaching site-1, whose service now answers 503. A request lost to a loaded
  // machine is not an answer, so wait for one that came back, and let none from another site through.
  const regional = await waitUntil(`${urls[2]} to answer from site-1`, () =>
    answers.find((a) => a.url === urls[2] && a.at >= failoverStart && a.location === "site-1"),
  );
  const elsewhere = answers.find(
    (a) => a.url === urls[2] && a.at >= failoverStart && a.location !== undefined && a.location !== "site-1",
  );
  result.regionalDuringFailover = elsewhere?.location ?? regional.location;
  say(`site-1's regional address still answers from ${regional.location} (status ${regional.status})`);
  if (elsewhere !== undefined) {
    throw new Error(`site-1's regional prefix should still reach site-1, but ${elsewhere.location} answered`);
  }
  await step("site-2 unhealthy too", [[2, "SIGUSR1"]], "site-3");
  await step(
    "site-1 and site-2 healthy again",
    [
      [1, "SIGUSR2"],
      [2, "SIGUSR2"],
    ],
    "site-1",
  );
  result.steps = steps;
}

process.exitCode = await main();
