import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { SESSION_DEFAULTS } from "../../src/session/types.js";
import { BgpSpeaker } from "../../src/speaker/speaker.js";
import type { EstablishedEvent } from "../../src/speaker/types.js";
import { FakeClock, openFrom, RawPeer } from "../session/helpers.js";
import { useCleanups, waitFor } from "../support/speakers.js";

/**
 * The speaker's times reach the session's timers unchanged: every public time is in seconds under
 * its RFC name, and nothing between the option and the FSM renames or rounds it (docs/sessions.md,
 * "How times are named"). Observed on a fake clock, over real sockets (127.0.170.x, ports 21700+).
 */

const cleanups = useCleanups();

/** A router played by hand on `host:port`: the first connection, as a RawPeer. */
async function rawRouter(host: string, port: number): Promise<{ server: Server; peer: Promise<RawPeer> }> {
  let accepted: (peer: RawPeer) => void = () => {};
  const peer = new Promise<RawPeer>((resolve) => {
    accepted = resolve;
  });
  const server = createServer((socket) => accepted(new RawPeer(socket)));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  cleanups.push(async () => {
    (await Promise.race([peer, Promise.resolve(null)]))?.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { server, peer };
}

function speakerOn(clock: FakeClock, options: { holdTime?: number; connectRetry?: number }): BgpSpeaker {
  // random 1: the §10 jitter factor is exactly 1, so timers run for the configured time.
  const speaker = new BgpSpeaker({ asn: 65170, routerId: "10.0.170.1", clock, random: () => 1, ...options });
  cleanups.push(() => speaker.close());
  return speaker;
}

describe("times pass from the options to the FSM under the same names", () => {
  it("fractional speaker and peer times reach the timers as given; the peer's win", async () => {
    const clock = new FakeClock();
    const speaker = speakerOn(clock, { holdTime: 9, connectRetry: 1.5 });
    const router = await rawRouter("127.0.170.2", 21700);
    speaker.addPeer({
      address: "127.0.170.2",
      port: 21700,
      localAddress: "127.0.170.1",
      asn: 65171,
      delayOpen: 0.25,
    });
    const established: EstablishedEvent[] = [];
    speaker.on("established", (e) => established.push(e));
    await speaker.start();

    // ManualStart: the ConnectRetryTimer runs for the speaker's 1.5 s.
    expect(clock.pending()).toContain(1500);
    const raw = await router.peer;
    // Tcp_CR_Acked with DelayOpen: the DelayOpenTimer runs for the peer's 0.25 s, and no OPEN yet.
    await waitFor("the DelayOpenTimer", () => clock.pending().includes(250));
    expect(raw.received).toEqual([]);
    clock.advance(250);
    await raw.waitType("open");
    const open = raw.received.find((m) => m.type === "open");
    expect(open?.type === "open" && open.holdTime).toBe(9);

    raw.send(openFrom(65171, { holdTime: 30, bgpIdentifier: "10.0.170.2" }));
    raw.send({ type: "keepalive" });
    const event = await waitFor("Established", () => established[0]);
    // min(9, 30) under the RFC names; the KeepaliveTime is a third of it, and the timers run on both.
    expect(event.negotiated.holdTime).toBe(9);
    expect(event.negotiated.keepaliveTime).toBe(3);
    expect(clock.pending()).toEqual(expect.arrayContaining([3000, 9000]));
    // peerStatus() reads the same clock the session stamped Established with.
    clock.advance(2000);
    expect(speaker.peerStatus()[0]?.uptimeMs).toBe(2000);
  });

  it("a peer's own connectRetry and holdTime override the speaker's", async () => {
    const clock = new FakeClock();
    const speaker = speakerOn(clock, { holdTime: 9, connectRetry: 1.5 });
    const router = await rawRouter("127.0.170.3", 21701);
    speaker.addPeer({
      address: "127.0.170.3",
      port: 21701,
      localAddress: "127.0.170.1",
      asn: 65171,
      connectRetry: 2.5,
      holdTime: 12,
    });
    await speaker.start();
    expect(clock.pending()).toContain(2500);
    expect(clock.pending()).not.toContain(1500);
    const raw = await router.peer;
    await raw.waitType("open");
    const open = raw.received.find((m) => m.type === "open");
    expect(open?.type === "open" && open.holdTime).toBe(12);
  });

  it("with no times given, the session runs on SESSION_DEFAULTS", async () => {
    const clock = new FakeClock();
    const speaker = speakerOn(clock, {});
    const router = await rawRouter("127.0.170.4", 21702);
    speaker.addPeer({ address: "127.0.170.4", port: 21702, localAddress: "127.0.170.1", asn: 65171 });
    await speaker.start();
    expect(clock.pending()).toContain(SESSION_DEFAULTS.connectRetry * 1000);
    const raw = await router.peer;
    await raw.waitType("open");
    const open = raw.received.find((m) => m.type === "open");
    expect(open?.type === "open" && open.holdTime).toBe(SESSION_DEFAULTS.holdTime);
    const gr =
      open?.type === "open" ? open.capabilities.find((c) => c.name === "graceful-restart") : undefined;
    expect(gr?.name === "graceful-restart" && gr.restartTimeSec).toBe(
      SESSION_DEFAULTS.gracefulRestart.restartTimeSec,
    );
  });
});
