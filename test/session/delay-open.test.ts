import { afterEach, describe, expect, it } from "vitest";
import { BgpListener } from "../../src/session/listener.js";
import { BgpSession, type SessionOptions } from "../../src/session/session.js";
import { FakeClock, openFrom, RawPeer, sleep, waitFor } from "./helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(): Promise<{ listener: BgpListener; port: number }> {
  const listener = new BgpListener({ host: "127.0.0.1", port: 0 });
  const { port } = await listener.listen();
  cleanups.push(() => listener.close());
  return { listener, port };
}

function session(options: SessionOptions): { session: BgpSession; states: string[] } {
  const s = new BgpSession(options);
  cleanups.push(() => s.stop());
  const states: string[] = [];
  s.on("state", (from, to) => states.push(`${from}>${to}`));
  return { session: s, states };
}

/** A passive session at 127.0.0.1 for a raw peer at 127.0.0.6, with a DelayOpen the fake clock never lets expire. */
async function delayingSessionWithRawPeer() {
  const { listener, port } = await listen();
  const clock = new FakeClock();
  const { session: s, states } = session({
    localAsn: 65001,
    routerId: "10.0.0.1",
    peerAddress: "127.0.0.6",
    peerAsn: 65002,
    passive: true,
    delayOpen: 30,
    clock,
    random: () => 0,
  });
  listener.addSession(s);
  s.start();
  const raw = await RawPeer.connect(port, "127.0.0.6");
  cleanups.push(() => raw.destroy());
  // TcpConnectionConfirmed stopped the ConnectRetryTimer and started the 30 s DelayOpenTimer.
  await waitFor(() => clock.pending().join() === "30000", 2000, "the DelayOpenTimer alone");
  await sleep(50);
  expect(raw.received).toEqual([]); // we hold our OPEN back
  expect(s.state).toBe("Active");
  return { session: s, states, raw, clock };
}

describe("DelayOpen over loopback (RFC 4271 §8.1.1, events 12 and 20)", () => {
  it.each([
    { name: "the passive side delays", passiveDelay: 5, activeDelay: 0 },
    { name: "the active side delays", passiveDelay: 0, activeDelay: 5 },
    { name: "both delay (each DelayOpenTimer expires)", passiveDelay: 0.2, activeDelay: 0.2 },
  ])("two sessions reach Established when $name", async ({ passiveDelay, activeDelay }) => {
    const { listener, port } = await listen();
    const passive = session({
      localAsn: 65001,
      routerId: "10.0.0.1",
      peerAddress: "127.0.0.5",
      peerAsn: 65002,
      passive: true,
      holdTime: 9,
      delayOpen: passiveDelay,
    });
    listener.addSession(passive.session);
    const active = session({
      localAsn: 65002,
      routerId: "10.0.0.5",
      peerAddress: "127.0.0.1",
      peerPort: port,
      localAddress: "127.0.0.5",
      peerAsn: 65001,
      holdTime: 9,
      connectRetry: 1,
      delayOpen: activeDelay,
    });
    const up = Promise.all(
      [passive.session, active.session].map((s) => new Promise((r) => s.once("established", r))),
    );
    passive.session.start();
    active.session.start();
    await Promise.race([up, sleep(5000).then(() => Promise.reject(new Error("not established in 5 s")))]);
    expect(passive.session.state).toBe("Established");
    expect(active.session.state).toBe("Established");
    // A side whose DelayOpenTimer was still running when the peer's OPEN arrived skips OpenSent
    // (event 20); one whose timer expired first goes through OpenSent (event 12).
    const viaEvent20 = (first: string) => [
      `Idle>${first}`,
      `${first}>OpenConfirm`,
      "OpenConfirm>Established",
    ];
    const viaEvent12 = (first: string) => [
      `Idle>${first}`,
      `${first}>OpenSent`,
      "OpenSent>OpenConfirm",
      "OpenConfirm>Established",
    ];
    if (passiveDelay > 0 && activeDelay > 0) {
      // Equal timers race: either may expire first and the other may still be waiting, but the
      // first to expire went through OpenSent.
      expect([viaEvent20("Active"), viaEvent12("Active")]).toContainEqual(passive.states);
      expect([viaEvent20("Connect"), viaEvent12("Connect")]).toContainEqual(active.states);
      expect([passive.states.length, active.states.length]).toContain(4);
    } else {
      expect(passive.states).toEqual(passiveDelay > 0 ? viaEvent20("Active") : viaEvent12("Active"));
      expect(active.states).toEqual(activeDelay > 0 ? viaEvent20("Connect") : viaEvent12("Connect"));
    }
  });

  it("a raw peer that sends its OPEN while our DelayOpenTimer runs gets OPEN + KEEPALIVE (event 20)", async () => {
    const { session: s, states, raw, clock } = await delayingSessionWithRawPeer();
    raw.send(openFrom(65002));
    await waitFor(() => raw.received.length >= 2, 2000, "OPEN and KEEPALIVE");
    expect(raw.received.map((m) => m.type)).toEqual(["open", "keepalive"]);
    expect(raw.received[0]).toMatchObject({ myAsn: 65001, bgpIdentifier: "10.0.0.1", holdTime: 90 });
    expect(s.state).toBe("OpenConfirm");
    expect(clock.pending()).toEqual([7_500, 30_000]); // Keepalive and Hold; DelayOpen stopped
    raw.send({ type: "keepalive" });
    await waitFor(() => s.state === "Established", 2000, "Established");
    expect(states).toEqual(["Idle>Active", "Active>OpenConfirm", "OpenConfirm>Established"]);
  });

  it("stop() while the DelayOpenTimer runs sends Cease/2 before closing (ManualStop, §8.2.2)", async () => {
    const { session: s, raw, clock } = await delayingSessionWithRawPeer();
    await s.stop({ shutdownMessage: "maintenance" });
    await raw.waitClosed();
    expect(raw.received).toHaveLength(1); // no OPEN, only the NOTIFICATION
    expect(raw.received[0]).toMatchObject({
      type: "notification",
      code: 6,
      subcode: 2,
      shutdownMessage: "maintenance",
    });
    expect(s.state).toBe("Idle");
    expect(s.stats.lastError).toMatchObject({ kind: "stopped", fromState: "Active", code: 6, subcode: 2 });
    expect(clock.pending()).toEqual([]);
  });
});
