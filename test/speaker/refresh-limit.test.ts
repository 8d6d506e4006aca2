import { afterEach, describe, expect, it } from "vitest";
import { BgpSpeaker } from "../../src/index.js";
import { REFRESH_BURST, REFRESH_INTERVAL_MS } from "../../src/speaker/peer.js";
import type { UpdateMessage } from "../../src/wire/types.js";
import { openFrom, RawPeer, sleep, waitFor } from "../session/helpers.js";

/**
 * Issue 9, item 1: ROUTE-REFRESH is rate-limited per peer (REFRESH_BURST at once, then one per
 * REFRESH_INTERVAL_MS), and requests over the limit are folded into one deferred refresh, never
 * dropped. Loopback 127.0.65.0/24.
 */

const ROUTES = 1000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function prefixes(raw: RawPeer): number {
  let n = 0;
  for (const m of raw.received) if (m.type === "update") n += (m as UpdateMessage).nlri.length;
  return n;
}

describe("ROUTE-REFRESH rate limit", () => {
  it("serves a burst at once, defers the next request, and folds the ones that wait with it", async () => {
    expect(REFRESH_BURST).toBe(3);
    expect(REFRESH_INTERVAL_MS).toBe(5000);
    const host = "127.0.65.1";
    const address = "127.0.65.2";
    const speaker = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.1", listen: { host, port: 0 } });
    cleanups.push(() => speaker.close());
    speaker.addPeer({ address, asn: 65002, passive: true, families: ["ipv4-unicast"] });
    for (let i = 0; i < ROUTES; i++) speaker.announce(`10.1.${i >> 8}.${i & 255}/32`);
    await speaker.start();
    const raw = await RawPeer.connect(speaker.listenPort!, address, host);
    cleanups.push(() => raw.destroy());
    raw.send(
      openFrom(65002, {
        capabilities: [
          { name: "multiprotocol", afi: 1, safi: 1 },
          { name: "route-refresh" },
          { name: "four-octet-as", asn: 65002 },
        ],
      }),
    );
    raw.send({ type: "keepalive" });
    await waitFor(() => prefixes(raw) === ROUTES, 10_000, "the initial table");
    const refresh = () => raw.send({ type: "route-refresh", afi: 1, safi: 1, subtype: 0 });

    for (let n = 1; n <= REFRESH_BURST; n++) {
      const t = Date.now();
      refresh();
      await waitFor(() => prefixes(raw) === ROUTES * (n + 1), 5000, `refresh ${n}`);
      expect(Date.now() - t).toBeLessThan(REFRESH_INTERVAL_MS / 2);
    }
    // Over the burst: deferred until a token is free, and what arrives meanwhile is folded into it.
    const t = Date.now();
    refresh();
    await sleep(300);
    for (let i = 0; i < 50; i++) refresh();
    await sleep(700);
    expect(prefixes(raw)).toBe(ROUTES * (REFRESH_BURST + 1));
    await waitFor(() => prefixes(raw) === ROUTES * (REFRESH_BURST + 2), 10_000, "the deferred refresh");
    expect(Date.now() - t).toBeGreaterThan(REFRESH_INTERVAL_MS / 2);
    await sleep(500);
    expect(prefixes(raw)).toBe(ROUTES * (REFRESH_BURST + 2));
    expect(speaker.peerStatus()[0].refreshesFolded).toBe(50);
  }, 30_000);
});
