import { connect } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BgpSpeaker, type DownEvent } from "../../../src/index.js";
import { describeWithDaemon } from "./availability.js";
import { createDaemon } from "./index.js";
import { sleep, waitFor } from "./process.js";
import type { DaemonKind, InteropDaemon } from "./types.js";

const OUR_ASN = 65001;
const THEIR_ASN = 65000;
const KEY = "interop-md5-key";

/** Whether a plain (unsigned) TCP connect from `localAddress` completes within `ms`. */
export function tcpConnects(host: string, port: number, localAddress: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, localAddress });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/**
 * TCP-MD5 against one daemon, over loopback addresses 127.0.<net>.0/24 (MD5 is the same kernel code
 * on loopback as on a link): three daemons with the key, one that we connect to, one that connects to
 * our listener, one that must never come up with us unless both keys agree.
 */
export function md5Suite(kind: DaemonKind, net: number): void {
  describeWithDaemon(kind, `TCP-MD5 with ${kind}`, () => {
    const ours = `127.0.${net}.1`;
    const addr = (n: number) => `127.0.${net}.${n}`;
    const port = (n: number) => 20_000 + net * 10 + n;
    const daemons: InteropDaemon[] = [];
    let speaker: BgpSpeaker;
    const downs: DownEvent[] = [];

    const daemon = (host: number, passive: boolean) => {
      const d = createDaemon(kind, {
        asn: THEIR_ASN,
        routerId: `10.0.${net}.${host}`,
        address: addr(host),
        port: port(host),
        holdTimeSec: 9,
        neighbor: { address: ours, asn: OUR_ASN, port: port(0), passive, password: KEY },
        routes: [{ prefix: `10.${net}.${host}.0/24` }],
      });
      daemons.push(d);
      return d;
    };
    // .2 waits for us; .3 connects to our listener; .4 is the keyed daemon of the negative cases.
    const listening = daemon(2, true);
    const connecting = daemon(3, false);
    const keyed = daemon(4, true);

    const state = (address: string) => speaker.peerStatus().find((p) => p.address === address)?.state;

    beforeAll(async () => {
      speaker = new BgpSpeaker({
        asn: OUR_ASN,
        routerId: `10.0.${net}.1`,
        listen: { host: ours, port: port(0) },
        holdTime: 9,
        connectRetry: 2,
      });
      speaker.on("down", (e) => downs.push(e));
      const common = { asn: THEIR_ASN, localAddress: ours, families: ["ipv4-unicast" as const] };
      speaker.addPeer({ ...common, address: addr(2), port: port(2), password: KEY });
      speaker.addPeer({ ...common, address: addr(3), passive: true, password: KEY });
      speaker.announce(`10.${net}.100.0/24`, { nextHop: "203.0.113.80" });
      await speaker.start();
      await Promise.all([listening.start(), connecting.start(), keyed.start()]);
    }, 60_000);

    afterAll(async () => {
      await speaker?.close();
      for (const d of daemons) await d.cleanup();
    });

    it("the right key, both ways: Established, and routes go both ways", async () => {
      for (const [d, host] of [
        [listening, 2],
        [connecting, 3],
      ] as const) {
        await waitFor(`${kind} .${host} to show Established`, async () =>
          (await d.neighborStatus()).established ? true : undefined,
        );
        expect(state(addr(host))).toBe("Established");
        await waitFor(`our route at ${kind} .${host}`, async () =>
          (await d.routes("ipv4")).some((r) => r.prefix === `10.${net}.100.0/24`) ? true : undefined,
        );
        await waitFor(`${kind} .${host}'s route with us`, async () =>
          speaker.adjRibIn(addr(host)).some((r) => r.prefix === `10.${net}.${host}.0/24`) ? true : undefined,
        );
      }
    });

    it("a non-peer cannot complete a TCP handshake with our listener (every peer has a key)", async () => {
      expect(await tcpConnects(ours, port(0), addr(9), 1500)).toBe(false);
    });

    it("a wrong key, no key, or the key on the wrong peer: never Established", async () => {
      const common = {
        asn: THEIR_ASN,
        localAddress: ours,
        port: port(4),
        families: ["ipv4-unicast" as const],
      };
      const never = async (what: string) => {
        await sleep(4000);
        expect(state(addr(4)), what).not.toBe("Established");
        expect((await keyed.neighborStatus()).established, what).toBe(false);
      };
      speaker.addPeer({ ...common, address: addr(4), password: "not-the-key" });
      await never("wrong key");
      expect(downs.find((e) => e.peer === addr(4))?.reason.message).toMatch(/TCP-MD5 key mismatch/);
      await speaker.removePeer(addr(4));
      speaker.addPeer({ ...common, address: addr(4) });
      await never("no key on our side");
      speaker.addPeer({ ...common, address: addr(8), password: KEY });
      await never("the key on another peer");
      await speaker.removePeer(addr(8));
      await speaker.removePeer(addr(4));
      // The control: the same daemon with the right key comes up.
      speaker.addPeer({ ...common, address: addr(4), password: KEY });
      await waitFor(`${kind} .4 with the right key`, async () =>
        (await keyed.neighborStatus()).established ? true : undefined,
      );
    }, 60_000);
  });
}
