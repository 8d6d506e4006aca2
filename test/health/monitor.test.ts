import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { installExitHandler, type ProcessLike } from "../../src/health/exit.js";
import type { GateEvent } from "../../src/health/gate.js";
import { HealthMonitor, type HealthMonitorOptions } from "../../src/health/monitor.js";
import type { CheckFn, CheckResult } from "../../src/health/types.js";
import { FakeClock } from "./fake-clock.js";

const pass: CheckFn = () => Promise.resolve({ ok: true, reason: "fine", durationMs: 0 });
const failing: CheckFn = () => Promise.resolve({ ok: false, reason: "broken", durationMs: 0 });

/** A monitor on a fake clock with its published events and error events recorded. */
function watch(options: Omit<HealthMonitorOptions, "clock">) {
  const clock = new FakeClock();
  const monitor = new HealthMonitor({ ...options, clock });
  const events: string[] = [];
  const errors: unknown[] = [];
  const rounds: string[] = [];
  monitor.on("event", (event: GateEvent) => events.push(`${event.atMs} ${event.type}: ${event.reason}`));
  monitor.on("error", (error) => errors.push(error));
  monitor.on("round", (round) => rounds.push(`${round.atMs} ${round.ok ? "ok" : "fail"}: ${round.reason}`));
  return { clock, monitor, events, errors, rounds };
}

describe("HealthMonitor: a misbehaving check is a failed check", () => {
  it("a check that throws synchronously fails the round, once per interval, with no error events", async () => {
    let calls = 0;
    const { clock, monitor, events, errors, rounds } = watch({
      checks: {
        app: () => {
          calls++;
          throw new Error("boom");
        },
      },
      rise: 1,
      fall: 2,
      intervalSec: 5,
      fastIntervalSec: 1,
    });
    monitor.start();
    await clock.advanceTo(10_000);
    expect(events).toEqual(["1000 down: app: check threw: boom"]);
    expect(rounds.slice(0, 2)).toEqual([
      "0 fail: app: check threw: boom",
      "1000 fail: app: check threw: boom",
    ]);
    expect(calls).toBe(3); // 0, 1000 (fast while falling), 6000: not a hot loop
    expect(errors).toEqual([]);
    await monitor.stop();
    expect(clock.pending).toBe(0);
  });

  it("a non-promise, a wrong shape and a rejection each fail the round", async () => {
    const returns: Record<string, () => unknown> = {
      plain: () => ({ ok: true, reason: "not a promise", durationMs: 0 }),
      nothing: () => undefined,
      shape: () => Promise.resolve({ ok: "yes", reason: 1 }),
      rejects: () => Promise.reject(new Error("no route to host")),
      thenable: () => ({
        // biome-ignore lint/suspicious/noThenProperty: a hand-made thenable that throws from then()
        then() {
          throw new Error("bad thenable");
        },
      }),
    };
    for (const [name, check] of Object.entries(returns)) {
      const { clock, monitor, events } = watch({ checks: { [name]: check as CheckFn }, rise: 1, fall: 1 });
      monitor.start();
      await clock.advanceTo(0);
      expect(monitor.state, name).toBe("down");
      expect(events, name).toHaveLength(1);
      await monitor.stop();
    }
    const reasons = async (check: () => unknown) => {
      const { clock, monitor, rounds } = watch({ checks: { c: check as CheckFn }, rise: 1, fall: 1 });
      monitor.start();
      await clock.advanceTo(0);
      await monitor.stop();
      return rounds[0];
    };
    expect(await reasons(returns.plain)).toBe("0 fail: c: check returned an object, not a promise");
    expect(await reasons(returns.nothing)).toBe("0 fail: c: check returned undefined, not a promise");
    expect(await reasons(returns.shape)).toBe(
      "0 fail: c: check gave no result: ok is not a boolean, reason is not a string, durationMs is not a number",
    );
    expect(await reasons(returns.rejects)).toBe("0 fail: c: check threw: no route to host");
    expect(await reasons(returns.thenable)).toBe("0 fail: c: check threw: bad thenable");
  });

  it("a check that ignores its signal and never settles is abandoned at its deadline; its late result is ignored", async () => {
    const signals: AbortSignal[] = [];
    const lateResults: ((result: CheckResult) => void)[] = [];
    const { clock, monitor, events, rounds } = watch({
      checks: {
        stuck: (signal) => {
          signals.push(signal);
          return new Promise((resolve) => lateResults.push(resolve)); // ignores the signal
        },
      },
      rise: 1,
      fall: 2,
      intervalSec: 5,
      fastIntervalSec: 1,
      checkDeadlineSec: 2,
    });
    monitor.start();
    await clock.advanceTo(1999);
    expect(rounds).toEqual([]);
    await clock.advanceTo(2000);
    expect(rounds).toEqual(["2000 fail: stuck: check hung: no result within checkDeadlineSec 2s, abandoned"]);
    expect(signals[0].aborted).toBe(true); // told, though it does not listen
    lateResults[0]({ ok: true, reason: "too late", durationMs: 5000 });
    await clock.advanceTo(5000); // second round at 3000, abandoned at 5000: DOWN
    expect(rounds).toHaveLength(2);
    expect(events).toEqual(["5000 down: stuck: check hung: no result within checkDeadlineSec 2s, abandoned"]);
    await monitor.stop();
    expect(clock.pending).toBe(0);
  });

  it("stop() resolves at once while a check hangs, and nothing is emitted after it", async () => {
    let settle: ((result: CheckResult) => void) | undefined;
    const { clock, monitor, events, rounds } = watch({
      checks: () => new Promise((resolve) => (settle = resolve)), // never settles by itself
      rise: 1,
      fall: 1,
    });
    monitor.start();
    await clock.advanceTo(0);
    expect(settle).toBeDefined();
    let stopped = false;
    void monitor.stop().then(() => (stopped = true));
    await clock.advanceTo(0); // only microtasks and immediates: no time passes
    expect(stopped).toBe(true);
    expect(clock.pending).toBe(0); // no deadline, watchdog or round timer left behind
    settle?.({ ok: true, reason: "late", durationMs: 0 });
    await clock.advanceTo(60_000);
    expect(events).toEqual([]);
    expect(rounds).toEqual([]);
  });

  it("the exit handler withdraws and closes while a check hangs (real clock)", async () => {
    let started = false;
    const monitor = new HealthMonitor({
      checks: () => {
        started = true;
        return new Promise<CheckResult>(() => {}); // ignores its signal, never settles
      },
      checkDeadlineSec: 600,
    });
    const log: string[] = [];
    const proc = Object.assign(new EventEmitter(), {
      exit: (code?: number) => void log.push(`exit ${code}`),
    });
    const handler = installExitHandler({
      speaker: { close: async () => void log.push("close") },
      announcers: [{ withdrawAll: () => void log.push("withdraw") }],
      monitors: [monitor],
      process: proc as unknown as ProcessLike,
    });
    monitor.start();
    while (!started) await new Promise((resolve) => setTimeout(resolve, 5));
    const t0 = performance.now();
    proc.emit("SIGTERM", "SIGTERM");
    while (!log.some((line) => line.startsWith("exit")))
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(performance.now() - t0).toBeLessThan(1000); // not the 600 s deadline, not forever
    expect(log.slice(0, 2)).toEqual(["withdraw", "close"]);
    handler.dispose();
  });

  it("a throwing round listener does not stop the transition", async () => {
    const { clock, monitor, events, errors } = watch({ checks: failing, rise: 1, fall: 1 });
    monitor.on("round", () => {
      throw new Error("metrics broke");
    });
    monitor.start();
    await clock.advanceTo(0);
    expect(events).toEqual(["0 down: check: broken"]);
    expect(errors.map((error) => (error as Error).message)).toEqual(["metrics broke"]);
    await monitor.stop();
  });

  it("a disable-file hook that throws or hangs fails the round instead of stalling it", async () => {
    const thrower = watch({
      checks: pass,
      rise: 1,
      fall: 1,
      disableFile: "/run/maintenance",
      exists: () => {
        throw new Error("EIO");
      },
    });
    thrower.monitor.start();
    await thrower.clock.advanceTo(0);
    expect(thrower.events).toEqual(["0 down: disable file check threw: EIO"]);
    await thrower.monitor.stop();

    const hanger = watch({
      checks: pass,
      rise: 1,
      fall: 1,
      checkDeadlineSec: 1,
      disableFile: "/run/maintenance",
      exists: () => new Promise<boolean>(() => {}),
    });
    hanger.monitor.start();
    await hanger.clock.advanceTo(1000);
    expect(hanger.events).toEqual([
      "1000 down: disable file check check hung: no result within checkDeadlineSec 1s, abandoned",
    ]);
    await hanger.monitor.stop();
  });
});

describe("HealthMonitor freshness watchdog (staleAfter)", () => {
  it("publishes DOWN when a check gives no result for staleAfter, whatever fall says, and UP again after rise results", async () => {
    let hung = true;
    const { clock, monitor, events } = watch({
      checks: {
        app: () => (hung ? new Promise<CheckResult>(() => {}) : pass(new AbortController().signal)),
      },
      rise: 2,
      fall: 100,
      intervalSec: 1,
      fastIntervalSec: 1,
      checkDeadlineSec: 1,
      staleAfter: 2.5,
    });
    monitor.start();
    hung = false;
    await clock.advanceTo(1000); // results at 0 and 1000: UP
    expect(events).toEqual(["1000 up: fine"]);
    hung = true;
    await clock.advanceTo(3499); // rounds at 2000 (abandoned at 3000): no result since 1000
    expect(events).toHaveLength(1);
    await clock.advanceTo(3500);
    expect(events[1]).toBe("3500 down: check app hung: no result for 2.5s (staleAfter 2.5s)");
    await clock.advanceTo(20_000);
    expect(events).toHaveLength(2); // reported once, not on every tick of the staleness
    hung = false;
    await clock.advanceTo(25_000);
    expect(events.slice(2)).toEqual(["23000 up: fine"]); // the round of 20 000 hung until 21 000; 22 000 and 23 000 pass
    await monitor.stop();
    expect(clock.pending).toBe(0);
  });

  it("defaults to 3 x (intervalSec + checkDeadlineSec) and counts from start()", async () => {
    const { clock, monitor, events } = watch({
      checks: { app: () => new Promise<CheckResult>(() => {}) },
      fall: 100,
      intervalSec: 2,
      checkDeadlineSec: 3,
    });
    expect(monitor.staleAfterMs).toBe(15_000);
    clock.setTimeout(() => monitor.start(), 1000);
    await clock.advanceTo(15_999);
    expect(events).toEqual([]);
    await clock.advanceTo(16_000);
    expect(events).toEqual(["16000 down: check app hung: no result for 15s (staleAfter 15s)"]);
    await monitor.stop();
  });

  it("a disabled service does not go stale", async () => {
    const files = new Set(["/run/maintenance"]);
    const { clock, monitor, events, errors } = watch({
      checks: { app: () => new Promise<CheckResult>(() => {}) },
      intervalSec: 1,
      checkDeadlineSec: 1,
      staleAfter: 3,
      disableFile: "/run/maintenance",
      exists: (path) => files.has(path),
    });
    monitor.start();
    await clock.advanceTo(30_000);
    expect(events).toEqual(["0 disabled: disable file /run/maintenance present"]);
    expect(errors).toEqual([]);
    await monitor.stop();
  });
});

describe("HealthMonitor quorum (checksRequired)", () => {
  it("a round passes when at least checksRequired checks pass", async () => {
    const health = { a: true, b: true, c: true };
    const check =
      (name: keyof typeof health): CheckFn =>
      () =>
        Promise.resolve({ ok: health[name], reason: health[name] ? "up" : "refused", durationMs: 0 });
    const { clock, monitor, events, rounds } = watch({
      checks: { a: check("a"), b: check("b"), c: check("c") },
      checksRequired: 2,
      rise: 1,
      fall: 1,
      intervalSec: 1,
    });
    monitor.start();
    await clock.advanceTo(0);
    health.b = false;
    await clock.advanceTo(1000);
    health.a = false;
    await clock.advanceTo(2000);
    expect(rounds).toEqual([
      "0 ok: all 3 checks passed",
      "1000 ok: 2 of 3 checks passed, 2 required; b: refused",
      "2000 fail: 1 of 3 checks passed, 2 required; a: refused",
    ]);
    expect(events).toEqual([
      "0 up: all 3 checks passed",
      "2000 down: 1 of 3 checks passed, 2 required; a: refused",
    ]);
    await monitor.stop();
  });

  it("by default every check must pass", async () => {
    const { clock, monitor, events } = watch({ checks: { a: pass, b: failing }, rise: 1, fall: 1 });
    monitor.start();
    await clock.advanceTo(0);
    expect(events).toEqual(["0 down: b: broken"]);
    await monitor.stop();
  });

  it("the watchdog needs checksRequired fresh checks, not all", async () => {
    const { clock, monitor, events } = watch({
      checks: { a: pass, b: () => new Promise<CheckResult>(() => {}) },
      checksRequired: 1,
      rise: 1,
      fall: 100,
      intervalSec: 1,
      checkDeadlineSec: 1,
      staleAfter: 3,
    });
    monitor.start();
    await clock.advanceTo(20_000);
    expect(events).toEqual([
      "1000 up: 1 of 2 checks passed, 1 required; b: check hung: no result within checkDeadlineSec 1s, abandoned",
    ]);
    await monitor.stop();
  });
});

describe("HealthMonitor options are checked at construction", () => {
  const base = { checks: pass };
  it.each([
    [{ ...base, checksRequired: 0 }, RangeError, "checksRequired must be an integer from 1 to 1"],
    [
      { checks: { a: pass, b: pass }, checksRequired: 3 },
      RangeError,
      "checksRequired must be an integer from 1 to 2",
    ],
    [{ ...base, checksRequired: 1.5 }, TypeError, "checksRequired"],
    [{ ...base, staleAfter: 0 }, RangeError, "staleAfter must be > 0"],
    [
      { ...base, staleAfter: 15 },
      RangeError,
      "staleAfter must be > max(intervalSec, fastIntervalSec) + checkDeadlineSec = 15",
    ],
    [{ ...base, staleAfter: "30" }, TypeError, "staleAfter must be a finite number of seconds"],
    [{ ...base, checkDeadlineSec: -1 }, RangeError, "checkDeadlineSec must be > 0"],
    [{ ...base, intervalSec: 0 }, RangeError, "intervalSec must be > 0 and <= 86400"],
    [{ ...base, rise: 0 }, RangeError, "rise must be an integer from 1 to 10000"],
    [{ ...base, stalAfter: 30 }, TypeError, 'unknown option "stalAfter"'],
    [{ checks: { a: pass, b: "curl localhost" } }, TypeError, "checks.b must be a function"],
    [{ checks: {} }, RangeError, "checks must name at least one check"],
    [{ checks: "true" }, TypeError, "checks must be a function or an object"],
    [{ ...base, dampening: { halfLife: 60 } }, TypeError, 'dampening: unknown option "halfLife"'],
    [{ ...base, dampening: { penalty: -5 } }, RangeError, "dampening.penalty must be a finite number > 0"],
    [{ ...base, disableFile: "" }, TypeError, "disableFile must be a non-empty string"],
    [{ ...base, signal: {} }, TypeError, "signal must be an AbortSignal"],
  ])("%o", (options, type, message) => {
    expect(() => new HealthMonitor(options as unknown as HealthMonitorOptions)).toThrow(type);
    expect(() => new HealthMonitor(options as unknown as HealthMonitorOptions)).toThrow(message);
  });

  it("accepts a staleAfter just above the longest normal wait", () => {
    const monitor = new HealthMonitor({
      checks: pass,
      intervalSec: 5,
      checkDeadlineSec: 10,
      staleAfter: 15.001,
    });
    expect(monitor.staleAfterMs).toBe(15_001);
    expect(monitor.checksRequired).toBe(1);
  });
});
