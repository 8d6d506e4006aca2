import { EventEmitter } from "eventemitter3";
import { describe, expect, it } from "vitest";
import { HealthGatedAnnouncer, type RouteSpeaker } from "../../src/health/announcer.js";
import type { TransitionEvent } from "../../src/health/gate.js";
import type { GateState } from "../../src/health/types.js";
import { FakeClock } from "./fake-clock.js";

interface Attributes {
  med?: number;
}

class RecordingSpeaker implements RouteSpeaker<Attributes> {
  readonly calls: string[] = [];
  failAnnounce = false;
  constructor(private readonly clock: FakeClock) {}
  announce(prefix: string, attributes?: Attributes): void {
    if (this.failAnnounce) throw new TypeError(`no usable next hop for ${prefix}`);
    this.calls.push(`${this.clock.now()} announce ${prefix} ${JSON.stringify(attributes ?? null)}`);
  }
  withdraw(prefix: string): void {
    this.calls.push(`${this.clock.now()} withdraw ${prefix}`);
  }
  drain(prefix: string): void {
    this.calls.push(`${this.clock.now()} drain ${prefix}`);
  }
}

/** A gate the test drives by hand. */
class Gate extends EventEmitter<Record<GateState, [TransitionEvent]>> {
  state: GateState | "init" = "init";
  publish(state: GateState, atMs: number): void {
    const from = this.state;
    this.state = state;
    this.emit(state, { type: state, from, atMs, reason: `test ${state}` } as TransitionEvent);
  }
}

const accept = () => undefined;

describe("HealthGatedAnnouncer drain (RFC 8326) and errors", () => {
  it("drains on DISABLED for drainSec then withdraws; DOWN withdraws at once; UP during a drain cancels it", async () => {
    const clock = new FakeClock();
    const speaker = new RecordingSpeaker(clock);
    const gate = new Gate();
    const announcer = new HealthGatedAnnouncer(
      speaker,
      [{ source: gate, prefixes: [{ prefix: "203.0.113.1/32", up: { med: 100 } }] }],
      { drainSec: 10, clock, validate: accept },
    );
    gate.publish("up", 0);
    await clock.advanceTo(1000);
    gate.publish("disabled", 1000);
    await clock.advanceTo(10_999);
    expect(announcer.announced).toEqual(["203.0.113.1/32"]);
    await clock.advanceTo(11_000);
    expect(announcer.announced).toEqual([]);
    await clock.advanceTo(12_000);
    gate.publish("up", 12_000);
    await clock.advanceTo(13_000);
    gate.publish("disabled", 13_000);
    await clock.advanceTo(15_000);
    gate.publish("up", 15_000); // back before the drain ended: no withdraw follows
    await clock.advanceTo(30_000);
    gate.publish("down", 30_000);
    expect(speaker.calls).toEqual([
      '0 announce 203.0.113.1/32 {"med":100}',
      "1000 drain 203.0.113.1/32",
      "11000 withdraw 203.0.113.1/32",
      '12000 announce 203.0.113.1/32 {"med":100}',
      "13000 drain 203.0.113.1/32",
      '15000 announce 203.0.113.1/32 {"med":100}',
      "30000 withdraw 203.0.113.1/32",
    ]);
  });

  it("drainAll drains every announced prefix, then withdraws them all", async () => {
    const clock = new FakeClock();
    const speaker = new RecordingSpeaker(clock);
    const gate = new Gate();
    const announcer = new HealthGatedAnnouncer(
      speaker,
      [{ source: gate, prefixes: [{ prefix: "203.0.113.1/32" }, { prefix: "203.0.113.2/32" }] }],
      { drainSec: 5, clock, validate: accept },
    );
    gate.publish("up", 0);
    let done = false;
    void announcer.drainAll("SIGTERM").then(() => {
      done = true;
    });
    await clock.advanceTo(4999);
    expect(done).toBe(false);
    await clock.advanceTo(5000);
    expect(done).toBe(true);
    expect(speaker.calls).toEqual([
      "0 announce 203.0.113.1/32 null",
      "0 announce 203.0.113.2/32 null",
      "0 drain 203.0.113.1/32",
      "0 drain 203.0.113.2/32",
      "5000 withdraw 203.0.113.1/32",
      "5000 withdraw 203.0.113.2/32",
    ]);
  });

  it("a speaker error at run time reaches the error event; with no listener it is written once", () => {
    const clock = new FakeClock();
    const speaker = new RecordingSpeaker(clock);
    speaker.failAnnounce = true;
    const gate = new Gate();
    const written: string[] = [];
    const announcer = new HealthGatedAnnouncer(
      speaker,
      [{ source: gate, prefixes: [{ prefix: "203.0.113.1/32" }] }],
      {
        clock,
        validate: accept,
        writeUnhandled: (text) => written.push(text),
      },
    );
    gate.publish("up", 0);
    gate.publish("down", 1);
    gate.publish("up", 2);
    expect(written).toEqual([
      "bgp-speaker: HealthGatedAnnouncer: announce 203.0.113.1/32 failed: no usable next hop for 203.0.113.1/32\n",
    ]);
    expect(announcer.announced).toEqual([]);
    const errors: Error[] = [];
    announcer.on("error", (error) => errors.push(error));
    gate.publish("down", 3);
    gate.publish("up", 4);
    expect(errors.map((e) => e.message)).toEqual([
      "announce 203.0.113.1/32 failed: no usable next hop for 203.0.113.1/32",
    ]);
    expect(errors[0].cause).toBeInstanceOf(TypeError);
    expect(written).toHaveLength(1);
  });

  it("drainSec needs a speaker that can drain", () => {
    const gate = new Gate();
    const plain: RouteSpeaker<Attributes> = { announce() {}, withdraw() {} };
    expect(() => new HealthGatedAnnouncer(plain, [{ source: gate, prefixes: [] }], { drainSec: 1 })).toThrow(
      /drainSec needs a speaker with drain\(\)/,
    );
  });
});
