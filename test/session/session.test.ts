import { afterEach, describe, expect, it } from "vitest";
import type { DownReason } from "../../src/fsm/types.js";
import { BgpListener } from "../../src/session/listener.js";
import { BgpSession, type NegotiatedSession } from "../../src/session/session.js";
import type { UpdateMessage } from "../../src/wire/types.js";
import { sleep, waitFor } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(host = "127.0.0.1"): Promise<{ listener: BgpListener; port: number }> {
  const listener = new BgpListener({ host, port: 0 });
  const { port } = await listener.listen();
  cleanups.push(() => listener.close());
  return { listener, port };
}

function track(session: BgpSession): BgpSession {
  cleanups.push(() => session.stop());
  return session;
}

function established(session: BgpSession): Promise<NegotiatedSession> {
  return new Promise((resolve) => session.once("established", resolve));
}

describe("two sessions over loopback", () => {
  it("reach Established with both families, keepalives hold it past the hold time, stop() says Cease/2", async () => {
    const { listener, port } = await listen();
    const passive = track(
      new BgpSession({
        localAsn: 65001,
        routerId: "10.0.0.1",
        peerAddress: "127.0.0.2",
        peerAsn: 65002,
        passive: true,
        holdTime: 3,
      }),
    );
    listener.addSession(passive);
    const active = track(
      new BgpSession({
        localAsn: 65002,
        routerId: "10.0.0.2",
        peerAddress: "127.0.0.1",
        peerPort: port,
        localAddress: "127.0.0.2",
        peerAsn: 65001,
        holdTime: 3,
        connectRetry: 1,
      }),
    );
    const states: string[] = [];
    active.on("state", (from, to) => states.push(`${from}>${to}`));
    const upPassive = established(passive);
    const upActive = established(active);
    passive.start();
    active.start();
    const [np, na] = await Promise.all([upPassive, upActive]);
    expect(states).toEqual([
      "Idle>Connect",
      "Connect>OpenSent",
      "OpenSent>OpenConfirm",
      "OpenConfirm>Established",
    ]);
    expect(na.families).toEqual(["ipv4-unicast", "ipv6-unicast"]);
    expect(np.families).toEqual(["ipv4-unicast", "ipv6-unicast"]);
    expect(na.holdTime).toBe(3);
    expect(na.peerAsn).toBe(65001);
    expect(np.remoteAddress).toBe("127.0.0.2");
    expect(na.localAddress).toBe("127.0.0.2");
    expect(na.remotePort).toBe(port);
    expect(na.sendContext).toEqual({ fourOctetAs: true, addPath: [], extendedMessage: true });
    expect(active.localAddress).toBe("127.0.0.2");

    // An UPDATE through both codecs.
    const got: UpdateMessage[] = [];
    passive.on("update", (u) => got.push(u));
    active.send({
      type: "update",
      withdrawnRoutes: [],
      nlri: [{ prefix: "198.51.100.0/24" }],
      attributes: { origin: "igp", asPath: [{ type: "sequence", asns: [65002] }], nextHop: "127.0.0.2" },
    });
    await waitFor(() => got.length === 1, 2000, "the update");
    expect(got[0].nlri).toEqual([{ prefix: "198.51.100.0/24" }]);
    expect(passive.stats.updatesIn).toBe(1);
    expect(active.stats.updatesOut).toBe(1);

    const downs: DownReason[] = [];
    passive.on("down", (r) => downs.push(r));
    active.on("down", (r) => downs.push(r));
    await sleep(4000); // past the 3 s hold time: keepalives every ~1 s keep it up
    expect(downs).toEqual([]);
    expect(passive.state).toBe("Established");
    expect(passive.stats.messagesIn).toBeGreaterThanOrEqual(6); // OPEN, KEEPALIVE, UPDATE, >= 3 more KEEPALIVEs

    const passiveDown = new Promise<DownReason>((resolve) => passive.once("down", resolve));
    await active.stop({ shutdownMessage: "maintenance window" });
    const reason = await passiveDown;
    expect(reason).toMatchObject({
      kind: "notification-received",
      code: 6,
      subcode: 2,
      shutdownMessage: "maintenance window",
      fromState: "Established",
    });
    expect(active.state).toBe("Idle");
    expect(active.stats.lastError?.kind).toBe("stopped");
    await sleep(300);
    expect(active.state).toBe("Idle"); // stopped: no automatic restart
    expect(passive.stats.flaps).toBe(1);
  });

  it("works over IPv6 loopback and restarts by itself after the peer goes away", async () => {
    const { listener, port } = await listen("::1");
    const passive = track(
      new BgpSession({
        localAsn: 65001,
        routerId: "10.0.0.1",
        peerAddress: "::1",
        peerAsn: 65001,
        passive: true,
        idleHold: 0.05,
      }),
    );
    listener.addSession(passive);
    const active = new BgpSession({
      localAsn: 65001,
      routerId: "10.0.0.2",
      peerAddress: "::1",
      peerPort: port,
      peerAsn: 65001,
      connectRetry: 1,
    });
    const up = established(passive);
    passive.start();
    active.start();
    const n = await up;
    expect(n.remoteAddress).toBe("::1");
    expect(n.families).toEqual(["ipv4-unicast", "ipv6-unicast"]);
    await active.stop();
    await waitFor(() => passive.state === "Active", 2000, "passive back to Active");
    // A new active session comes up again against the same passive one.
    const again = track(
      new BgpSession({
        localAsn: 65001,
        routerId: "10.0.0.3",
        peerAddress: "::1",
        peerPort: port,
        peerAsn: 65001,
        connectRetry: 1,
      }),
    );
    const up2 = established(passive);
    again.start();
    expect((await up2).peerBgpIdentifier).toBe("10.0.0.3");
  });

  it("two active speakers connecting to each other settle on one connection (collision, §6.8)", async () => {
    const a = await listen("127.0.0.1");
    const b = await listen("127.0.0.4");
    const sa = track(
      new BgpSession({
        localAsn: 65001,
        routerId: "10.0.0.9",
        peerAddress: "127.0.0.4",
        peerPort: b.port,
        localAddress: "127.0.0.1",
        peerAsn: 65002,
        connectRetry: 1,
      }),
    );
    const sb = track(
      new BgpSession({
        localAsn: 65002,
        routerId: "10.0.0.1",
        peerAddress: "127.0.0.1",
        peerPort: a.port,
        localAddress: "127.0.0.4",
        peerAsn: 65001,
        connectRetry: 1,
      }),
    );
    a.listener.addSession(sa);
    b.listener.addSession(sb);
    const downs: DownReason[] = [];
    sa.on("down", (r) => downs.push(r));
    sb.on("down", (r) => downs.push(r));
    sa.start();
    sb.start();
    await waitFor(() => sa.state === "Established" && sb.state === "Established", 5000, "both Established");
    await sleep(200);
    expect(sa.state).toBe("Established");
    expect(sb.state).toBe("Established");
    const na = sa.negotiated!;
    const nb = sb.negotiated!;
    // Both ends describe the same single TCP connection.
    expect(na.localPort).toBe(nb.remotePort);
    expect(na.remotePort).toBe(nb.localPort);
    expect(downs).toEqual([]);
  });
});
