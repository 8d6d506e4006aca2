/**
 * A model-based test of the public API (issue 9): fast-check draws random sequences of addPeer,
 * removePeer, start, close, announce (fresh or reused attribute objects), withdraw, drain, undrain,
 * refresh and routers stopping and restarting, runs them against a real BgpSpeaker with two in-process "routers" (two more
 * BgpSpeakers listening on loopback, like examples/demo.ts) and against a plain model. After each
 * sequence settles, what each router holds, and the speaker's own count of what it sent each peer,
 * must equal the model; no exception may escape; and once
 * everything is closed no timer or socket may be left. At the end the event loop is as empty as
 * it was before the test.
 *
 * Real TCP sessions, real bytes. Only the sessions' clock is scaled (TIME_SCALE times faster), so
 * ConnectRetry and IdleHold take milliseconds and hundreds of sequences fit in CI. Hold time 0
 * (no keepalives) keeps a loaded machine from dropping sessions for reasons the model does not know.
 *
 * MODEL_RUNS sets the number of sequences (CI default below; `npm run test:model` runs more),
 * MODEL_SEED replays a failure.
 */
import { createHook } from "node:async_hooks";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock.js";
import { BgpSpeaker } from "../../src/index.js";
import type { AnnounceAttributes } from "../../src/speaker/route.js";

// Loopback block 127.0.70.0/24 and ports 20700-20709 belong to this test (NET = 70).
const SUT_ADDRESS = "127.0.70.2";
const ROUTERS = {
  A: { address: "127.0.70.1", port: 20700, asn: 65000, routerId: "198.51.100.1" },
  B: { address: "127.0.70.3", port: 20701, asn: 65002, routerId: "198.51.100.3" },
} as const;
type RouterName = keyof typeof ROUTERS;
const ROUTER_NAMES = Object.keys(ROUTERS) as RouterName[];
const SUT_ASN = 65001;
const TIME_SCALE = 100;
const RUNS = Number(process.env.MODEL_RUNS ?? 300);
const MAX_COMMANDS = Number(process.env.MODEL_MAX_COMMANDS ?? 16);
const SETTLE_MS = 8000;

const IPV6_NEXT_HOP = "2001:db8:100::2";
const PREFIXES = [
  "203.0.113.0/24",
  "203.0.113.7/32",
  "10.70.0.0/16",
  "2001:db8:70::/48",
  "2001:db8:70:1::/64",
];
const COMMUNITIES = ["65001:100", "65001:200"];
const GRACEFUL_SHUTDOWN = "65535:0";

/** Timers run TIME_SCALE times faster than the wall clock, and the clock knows what is pending. */
class ScaledClock implements Clock {
  readonly pending = new Set<ReturnType<typeof setTimeout>>();
  private readonly origin = Date.now();
  now(): number {
    return this.origin + (Date.now() - this.origin) * TIME_SCALE;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, ms / TIME_SCALE);
    this.pending.add(handle);
    return handle;
  }
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
    this.pending.delete(handle as ReturnType<typeof setTimeout>);
  }
}

// ---- the model -------------------------------------------------------------------------------

interface RouteModel {
  readonly med?: number;
  readonly communities: readonly string[];
  readonly gracefulShutdown: boolean;
  readonly nextHop?: string;
}

interface Model {
  started: boolean;
  closed: boolean;
  /** Routes announced to all peers, which peers added later get too. */
  readonly global: Map<string, RouteModel>;
  /** Per configured peer: what it should hold. */
  readonly peers: Map<RouterName, Map<string, RouteModel>>;
  /** Routers stopped (and not restarted yet). */
  readonly routersDown: Set<RouterName>;
}

/** What a router should hold from us, as comparable text lines. */
function expected(model: Model, router: RouterName): string[] {
  if (model.routersDown.has(router)) return ["router stopped"];
  const routes = model.peers.get(router);
  if (!model.started || model.closed || routes === undefined) return [];
  return [...routes].map(([prefix, route]) => {
    const communities = [...route.communities, ...(route.gracefulShutdown ? [GRACEFUL_SHUTDOWN] : [])];
    return line(prefix, route.nextHop ?? SUT_ADDRESS, route.med, communities);
  });
}

/** The speaker's own account of a peer: Established with every route sent, or down with none counted. */
function expectedStatus(model: Model, name: RouterName): string {
  if (!model.started || model.closed || model.routersDown.has(name)) return `${name} down out 0`;
  return `${name} Established out ${model.peers.get(name)?.size ?? 0} pending 0`;
}

function line(
  prefix: string,
  nextHop: string | undefined,
  med: number | undefined,
  communities: readonly string[],
) {
  return `${prefix} via ${nextHop} med ${med ?? "-"} communities ${[...new Set(communities)].sort().join(",") || "-"}`;
}

// ---- the real system ---------------------------------------------------------------------------

interface Real {
  readonly clock: ScaledClock;
  readonly sut: BgpSpeaker;
  readonly routers: Record<RouterName, BgpSpeaker>;
  /** One attributes object reused across announce() calls and mutated in between. */
  readonly shared: { med?: number; communities?: string[] };
  readonly stopped: Set<RouterName>;
}

function newRouter(clock: Clock, name: RouterName): BgpSpeaker {
  const { address, port, asn, routerId } = ROUTERS[name];
  const router = new BgpSpeaker({ asn, routerId, listen: { host: address, port }, holdTime: 0, clock });
  router.addPeer({ address: SUT_ADDRESS, asn: SUT_ASN, passive: true, name: "sut", gracefulRestart: false });
  return router;
}

function peerOptions(name: RouterName) {
  const { address, port, asn } = ROUTERS[name];
  return {
    address,
    asn,
    port,
    name,
    localAddress: SUT_ADDRESS,
    connectRetry: 1,
    holdTime: 0,
    gracefulRestart: false as const,
  };
}

function received(router: BgpSpeaker): string[] {
  return router
    .adjRibIn()
    .map((route) =>
      line(route.prefix, route.nextHop, route.attributes.med, route.attributes.communities ?? []),
    )
    .sort();
}

function routeOf(prefix: string, attributes: { med?: number; communities?: readonly string[] }): RouteModel {
  return {
    ...(attributes.med === undefined ? {} : { med: attributes.med }),
    communities: [...(attributes.communities ?? [])],
    gracefulShutdown: false,
    ...(prefix.includes(":") ? { nextHop: IPV6_NEXT_HOP } : {}),
  };
}

/** Runs `call`; it must throw exactly when `shouldThrow`. */
async function expectOutcome(what: string, shouldThrow: boolean, call: () => unknown): Promise<void> {
  let threw: unknown;
  try {
    await call();
  } catch (error) {
    threw = error;
  }
  if (shouldThrow && threw === undefined) throw new Error(`${what}: expected a throw, it was accepted`);
  if (!shouldThrow && threw !== undefined) throw new Error(`${what}: unexpected throw: ${String(threw)}`);
  if (threw !== undefined && !(threw instanceof Error))
    throw new Error(`${what}: threw a non-Error ${String(threw)}`);
}

// ---- commands ------------------------------------------------------------------------------------

type Cmd = fc.AsyncCommand<Model, Real>;

class AddPeer implements Cmd {
  constructor(readonly name: RouterName) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const fails = model.closed || model.peers.has(this.name);
    await expectOutcome(this.toString(), fails, () => real.sut.addPeer(peerOptions(this.name)));
    if (!fails) model.peers.set(this.name, new Map(model.global));
  }
  toString = () => `addPeer(${this.name})`;
}

class RemovePeer implements Cmd {
  constructor(readonly name: RouterName) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const fails = model.closed || !model.peers.has(this.name);
    await expectOutcome(this.toString(), fails, () => real.sut.removePeer(this.name));
    if (!fails) model.peers.delete(this.name);
  }
  toString = () => `removePeer(${this.name})`;
}

class Start implements Cmd {
  constructor(readonly twice: boolean) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await expectOutcome(this.toString(), model.closed, () =>
      this.twice ? Promise.all([real.sut.start(), real.sut.start()]) : real.sut.start(),
    );
    if (!model.closed) model.started = true;
  }
  toString = () => (this.twice ? "start() x2 concurrently" : "start()");
}

class Close implements Cmd {
  constructor(readonly twice: boolean) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await expectOutcome(this.toString(), false, () =>
      this.twice ? Promise.all([real.sut.close(), real.sut.close()]) : real.sut.close(),
    );
    model.closed = true;
  }
  toString = () => (this.twice ? "close() x2 concurrently" : "close()");
}

/** Resolves a peer selector in the model; undefined when it names an unconfigured peer. */
function targets(model: Model, peers: readonly RouterName[] | undefined): RouterName[] | undefined {
  if (peers === undefined) return [...model.peers.keys()];
  return peers.every((peer) => model.peers.has(peer)) ? [...peers] : undefined;
}

class Announce implements Cmd {
  constructor(
    readonly prefix: string,
    readonly attributes: { med?: number; communities?: string[] },
    readonly peers: RouterName[] | undefined,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const to = targets(model, this.peers);
    const fails = model.closed || to === undefined;
    const attributes: AnnounceAttributes & { peers?: string[] } = {
      ...this.attributes,
      ...(this.prefix.includes(":") ? { nextHop: IPV6_NEXT_HOP } : {}),
      ...(this.peers === undefined ? {} : { peers: this.peers }),
    };
    await expectOutcome(this.toString(), fails, () => real.sut.announce(this.prefix, attributes));
    if (fails) return;
    const route = routeOf(this.prefix, this.attributes);
    if (this.peers === undefined) model.global.set(this.prefix, route);
    for (const peer of to) model.peers.get(peer)?.set(this.prefix, route);
  }
  toString = () =>
    `announce(${this.prefix}, ${JSON.stringify(this.attributes)}${this.peers ? `, peers ${this.peers}` : ""})`;
}

/** announce() with the same object each time, its MED changed in between (what a health checker does). */
class AnnounceReused implements Cmd {
  constructor(
    readonly prefix: string,
    readonly med: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const shared = real.shared as AnnounceAttributes & { nextHop?: string };
    shared.med = this.med;
    shared.communities = ["65001:100"];
    // An IPv6 route needs a next hop: the same object gains or loses one.
    if (this.prefix.includes(":")) shared.nextHop = IPV6_NEXT_HOP;
    else delete shared.nextHop;
    const attributes = shared;
    // A MED of -7 is invalid: announce() must check the object again, not trust what it saw before.
    const fails = model.closed || this.med < 0;
    await expectOutcome(this.toString(), fails, () => real.sut.announce(this.prefix, attributes));
    if (fails) return;
    const route = routeOf(this.prefix, { med: this.med, communities: ["65001:100"] });
    model.global.set(this.prefix, route);
    for (const routes of model.peers.values()) routes.set(this.prefix, route);
  }
  toString = () => `announce(${this.prefix}, shared object now med ${this.med})`;
}

class Withdraw implements Cmd {
  constructor(
    readonly prefix: string,
    readonly peers: RouterName[] | undefined,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const to = targets(model, this.peers);
    const fails = model.closed || to === undefined;
    await expectOutcome(this.toString(), fails, () =>
      real.sut.withdraw(this.prefix, this.peers === undefined ? undefined : { peers: this.peers }),
    );
    if (fails) return;
    if (this.peers === undefined) model.global.delete(this.prefix);
    for (const peer of to) model.peers.get(peer)?.delete(this.prefix);
  }
  toString = () => `withdraw(${this.prefix}${this.peers ? `, peers ${this.peers}` : ""})`;
}

class Drain implements Cmd {
  constructor(
    readonly on: boolean,
    readonly prefix: string | undefined,
    readonly peers: RouterName[] | undefined,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const to = targets(model, this.peers);
    const fails = model.closed || to === undefined;
    const options = this.peers === undefined ? undefined : { peers: this.peers };
    await expectOutcome(this.toString(), fails, () =>
      this.on ? real.sut.drain(this.prefix, options) : real.sut.undrain(this.prefix, options),
    );
    if (fails) return;
    const apply = (routes: Map<string, RouteModel>) => {
      for (const [prefix, route] of routes) {
        if (this.prefix === undefined || prefix === this.prefix) {
          routes.set(prefix, { ...route, gracefulShutdown: this.on });
        }
      }
    };
    if (this.peers === undefined) apply(model.global);
    for (const peer of to) apply(model.peers.get(peer)!);
  }
  toString = () =>
    `${this.on ? "drain" : "undrain"}(${this.prefix ?? ""}${this.peers ? `, peers ${this.peers}` : ""})`;
}

/** Asks peers to send their routes again (RFC 2918); the routers send none, so nothing changes. */
class Refresh implements Cmd {
  constructor(readonly peers: RouterName[] | undefined) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const fails = model.closed || targets(model, this.peers) === undefined;
    await expectOutcome(this.toString(), fails, () =>
      real.sut.refresh(this.peers === undefined ? undefined : { peers: this.peers }),
    );
  }
  toString = () => `refresh(${this.peers ? `peers ${this.peers}` : ""})`;
}

/** The router goes away (Cease, listener closed) and stays away until restarted. */
class StopRouter implements Cmd {
  constructor(readonly name: RouterName) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.routers[this.name].close();
    real.stopped.add(this.name);
    model.routersDown.add(this.name);
  }
  toString = () => `stop router ${this.name}`;
}

/** A new router on the same address and port: the speaker reconnects and sends everything again. */
class RestartRouter implements Cmd {
  constructor(readonly name: RouterName) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.routers[this.name].close();
    real.routers[this.name] = newRouter(real.clock, this.name);
    await real.routers[this.name].start();
    real.stopped.delete(this.name);
    model.routersDown.delete(this.name);
  }
  toString = () => `restart router ${this.name}`;
}

const routerName = fc.constantFrom<RouterName>(...ROUTER_NAMES);
const selector = fc.option(fc.subarray(ROUTER_NAMES, { minLength: 1 }), { nil: undefined });
const prefix = fc.constantFrom(...PREFIXES);
const attributes = fc.record(
  { med: fc.constantFrom(0, 100, 1000), communities: fc.subarray(COMMUNITIES) },
  { requiredKeys: [] },
);

const initial = fc.record({
  peers: fc.constantFrom<RouterName[]>(["A", "B"], ["A", "B"], ["A"], ["B"], []),
  start: fc.constantFrom(true, true, true, false),
});

/** Weighted so that most sequences end with live sessions: close() ends everything, so it is rare. */
const command = fc.oneof(
  { weight: 16, arbitrary: fc.tuple(prefix, attributes, selector).map(([p, a, s]) => new Announce(p, a, s)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(prefix, fc.constantFrom(10, 20, 30, -7))
      .map(([p, med]) => new AnnounceReused(p, med)),
  },
  { weight: 6, arbitrary: fc.tuple(prefix, selector).map(([p, s]) => new Withdraw(p, s)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.boolean(), fc.option(prefix, { nil: undefined }), selector)
      .map(([on, p, s]) => new Drain(on, p, s)),
  },
  { weight: 4, arbitrary: routerName.map((name) => new AddPeer(name)) },
  { weight: 2, arbitrary: routerName.map((name) => new RemovePeer(name)) },
  { weight: 3, arbitrary: fc.boolean().map((twice) => new Start(twice)) },
  { weight: 1, arbitrary: fc.boolean().map((twice) => new Close(twice)) },
  { weight: 3, arbitrary: routerName.map((name) => new RestartRouter(name)) },
  { weight: 1, arbitrary: routerName.map((name) => new StopRouter(name)) },
  { weight: 1, arbitrary: selector.map((peers) => new Refresh(peers)) },
);

const commands = fc.commands([command], { maxCommands: MAX_COMMANDS, size: "max" });

// ---- leaks -----------------------------------------------------------------------------------------

const TRACKED = new Set(["TCPSocketWrap", "TCPServerWrap", "TCPConnectWrap", "Timeout", "UDPWrap"]);

/** Counts of the resources this test could leave behind (ref'd handles and requests, timers). */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (TRACKED.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  // Unref'd sockets and servers do not keep the loop alive but are still open: count them too.
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  for (const handle of handles) {
    const kind = handle.constructor.name;
    if (kind === "Socket" || kind === "Server")
      counts.set(`handle:${kind}`, (counts.get(`handle:${kind}`) ?? 0) + 1);
  }
  return counts;
}

function describeCounts(counts: Map<string, number>): string {
  return (
    [...counts]
      .sort()
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ") || "none"
  );
}

/** What is open now beyond the baseline (a count above it is a leak; below it is someone else's). */
function beyond(baseline: Map<string, number>): string {
  const extra = new Map<string, number>();
  for (const [kind, n] of resources())
    if (n > (baseline.get(kind) ?? 0)) extra.set(kind, n - (baseline.get(kind) ?? 0));
  return describeCounts(extra);
}

/**
 * Every timer and socket created while it is enabled and not yet destroyed, by async_hooks: this
 * sees unref'd timers too, which getActiveResourcesInfo() does not.
 */
class ResourceTracker {
  private readonly live = new Map<number, string>();
  private readonly hook = createHook({
    init: (id, type) => {
      if (pollingTimer) return; // the test's own polling, not the code under test
      if (["Timeout", "TCPWRAP", "TCPSERVERWRAP", "TCPCONNECTWRAP", "UDPWRAP"].includes(type))
        this.live.set(id, type);
    },
    destroy: (id) => {
      this.live.delete(id);
    },
  });
  enable(): void {
    this.hook.enable();
  }
  disable(): void {
    this.hook.disable();
  }
  summary(): string {
    const counts = new Map<string, number>();
    for (const type of this.live.values()) counts.set(type, (counts.get(type) ?? 0) + 1);
    return describeCounts(counts);
  }
}

let pollingTimer = false;

async function waitUntil(predicate: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => {
      pollingTimer = true;
      setTimeout(resolve, 10);
      pollingTimer = false;
    });
  }
  return true;
}

// ---- the property -----------------------------------------------------------------------------------

describe("model-based test of the public API", () => {
  const escaped: unknown[] = [];
  const onEscape = (error: unknown) => escaped.push(error);
  let baseline: Map<string, number>;
  beforeAll(() => {
    process.on("uncaughtException", onEscape);
    process.on("unhandledRejection", onEscape);
    baseline = resources();
  });
  afterAll(() => {
    process.off("uncaughtException", onEscape);
    process.off("unhandledRejection", onEscape);
  });

  it(`router RIBs equal the model after ${RUNS} random sequences; nothing escapes or leaks`, async () => {
    let sequences = 0;
    const stats = { withRoutes: 0, routes: 0, restarts: 0, slowestSettleMs: 0 };
    const tracker = new ResourceTracker();
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(initial, commands, async (setup, cmds) => {
        sequences++;
        tracker.enable();
        const clock = new ScaledClock();
        const real: Real = {
          clock,
          sut: new BgpSpeaker({
            asn: SUT_ASN,
            routerId: "198.51.100.2",
            holdTime: 0,
            connectRetry: 1,
            clock,
          }),
          routers: { A: newRouter(clock, "A"), B: newRouter(clock, "B") },
          shared: {},
          stopped: new Set(),
        };
        const model: Model = {
          started: false,
          closed: false,
          global: new Map(),
          peers: new Map(),
          routersDown: new Set(),
        };
        try {
          await Promise.all(ROUTER_NAMES.map((name) => real.routers[name].start()));
          // Most sequences begin with peers configured and the speaker started, so that most
          // commands act on live sessions; the others begin from nothing.
          for (const name of setup.peers) {
            real.sut.addPeer(peerOptions(name));
            model.peers.set(name, new Map());
          }
          if (setup.start) {
            await real.sut.start();
            model.started = true;
          }
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          const want: Record<string, string[]> = {
            ...Object.fromEntries(ROUTER_NAMES.map((name) => [name, expected(model, name).sort()])),
            sut: [...model.peers.keys()].sort().map((name) => expectedStatus(model, name)),
          };
          const got = () => ({
            ...Object.fromEntries(
              ROUTER_NAMES.map((name) => [
                name,
                real.stopped.has(name) ? ["router stopped"] : received(real.routers[name]),
              ]),
            ),
            sut: real.sut
              .peerStatus()
              .map((peer) =>
                peer.state === "Established"
                  ? `${peer.name} Established out ${peer.prefixesOut} pending ${peer.pendingChanges}`
                  : `${peer.name} down out ${peer.prefixesOut}`,
              )
              .sort(),
          });
          const same = () => JSON.stringify(got()) === JSON.stringify(want);
          const settleStart = Date.now();
          await waitUntil(same, SETTLE_MS);
          stats.slowestSettleMs = Math.max(stats.slowestSettleMs, Date.now() - settleStart);
          const routes = ROUTER_NAMES.map((name) => want[name].length).reduce((a, b) => a + b, 0);
          if (routes > 0) stats.withRoutes++;
          stats.routes += routes;
          stats.restarts += cmds.toString().split(" router ").length - 1;
          expect(got(), `the routers' RIBs and the speaker's peer status after ${cmds}`).toEqual(want);
        } finally {
          await real.sut.close().catch(() => undefined);
          await Promise.all(ROUTER_NAMES.map((name) => real.routers[name].close()));
        }
        const clean = await waitUntil(
          () => clock.pending.size === 0 && beyond(baseline) === "none" && tracker.summary() === "none",
          3000,
        );
        tracker.disable();
        expect(
          clean,
          `left behind after close: ${clock.pending.size} session timers; open: ${beyond(baseline)}; not destroyed: ${tracker.summary()}`,
        ).toBe(true);
        expect(escaped).toEqual([]);
      }),
      {
        numRuns: RUNS,
        ...(process.env.MODEL_SEED === undefined ? {} : { seed: Number(process.env.MODEL_SEED) }),
        ...(process.env.MODEL_PATH === undefined ? {} : { path: process.env.MODEL_PATH }),
        endOnFailure: process.env.MODEL_SHRINK === undefined,
      },
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `model: ${sequences} sequences of up to ${MAX_COMMANDS} commands in ${seconds.toFixed(1)} s; ${stats.withRoutes} ended with routes on a router (${stats.routes} routes compared), ${stats.restarts} router stops or restarts, slowest settle ${stats.slowestSettleMs} ms`,
    );
    // The event loop is as empty as before the test: nothing of ours keeps it alive.
    expect(beyond(baseline)).toBe("none");
  }, 600_000);
});
