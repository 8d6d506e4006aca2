import { afterEach, describe, expect, it } from "vitest";
import { BgpListener } from "../../src/session/listener.js";
import { BgpSession } from "../../src/session/session.js";
import type { UpdateMessage } from "../../src/wire/types.js";
import { FakeClock, openFrom, RawPeer, sleep, waitFor } from "./helpers.js";

const UPDATE: UpdateMessage = {
  type: "update",
  withdrawnRoutes: [],
  nlri: [{ prefix: "198.51.100.0/24" }],
  attributes: { origin: "igp", asPath: [{ type: "sequence", asns: [65001] }], nextHop: "127.0.0.1" },
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("KeepaliveTimer with an injected clock", () => {
  it("an UPDATE sent restarts the KeepaliveTimer (RFC 4271 §8.2.2): the next KEEPALIVE comes hold/3 after it", async () => {
    const listener = new BgpListener({ host: "127.0.0.1", port: 0 });
    const { port } = await listener.listen();
    cleanups.push(() => listener.close());
    const clock = new FakeClock();
    const session = new BgpSession({
      localAsn: 65001,
      routerId: "10.0.0.1",
      peerAddress: "127.0.0.4",
      peerAsn: 65002,
      passive: true,
      holdTime: 30,
      clock,
      random: () => 0, // jitter factor 0.75: keepalive every 7 500 ms
    });
    cleanups.push(() => session.stop());
    listener.addSession(session);
    session.start();

    const raw = await RawPeer.connect(port, "127.0.0.4");
    cleanups.push(() => raw.destroy());
    await raw.waitType("open");
    raw.send(openFrom(65002, { holdTime: 30 }));
    await waitFor(() => session.state === "OpenConfirm", 2000, "OpenConfirm");
    raw.send({ type: "keepalive" });
    await waitFor(() => session.state === "Established", 2000, "Established");
    const keepalives = () => raw.received.filter((m) => m.type === "keepalive").length;
    expect(keepalives()).toBe(1); // the one that confirmed our OPEN
    expect(clock.pending()).toEqual([7_500, 30_000]); // Keepalive, Hold

    clock.advance(5_000);
    session.send(UPDATE);
    expect(clock.pending()).toEqual([7_500, 25_000]);
    await raw.waitType("update");

    clock.advance(7_499); // past the 7 500 at which the unrestarted timer would have fired
    await sleep(100);
    expect(keepalives()).toBe(1);
    clock.advance(1);
    await waitFor(() => keepalives() === 2, 2000, "the KEEPALIVE 7.5 s after the UPDATE");
    expect(session.state).toBe("Established");

    // A ROUTE-REFRESH is neither KEEPALIVE nor UPDATE: it leaves the timer alone.
    clock.advance(1_000);
    session.send({ type: "route-refresh", afi: 1, safi: 1, subtype: 0 });
    expect(clock.pending()[0]).toBe(6_500);
  });
});
