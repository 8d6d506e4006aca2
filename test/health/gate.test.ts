import { describe, expect, it } from "vitest";
import { type GateEvent, HealthGate } from "../../src/health/gate.js";

const ok = (reason = "fine") => ({ ok: true, reason, check: "http" });
const fail = (reason = "status 503") => ({ ok: false, reason, check: "http" });
const types = (events: GateEvent[]) => events.map((event) => event.type);

describe("HealthGate rise/fall", () => {
  it("needs `rise` successes to go up and `fall` failures to go down, on the fast interval while changing", () => {
    const gate = new HealthGate({ intervalSec: 10, fastIntervalSec: 0.5, rise: 3, fall: 2 }, 0);
    expect(gate.nextCheckMs).toBe(0);
    expect(gate.observe(0, ok())).toEqual([]);
    expect(gate.phase).toBe("rising");
    expect(gate.nextCheckMs).toBe(500);
    expect(gate.observe(500, ok())).toEqual([]);
    expect(gate.nextCheckMs).toBe(1000);
    expect(gate.observe(1000, ok("status 200"))).toEqual([
      { type: "up", from: "init", atMs: 1000, reason: "status 200", check: "http" },
    ]);
    expect(gate.state).toBe("up");
    expect(gate.nextCheckMs).toBe(11_000); // steady: normal interval
    expect(gate.observe(11_000, fail())).toEqual([]);
    expect(gate.phase).toBe("falling");
    expect(gate.nextCheckMs).toBe(11_500);
    expect(gate.observe(11_500, ok())).toEqual([]); // back to up without publishing anything
    expect(gate.phase).toBe("up");
    expect(gate.nextCheckMs).toBe(21_500);
    expect(gate.observe(21_500, fail("timed out after 2s"))).toEqual([]);
    expect(gate.observe(22_000, fail("timed out after 2s"))).toEqual([
      { type: "down", from: "up", atMs: 22_000, reason: "timed out after 2s", check: "http" },
    ]);
    expect(gate.nextCheckMs).toBe(32_000);
  });

  it("a failure while rising goes straight back down and counting restarts", () => {
    const gate = new HealthGate({ rise: 2, fall: 1, intervalSec: 1, fastIntervalSec: 1 }, 0);
    expect(types(gate.observe(0, fail()))).toEqual(["down"]);
    expect(gate.observe(1000, ok())).toEqual([]);
    expect(gate.phase).toBe("rising");
    expect(gate.observe(2000, fail())).toEqual([]); // already published down
    expect(gate.phase).toBe("down");
    expect(gate.observe(3000, ok())).toEqual([]);
    expect(types(gate.observe(4000, ok()))).toEqual(["up"]);
  });

  it("a success after a failure from INIT needs the full `rise`, not one success", () => {
    const gate = new HealthGate({ rise: 2, fall: 2 }, 0);
    expect(gate.observe(0, fail())).toEqual([]);
    expect(gate.phase).toBe("falling");
    expect(gate.observe(1000, ok())).toEqual([]);
    expect(gate.phase).toBe("rising");
    expect(types(gate.observe(2000, ok()))).toEqual(["up"]);
  });

  it("rise=1/fall=1 publish on the first result", () => {
    const gate = new HealthGate({ rise: 1, fall: 1 }, 0);
    expect(types(gate.observe(0, ok()))).toEqual(["up"]);
    expect(types(gate.observe(5000, fail()))).toEqual(["down"]);
  });

  it("rejects nonsense options", () => {
    expect(() => new HealthGate({ rise: 0 })).toThrow(RangeError);
    expect(() => new HealthGate({ intervalSec: -1 })).toThrow(RangeError);
    expect(() => new HealthGate({ dampening: { reuseThreshold: 3000, suppressThreshold: 2000 } })).toThrow(
      RangeError,
    );
  });
});

describe("HealthGate disable file", () => {
  it("publishes DISABLED at once, and after removal waits for rise/fall from INIT", () => {
    const gate = new HealthGate({ intervalSec: 5, fastIntervalSec: 1, rise: 2, fall: 2 }, 0);
    gate.observe(0, ok());
    expect(types(gate.observe(1000, ok()))).toEqual(["up"]);
    expect(gate.observeDisabled(6000, "disable file /tmp/x present")).toEqual([
      { type: "disabled", from: "up", atMs: 6000, reason: "disable file /tmp/x present" },
    ]);
    expect(gate.nextCheckMs).toBe(11_000);
    expect(gate.observeDisabled(11_000)).toEqual([]); // still disabled, nothing new
    gate.enable();
    expect(gate.phase).toBe("init");
    expect(gate.observe(16_000, ok())).toEqual([]);
    expect(gate.state).toBe("disabled"); // RISING publishes nothing
    expect(gate.nextCheckMs).toBe(17_000);
    expect(gate.observe(17_000, ok())).toMatchObject([{ type: "up", from: "disabled", atMs: 17_000 }]);
  });

  it("a failing service leaving maintenance goes DISABLED -> DOWN after `fall` failures", () => {
    const gate = new HealthGate({ rise: 2, fall: 2 }, 0);
    gate.observeDisabled(0);
    gate.enable();
    expect(gate.observe(5000, fail())).toEqual([]);
    expect(gate.observe(6000, fail())).toMatchObject([{ type: "down", from: "disabled" }]);
  });
});

describe("HealthGate hold-down", () => {
  it("delays UP until the previous state lasted holdDown, and wakes the driver exactly then", () => {
    const gate = new HealthGate({ intervalSec: 7, rise: 1, fall: 1, holdDownSec: 30 }, 0);
    expect(types(gate.observe(0, ok()))).toEqual(["up"]); // from init: nothing to hold
    expect(types(gate.observe(7000, fail()))).toEqual(["down"]);
    expect(gate.observe(14_000, ok())).toEqual([]); // healthy again, held until 37 000
    expect(gate.phase).toBe("up");
    expect(gate.state).toBe("down");
    expect(gate.nextWakeMs).toBe(21_000); // next check first
    expect(gate.observe(21_000, ok())).toEqual([]);
    expect(gate.observe(28_000, ok())).toEqual([]);
    expect(gate.observe(35_000, ok())).toEqual([]);
    expect(gate.nextCheckMs).toBe(42_000);
    expect(gate.nextWakeMs).toBe(37_000); // the hold-down ends before the next check
    expect(gate.advance(36_999)).toEqual([]);
    expect(gate.advance(37_000)).toEqual([
      { type: "up", from: "down", atMs: 37_000, reason: "fine", check: "http", delayedBy: "hold-down" },
    ]);
  });

  it("an UP held down never appears if the service fails again meanwhile; DOWN is never held", () => {
    const gate = new HealthGate({ intervalSec: 10, rise: 1, fall: 1, holdDownSec: 60 }, 0);
    gate.observe(0, ok());
    expect(types(gate.observe(10_000, fail()))).toEqual(["down"]);
    expect(gate.observe(20_000, ok())).toEqual([]);
    expect(gate.observe(30_000, fail())).toEqual([]);
    expect(gate.nextWakeMs).toBe(40_000); // nothing pending any more
    expect(gate.advance(70_000)).toEqual([]);
    expect(types(gate.observe(80_000, ok()))).toEqual(["up"]); // 70 s after the DOWN: allowed at once
    expect(types(gate.observe(81_000, fail()))).toEqual(["down"]); // immediately, hold-down or not
  });
});

describe("HealthGate flap dampening", () => {
  const dampening = { penalty: 1000, halfLifeSec: 60, suppressThreshold: 2000, reuseThreshold: 750 };

  it("suppresses UP after the third quick flap and releases at the exact decay time", () => {
    const gate = new HealthGate({ intervalSec: 1, rise: 1, fall: 1, dampening }, 0);
    gate.observe(0, ok());
    expect(types(gate.observe(1000, fail()))).toEqual(["down"]); // penalty 1000
    expect(types(gate.observe(2000, ok()))).toEqual(["up"]);
    expect(types(gate.observe(3000, fail()))).toEqual(["down"]); // 1000·2^(-2/60) + 1000 ≈ 1977 < 2000
    expect(gate.suppressed).toBe(false);
    expect(types(gate.observe(4000, ok()))).toEqual(["up"]);
    const events = gate.observe(5000, fail());
    const penalty = 1000 * (2 ** (-4 / 60) + 2 ** (-2 / 60) + 1);
    const releaseAtMs = 5000 + Math.ceil(60_000 * Math.log2(penalty / 750));
    expect(releaseAtMs).toBe(123_016); // 5000 + ⌈60000·log2(2932.002/750)⌉ = 5000 + ⌈118015.4⌉
    expect(events).toMatchObject([
      { type: "down", atMs: 5000 },
      { type: "suppressed", atMs: 5000, releaseAtMs },
    ]);
    expect((events[1] as { penalty: number }).penalty).toBeCloseTo(penalty, 9);
    expect(gate.observe(6000, ok())).toEqual([]); // healthy but suppressed
    expect(gate.state).toBe("down");
    gate.observe(100_000, ok());
    expect(gate.nextWakeMs).toBe(101_000);
    expect(gate.advance(releaseAtMs - 1)).toEqual([]);
    expect(gate.penalty(releaseAtMs - 1)).toBeGreaterThan(750);
    expect(gate.penalty(releaseAtMs)).toBeLessThanOrEqual(750);
    const released = gate.advance(releaseAtMs);
    expect(types(released)).toEqual(["released", "up"]);
    expect(released[1]).toMatchObject({ from: "down", atMs: releaseAtMs, delayedBy: "dampening" });
    expect(gate.suppressed).toBe(false);
  });

  it("release happens even while the service is down, and UP follows its next success", () => {
    const gate = new HealthGate({ intervalSec: 1, rise: 1, fall: 1, dampening }, 0);
    for (let t = 0; t < 6000; t += 2000) {
      gate.observe(t, ok());
      gate.observe(t + 1000, fail());
    }
    expect(gate.suppressed).toBe(true);
    const at = 200_000;
    expect(types(gate.advance(at))).toEqual(["released"]);
    expect(gate.state).toBe("down");
    expect(gate.observe(at + 1, ok())).toMatchObject([{ type: "up" }]);
  });

  it("caps the penalty so suppression lasts at most maxSuppress after the last flap", () => {
    const gate = new HealthGate(
      { intervalSec: 1, rise: 1, fall: 1, dampening: { ...dampening, maxSuppressSec: 120 } },
      0,
    );
    let last: GateEvent[] = [];
    for (let t = 0; t < 20_000; t += 2000) {
      gate.observe(t, ok());
      last = gate.observe(t + 1000, fail());
    }
    // Flaps keep counting while suppressed; ten would be ~9000, but the ceiling is reuse · 2^(120/60) = 3000, which decays to 750 in 120 s.
    expect(gate.penalty(19_000)).toBe(3000);
    expect(gate.nextWakeMs).toBe(20_000);
    expect(last).toEqual([]); // suppressed since the third flap: health flaps, nothing is published
    gate.observe(20_000, ok());
    expect(gate.advance(138_999)).toEqual([]);
    expect(types(gate.advance(139_000))).toEqual(["released", "up"]);
  });
});

describe("HealthGate expire (the freshness watchdog)", () => {
  const stale = { ok: false, reason: "check http hung: no result for 30s (staleAfter 30s)", check: "http" };

  it("publishes DOWN at once from UP, FALLING or INIT, whatever fall says, and UP needs rise again", () => {
    const gate = new HealthGate({ rise: 2, fall: 5 }, 0);
    expect(gate.expire(0, stale).map((event) => `${event.type} ${event.reason}`)).toEqual([
      `down ${stale.reason}`,
    ]);
    gate.observe(1000, ok());
    expect(types(gate.observe(2000, ok()))).toEqual(["up"]);
    gate.observe(3000, fail()); // falling 1 of 5
    expect(gate.expire(4000, stale)).toMatchObject([{ type: "down", from: "up", atMs: 4000, check: "http" }]);
    expect(gate.expire(5000, stale)).toEqual([]); // already down
    expect(gate.observe(6000, ok())).toEqual([]);
    expect(types(gate.observe(7000, ok()))).toEqual(["up"]);
  });

  it("does nothing while disabled, and counts as a flap for dampening", () => {
    const disabled = new HealthGate({}, 0);
    disabled.observeDisabled(0);
    expect(disabled.expire(1000, stale)).toEqual([]);
    expect(disabled.state).toBe("disabled");

    const gate = new HealthGate(
      { rise: 1, fall: 1, dampening: { penalty: 1000, suppressThreshold: 1500 } },
      0,
    );
    gate.observe(0, ok());
    gate.expire(1000, stale);
    gate.observe(2000, ok());
    expect(types(gate.expire(3000, stale))).toEqual(["down", "suppressed"]);
  });
});
