import { describe, expect, it } from "vitest";
import { AdjRibOut } from "../../src/speaker/adj-rib-out.js";
import { normalizeAttributes } from "../../src/speaker/route.js";

/**
 * Issue 9, item 1, at the Adj-RIB-Out: a route refresh and a new session's replay cost O(1) when
 * asked for; the table is walked by the flush, a batch at a time, and a refresh asked for again
 * while one runs is folded into it.
 */

const a = normalizeAttributes({ med: 1 });
const v4 = (i: number) => `10.0.${i >> 8}.${i & 255}/32`;
const v6 = (i: number) => `2001:db8::${i.toString(16)}/128`;

function drain(rib: AdjRibOut, batch = 50): string[] {
  const out: string[] = [];
  for (let guard = 0; rib.pendingCount > 0 && guard < 10_000; guard++) {
    const c = rib.takeChanges(batch);
    for (const g of c.announce) out.push(...g.prefixes);
  }
  return out;
}

describe("AdjRibOut route refresh", () => {
  it("folds repeated requests for a family into the pass under way, and sends each route once", () => {
    const rib = new AdjRibOut();
    for (let i = 0; i < 500; i++) rib.set(v4(i), { family: "ipv4-unicast", attributes: a });
    for (let i = 0; i < 100; i++) rib.set(v6(i), { family: "ipv6-unicast", attributes: a });
    drain(rib);
    expect(rib.sentRoutes).toBe(600);
    expect(rib.resend("ipv4-unicast")).toBe(true);
    expect(rib.isRefreshing("ipv4-unicast")).toBe(true);
    rib.takeChanges(50);
    for (let i = 0; i < 1000; i++) expect(rib.resend("ipv4-unicast")).toBe(false);
    const rest = drain(rib);
    expect(rest).toHaveLength(450);
    expect(new Set(rest).size).toBe(450);
    expect(rest.every((p) => !p.includes(":"))).toBe(true);
    expect(rib.isRefreshing("ipv4-unicast")).toBe(false);
    expect(rib.sentRoutes).toBe(600);
  });

  it("queues another family's refresh behind the pass under way, and runs it after", () => {
    const rib = new AdjRibOut();
    for (let i = 0; i < 200; i++) rib.set(v4(i), { family: "ipv4-unicast", attributes: a });
    for (let i = 0; i < 100; i++) rib.set(v6(i), { family: "ipv6-unicast", attributes: a });
    drain(rib);
    rib.resend("ipv4-unicast");
    rib.takeChanges(20);
    expect(rib.resend("ipv6-unicast")).toBe(true);
    expect(rib.resend("ipv6-unicast")).toBe(false);
    const rest = drain(rib);
    expect(rest.filter((p) => p.includes(":"))).toHaveLength(100);
    expect(rest.filter((p) => !p.includes(":"))).toHaveLength(180);
    expect(rib.sentRoutes).toBe(300);
  });

  it("a new session's replay costs nothing up front and forgets the old session lazily", () => {
    const rib = new AdjRibOut();
    for (let i = 0; i < 300; i++) rib.set(v4(i), { family: "ipv4-unicast", attributes: a });
    drain(rib);
    rib.delete(v4(10)); // told to the old session: must not be withdrawn on the new one
    rib.resetSession();
    expect(rib.sentRoutes).toBe(0);
    expect(rib.resend("ipv4-unicast")).toBe(false); // the replay sends everything anyway
    const withdrawn: string[] = [];
    const announced: string[] = [];
    while (rib.pendingCount > 0) {
      const c = rib.takeChanges(64);
      for (const g of c.announce) announced.push(...g.prefixes);
      for (const list of c.withdraw.values()) withdrawn.push(...list);
    }
    expect(withdrawn).toEqual([]);
    expect(announced).toHaveLength(299);
    expect(rib.sentRoutes).toBe(299);
    expect(rib.desiredCount).toBe(299);
  });
});
