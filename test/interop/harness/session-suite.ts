import { afterAll, expect, it } from "vitest";
import type { DownReason, FsmState } from "../../../src/fsm/types.js";
import { BgpListener } from "../../../src/session/listener.js";
import { BgpSession } from "../../../src/session/session.js";
import type { NegotiatedSession } from "../../../src/session/types.js";
import { describeWithDaemon } from "./availability.js";
import { createDaemon } from "./index.js";
import { sleep, waitFor } from "./process.js";
import type { DaemonKind, InteropDaemon } from "./types.js";

export interface SessionSuiteOptions {
  readonly kind: DaemonKind;
  /** This file's own 127.0.<net>.0/24 and ports 20000 + 10 × net …: files run concurrently. */
  readonly net: number;
  /** Our Cease/Administrative Shutdown text, or undefined where the daemon cannot take one. */
  readonly shutdownMessage: (label: string) => string | undefined;
  /** Resolve once the daemon's CLI or log shows it received our Cease (bounded). */
  readonly expectCease: (daemon: InteropDaemon, shutdownMessage: string | undefined) => Promise<unknown>;
}

const OUR_ASN = 65001;
const THEIR_ASN = 65000;
const HOLD_SEC = 3;

/** Records a session's events so tests can wait for them. */
function watch(session: BgpSession) {
  const seen = {
    established: [] as NegotiatedSession[],
    down: [] as DownReason[],
    states: [] as FsmState[],
  };
  session.on("established", (n) => seen.established.push(n));
  session.on("down", (r) => seen.down.push(r));
  session.on("state", (_from, to) => seen.states.push(to));
  return seen;
}

/**
 * The session interop suite, the same for every daemon: Established with both unicast families
 * whichever side connects, kept up past a hold time by keepalives, our Cease seen by the daemon,
 * and a daemon restart seen as down then re-Established.
 */
export function sessionSuite(o: SessionSuiteOptions): void {
  describeWithDaemon(o.kind, `BgpSession interop with ${o.kind}`, () => {
    const ours = `127.0.${o.net}.1`;
    const theirs = `127.0.${o.net}.2`;
    const port = (n: number) => 20_000 + o.net * 10 + n;
    const daemons: InteropDaemon[] = [];
    const sessions: BgpSession[] = [];
    const listeners: BgpListener[] = [];

    afterAll(async () => {
      for (const s of sessions) await s.stop().catch(() => undefined);
      for (const l of listeners) await l.close().catch(() => undefined);
      for (const d of daemons) await d.cleanup();
    });

    const daemon = (passive: boolean, daemonPort: number, ourPort: number) => {
      const d = createDaemon(o.kind, {
        asn: THEIR_ASN,
        routerId: `10.0.${o.net}.2`,
        address: theirs,
        port: daemonPort,
        holdTimeSec: HOLD_SEC,
        neighbor: { address: ours, asn: OUR_ASN, port: ourPort, passive },
      });
      daemons.push(d);
      return d;
    };

    const session = (extra: { peerPort?: number; passive?: boolean }) => {
      const s = new BgpSession({
        localAsn: OUR_ASN,
        routerId: `10.0.${o.net}.1`,
        peerAddress: theirs,
        peerAsn: THEIR_ASN,
        localAddress: ours,
        holdTime: HOLD_SEC,
        connectRetry: 1,
        families: ["ipv4-unicast", "ipv6-unicast"],
        ...extra,
      });
      sessions.push(s);
      return s;
    };

    const established = (d: InteropDaemon) =>
      waitFor(`${o.kind} to show the session Established`, async () =>
        (await d.neighborStatus()).established ? true : undefined,
      );

    it("we connect: Established with IPv4+IPv6, kept past a hold time, survives a daemon restart, Cease seen", async () => {
      const d = daemon(true, port(0), port(1));
      await d.start();
      const s = session({ peerPort: port(0) });
      const seen = watch(s);
      s.start();

      await waitFor(
        "our session Established",
        () => (seen.established.length > 0 ? true : undefined),
        20_000,
      );
      const negotiated = seen.established[0];
      expect([...negotiated.families].sort()).toEqual(["ipv4-unicast", "ipv6-unicast"]);
      expect(negotiated.holdTime).toBe(HOLD_SEC);
      expect(negotiated.remotePort).toBe(port(0));
      await established(d);

      // 1.5 hold times: only keepalives, both ways, keep either side's hold timer from firing.
      await sleep(HOLD_SEC * 1500);
      expect(seen.down).toEqual([]);
      expect(s.state).toBe("Established");
      expect((await d.neighborStatus()).established).toBe(true);

      await d.stop();
      await waitFor(
        "our session to see the daemon go",
        () => (seen.down.length > 0 ? true : undefined),
        10_000,
      );
      expect(s.state).not.toBe("Established");

      await d.start();
      await waitFor(
        "our session to reconnect",
        () => (seen.established.length > 1 ? true : undefined),
        25_000,
      );
      expect(s.state).toBe("Established");
      await established(d);

      const message = o.shutdownMessage(`bye from ${o.kind} session test 1`);
      await s.stop(message === undefined ? {} : { shutdownMessage: message });
      await o.expectCease(d, message);
    }, 55_000);

    it("the daemon connects to our listener: Established with IPv4+IPv6, Cease seen", async () => {
      const ourPort = port(3);
      const d = daemon(false, port(2), ourPort);
      const listener = new BgpListener({ host: ours, port: ourPort });
      listeners.push(listener);
      await listener.listen();
      const s = session({ passive: true });
      const seen = watch(s);
      listener.addSession(s);
      s.start();
      await d.start();

      await waitFor(
        "the daemon's session Established",
        () => (seen.established.length > 0 ? true : undefined),
        25_000,
      );
      const negotiated = seen.established[0];
      expect([...negotiated.families].sort()).toEqual(["ipv4-unicast", "ipv6-unicast"]);
      // The daemon's connection landed on our listening port.
      expect(negotiated.localPort).toBe(ourPort);
      await established(d);

      const message = o.shutdownMessage(`bye from ${o.kind} session test 2`);
      await s.stop(message === undefined ? {} : { shutdownMessage: message });
      await o.expectCease(d, message);
    }, 45_000);
  });
}
