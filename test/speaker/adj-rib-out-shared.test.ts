import { describe, expect, it } from "vitest";
import { AdjRibOut, type RibChanges, RibOutTable } from "../../src/speaker/adj-rib-out.js";
import { normalizeAttributes, type RouteAttributes } from "../../src/speaker/route.js";

/**
 * Issue 12: every peer's Adj-RIB-Out is a view of one shared table (routes for all peers once, per
 * peer only its exceptions and what its session was told). These check the per-peer behaviour that
 * the old per-peer copies gave, on several views of one table.
 */

const a = normalizeAttributes({ med: 1 });
const b = normalizeAttributes({ med: 2 });
const c = normalizeAttributes({ med: 3 });
const v4 = (i: number) => `10.1.${i >> 8}.${i & 255}/32`;
const route = (attributes: RouteAttributes) => ({ family: "ipv4-unicast" as const, attributes });

interface Seen {
  announced: Map<string, RouteAttributes>;
  withdrawn: string[];
}

function drain(rib: AdjRibOut): Seen {
  const seen: Seen = { announced: new Map(), withdrawn: [] };
  for (let guard = 0; rib.pendingCount > 0 && guard < 10_000; guard++) {
    const ch: RibChanges = rib.takeChanges(37);
    for (const g of ch.announce) for (const p of g.prefixes) seen.announced.set(p, g.attributes);
    for (const list of ch.withdraw.values()) seen.withdrawn.push(...list);
  }
  return seen;
}

function twoPeers(): { table: RibOutTable; x: AdjRibOut; y: AdjRibOut } {
  const table = new RibOutTable();
  const x = new AdjRibOut(table);
  const y = new AdjRibOut(table);
  x.resetSession();
  y.resetSession();
  return { table, x, y };
}

describe("shared Adj-RIB-Out", () => {
  it("sends global routes to every peer and per-peer exceptions to that peer only", () => {
    const { table, x, y } = twoPeers();
    for (let i = 0; i < 100; i++) table.setGlobal(v4(i), route(a));
    expect(drain(x).announced.size).toBe(100);
    expect(drain(y).announced.size).toBe(100);
    expect(table.entries.size).toBe(100);

    x.delete(v4(0)); // withdraw from x only
    x.set(v4(500), route(c)); // announce to x only
    let sx = drain(x);
    let sy = drain(y);
    expect(sx.withdrawn).toEqual([v4(0)]);
    expect([...sx.announced]).toEqual([[v4(500), c]]);
    expect(sy.withdrawn).toEqual([]);
    expect(sy.announced.size).toBe(0);
    expect(x.desiredCount).toBe(100);
    expect(y.desiredCount).toBe(100);
    expect(x.sentRoutes).toBe(100);

    // A global announce replaces the exception: x gets v4(0) back, both get the new attributes.
    table.setGlobal(v4(0), route(b));
    sx = drain(x);
    sy = drain(y);
    expect([...sx.announced]).toEqual([[v4(0), b]]);
    expect([...sy.announced]).toEqual([[v4(0), b]]);

    // A global withdraw reaches both, and the exception-only route goes with its peer's say only.
    table.deleteGlobal(v4(1));
    x.delete(v4(500));
    sx = drain(x);
    sy = drain(y);
    expect(sx.withdrawn.sort()).toEqual([v4(1), v4(500)].sort());
    expect(sy.withdrawn).toEqual([v4(1)]);
    expect(x.sentRoutes).toBe(99);
    expect(y.sentRoutes).toBe(99);
    expect(table.entries.size).toBe(99);
    expect(table.exceptions).toBe(0);
  });

  it("keeps what each peer holds when they were told different attributes", () => {
    const { table, x, y } = twoPeers();
    table.setGlobal(v4(1), route(a));
    drain(x);
    drain(y);
    table.setGlobal(v4(1), route(b));
    expect([...drain(x).announced]).toEqual([[v4(1), b]]); // y still holds a
    table.setGlobal(v4(1), route(a));
    expect([...drain(x).announced]).toEqual([[v4(1), a]]);
    expect(drain(y).announced.size).toBe(0); // y was told a and a is wanted: nothing to send
    table.setGlobal(v4(1), route(c));
    expect([...drain(y).announced]).toEqual([[v4(1), c]]);
    expect([...drain(x).announced]).toEqual([[v4(1), c]]);
    table.deleteGlobal(v4(1));
    expect(drain(x).withdrawn).toEqual([v4(1)]);
    expect(drain(y).withdrawn).toEqual([v4(1)]);
    expect(table.entries.size).toBe(0);
  });

  it("a peer without a session tracks nothing; its next session replays, withdrawing nothing it was not told", () => {
    const { table, x, y } = twoPeers();
    for (let i = 0; i < 50; i++) table.setGlobal(v4(i), route(a));
    drain(x);
    drain(y);
    y.sessionDown();
    for (let i = 0; i < 10; i++) table.deleteGlobal(v4(i));
    for (let i = 50; i < 60; i++) table.setGlobal(v4(i), route(b));
    // Entries y's old session held stay until its replay passes them.
    expect(table.entries.size).toBe(60);
    expect(drain(x).withdrawn).toHaveLength(10);
    y.resetSession();
    const sy = drain(y);
    expect(sy.withdrawn).toEqual([]);
    expect(sy.announced.size).toBe(50);
    expect(y.sentRoutes).toBe(50);
    expect(table.entries.size).toBe(50);
  });

  it("logs a prefix once however often it changes before the peers read it", () => {
    const { table, x, y } = twoPeers();
    drain(x); // the new sessions' replays (of an empty table) end
    drain(y);
    for (let i = 0; i < 1000; i++) table.setGlobal(v4(7), route(i % 2 === 0 ? a : b));
    expect(table.log.length).toBe(1);
    expect(x.pendingCount).toBe(1);
    expect([...drain(x).announced]).toEqual([[v4(7), b]]);
    expect(table.log.length).toBe(1); // y has not read it
    drain(y);
    expect(table.log.length).toBe(0);
  });

  it("removing a peer gives back what it holds", () => {
    const { table, x, y } = twoPeers();
    for (let i = 0; i < 20; i++) table.setGlobal(v4(i), route(a));
    x.set(v4(99), route(c));
    drain(x);
    drain(y);
    for (let i = 0; i < 20; i++) table.deleteGlobal(v4(i));
    x.detach();
    expect(table.exceptions).toBe(0);
    expect(table.entries.size).toBe(20); // y was told them: its withdrawals are still owed
    expect(drain(y).withdrawn).toHaveLength(20);
    expect(table.entries.size).toBe(0);
    // A peer added later gets every global route.
    table.setGlobal(v4(5), route(a));
    const z = new AdjRibOut(table);
    expect(z.desiredCount).toBe(1);
    z.resetSession();
    expect([...drain(z).announced]).toEqual([[v4(5), a]]);
  });
});
