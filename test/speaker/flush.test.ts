import { describe, expect, it } from "vitest";
import { AdjRibOut } from "../../src/speaker/adj-rib-out.js";
import {
  type Defer,
  EndMarkers,
  FLUSH_BATCH,
  FLUSH_SLICE_MS,
  FlushScheduler,
  type FlushTarget,
  flushChanges,
  REPORT_SLICE,
  SlicedReport,
} from "../../src/speaker/flush.js";
import { normalizeAttributes } from "../../src/speaker/route.js";
import { resolveContext } from "../../src/wire/context.js";
import { MessageFramer } from "../../src/wire/framer.js";
import { decodeMessage, encodeMessage } from "../../src/wire/message.js";
import type { BgpMessage, RouteRefreshMessage, UpdateMessage } from "../../src/wire/types.js";

/** The flush loop (src/speaker/flush.ts): real Adj-RIB-Out, real bytes, a fake monotonic clock. */

const CTX = resolveContext({ fourOctetAs: true });

/** A session that takes everything (or `capacity` messages), decoding what it was sent off the wire. */
class FakeSession implements FlushTarget {
  readonly context = CTX;
  readonly view = { localAsn: 65001, external: true, fourOctetAs: true };
  readonly wire: BgpMessage[] = [];
  writableNow = true;
  capacity = Number.POSITIVE_INFINITY;
  refuse = new Set<string>();
  writable(): boolean {
    return this.writableNow;
  }
  send(message: UpdateMessage | RouteRefreshMessage): boolean {
    if (this.wire.length >= this.capacity) return false;
    this.wire.push(decodeMessage(encodeMessage(message, CTX), CTX));
    return true;
  }
  sendUpdates(bytes: Uint8Array, count: number): boolean {
    if (this.wire.length >= this.capacity) return false;
    const frames = [...new MessageFramer().push(bytes)];
    expect(frames).toHaveLength(count);
    for (const frame of frames) this.wire.push(decodeMessage(frame, CTX));
    return true;
  }
  canSend(prefix: string): boolean {
    return !this.refuse.has(prefix);
  }
  nextHopFor(family: string, explicit: string | undefined): string {
    return explicit ?? (family === "ipv4-unicast" ? "198.51.100.1" : "2001:db8::1");
  }
  linkLocalFor(): undefined {
    return undefined;
  }
  announced(): string[] {
    const out: string[] = [];
    for (const m of this.wire) {
      if (m.type !== "update") continue;
      for (const n of m.nlri) out.push(`${n.prefix} via ${m.attributes.nextHop}`);
      const mp = m.attributes.mpReach;
      if (mp !== undefined && "nextHop" in mp)
        for (const n of mp.nlri) out.push(`${n.prefix} via ${mp.nextHop}`);
    }
    return out;
  }
  withdrawn(): string[] {
    const out: string[] = [];
    for (const m of this.wire) {
      if (m.type !== "update") continue;
      for (const n of m.withdrawnRoutes) out.push(n.prefix);
      const mp = m.attributes.mpUnreach;
      if (mp !== undefined && "withdrawnRoutes" in mp) for (const n of mp.withdrawnRoutes) out.push(n.prefix);
    }
    return out;
  }
}

function liveRib(): AdjRibOut {
  const rib = new AdjRibOut();
  rib.resetSession();
  return rib;
}

const PLAIN = normalizeAttributes(undefined);

describe("flushChanges", () => {
  it("sends announcements grouped by attributes, IPv6 in MP_REACH_NLRI, and withdrawals", () => {
    const rib = liveRib();
    const session = new FakeSession();
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: PLAIN });
    rib.set("10.0.1.0/24", { family: "ipv4-unicast", attributes: PLAIN });
    rib.set("10.0.2.0/24", {
      family: "ipv4-unicast",
      attributes: normalizeAttributes({ nextHop: "203.0.113.9" }),
    });
    rib.set("2001:db8:1::/48", { family: "ipv6-unicast", attributes: PLAIN });
    expect(flushChanges(rib, session, Number.POSITIVE_INFINITY)).toBe("done");
    expect(session.announced().sort()).toEqual([
      "10.0.0.0/24 via 198.51.100.1",
      "10.0.1.0/24 via 198.51.100.1",
      "10.0.2.0/24 via 203.0.113.9",
      "2001:db8:1::/48 via 2001:db8::1",
    ]);
    expect(session.wire).toHaveLength(3); // one UPDATE per attributes group
    const first = session.wire[0] as UpdateMessage;
    expect(first.attributes.asPath).toEqual([{ type: "sequence", asns: [65001] }]);

    rib.delete("10.0.1.0/24");
    rib.delete("2001:db8:1::/48");
    expect(flushChanges(rib, session, Number.POSITIVE_INFINITY)).toBe("done");
    expect(session.withdrawn().sort()).toEqual(["10.0.1.0/24", "2001:db8:1::/48"]);
    expect(flushChanges(rib, session, Number.POSITIVE_INFINITY)).toBe("done");
    expect(session.wire).toHaveLength(5);
  });

  it("a route the session cannot take is withdrawn where the peer holds it", () => {
    const rib = liveRib();
    const session = new FakeSession();
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: PLAIN });
    flushChanges(rib, session, Number.POSITIVE_INFINITY);
    session.refuse.add("10.0.0.0/24");
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: normalizeAttributes({ med: 7 }) });
    expect(flushChanges(rib, session, Number.POSITIVE_INFINITY)).toBe("done");
    expect(session.withdrawn()).toEqual(["10.0.0.0/24"]);
  });

  it("yields when its time slice is used up, and picks up where it stopped", () => {
    const rib = liveRib();
    const session = new FakeSession();
    const count = 3 * FLUSH_BATCH;
    for (let i = 0; i < count; i++)
      rib.set(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`, { family: "ipv4-unicast", attributes: PLAIN });
    // Each reading of the clock moves it on by 6 ms: the second batch starts past a 10 ms slice.
    let t = 0;
    const now = () => (t += 6);
    expect(flushChanges(rib, session, FLUSH_SLICE_MS, now)).toBe("yielded");
    expect(session.announced()).toHaveLength(FLUSH_BATCH);
    expect(rib.pendingCount).toBe(count - FLUSH_BATCH);
    expect(flushChanges(rib, session, Number.POSITIVE_INFINITY, now)).toBe("done");
    expect(new Set(session.announced()).size).toBe(count);
  });

  it("stops while the socket is full, and when the session goes down under it", () => {
    const rib = liveRib();
    const session = new FakeSession();
    rib.set("10.0.0.0/24", { family: "ipv4-unicast", attributes: PLAIN });
    session.writableNow = false;
    expect(flushChanges(rib, session, Number.POSITIVE_INFINITY)).toBe("blocked");
    expect(session.wire).toEqual([]);
    session.writableNow = true;
    session.capacity = 0;
    expect(flushChanges(rib, session, Number.POSITIVE_INFINITY)).toBe("gone");
  });
});

describe("EndMarkers", () => {
  it("sends End-of-Route-Refresh, then End-of-RIB per family, once", () => {
    const markers = new EndMarkers();
    const session = new FakeSession();
    const send = (m: UpdateMessage | RouteRefreshMessage) => session.send(m);
    markers.sessionUp(["ipv4-unicast", "ipv6-unicast"]);
    markers.refreshBegun("ipv6-unicast");
    expect(markers.send(send)).toBe(true);
    expect(session.wire).toEqual([
      { type: "route-refresh", afi: 2, safi: 1, subtype: 2 },
      { type: "update", withdrawnRoutes: [], attributes: {}, nlri: [] },
      {
        type: "update",
        withdrawnRoutes: [],
        attributes: { mpUnreach: { family: "ipv6-unicast", afi: 2, safi: 1, withdrawnRoutes: [] } },
        nlri: [],
      },
    ]);
    expect(markers.send(send)).toBe(true);
    expect(session.wire).toHaveLength(3);
  });

  it("keeps what it could not send for the next session's flush", () => {
    const markers = new EndMarkers();
    markers.sessionUp(["ipv4-unicast"]);
    expect(markers.send(() => false)).toBe(false);
    const sent: string[] = [];
    expect(markers.send((m) => sent.push(m.type) > 0)).toBe(true);
    expect(sent).toEqual(["update"]);
  });
});

/** A Defer that runs only when the test says so. */
function manualDefer(): { defer: Defer; runAll: () => number } {
  const queue: (() => void)[] = [];
  return {
    defer: (run) => queue.push(run),
    runAll: () => {
      let n = 0;
      while (queue.length > 0) {
        queue.shift()!();
        n++;
      }
      return n;
    },
  };
}

describe("FlushScheduler", () => {
  it("runs once on the next turn however often it is asked, and again when asked after", () => {
    const { defer, runAll } = manualDefer();
    let runs = 0;
    const scheduler = new FlushScheduler(() => runs++, defer);
    scheduler.schedule();
    scheduler.schedule();
    scheduler.schedule();
    expect(runs).toBe(0);
    expect(runAll()).toBe(1);
    expect(runs).toBe(1);
    scheduler.schedule();
    runAll();
    expect(runs).toBe(2);
  });
});

describe("SlicedReport", () => {
  function* numbers(n: number) {
    for (let i = 0; i < n; i++) yield i;
  }

  it("reports REPORT_SLICE at a time within one time slice per turn", () => {
    const { defer, runAll } = manualDefer();
    const slices: number[][] = [];
    let t = 0;
    // Each reading moves the clock 4 ms: three slices fit in FLUSH_SLICE_MS, then it yields.
    const report = new SlicedReport<number>(
      (items) => slices.push(items),
      defer,
      () => (t += 4),
    );
    report.start(numbers(10 * REPORT_SLICE + 5));
    expect(slices.map((s) => s.length)).toEqual([REPORT_SLICE, REPORT_SLICE]);
    expect(report.busy).toBe(true);
    runAll();
    expect(report.busy).toBe(false);
    expect(slices.flat()).toEqual([...numbers(10 * REPORT_SLICE + 5)]);
  });

  it("finish() reports the rest at once, and a new list goes after the old one", () => {
    const { defer, runAll } = manualDefer();
    const seen: string[] = [];
    let t = 0;
    const report = new SlicedReport<string>(
      (items) => seen.push(...items),
      defer,
      () => (t += 6),
    );
    const old = Array.from({ length: 2 * REPORT_SLICE }, (_, i) => `old ${i}`);
    report.start(old[Symbol.iterator]());
    expect(seen).toHaveLength(REPORT_SLICE);
    report.start(["new"][Symbol.iterator]());
    expect(seen).toEqual([...old, "new"]);
    runAll(); // the old list's step finds itself replaced and does nothing
    expect(seen).toEqual([...old, "new"]);
  });
});
