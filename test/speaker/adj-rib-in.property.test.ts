/**
 * The Adj-RIB-In (one typed-array PrefixTable per family, filed from UPDATE octets) against a model
 * made of Maps keyed by prefix text and path id, which is what the Adj-RIB-In used to be. Random
 * sequences of UPDATEs (both families, with and without ADD-PATH path ids, withdrawals,
 * treat-as-withdraw, AS-loop rejection), graceful-restart stale marking and sweeping, and
 * session-down takeAll/clear; after each step the changes reported, the routes listed (in order),
 * the size and the stale count must be the model's. UPDATEs reach it either as built in code or
 * encoded and decoded the way a session receives them (NLRI left as bytes).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdjRibIn, type ReceivedRoute, type RibInChange } from "../../src/speaker/adj-rib-in.js";
import { deferringContext } from "../../src/wire/deferred-nlri.js";
import { decodeReceivedMessage, encodeMessage } from "../../src/wire/message.js";
import type {
  AddressFamily,
  CodecContext,
  Nlri,
  PathAttributes,
  UpdateMessage,
} from "../../src/wire/types.js";
import { prefixArb, RUNS } from "../property/arbitraries.js";

const FAMILIES: readonly AddressFamily[] = ["ipv4-unicast", "ipv6-unicast"];

/** Prefixes that recur across steps (so routes are replaced and withdrawn), and edge lengths. */
const POOL: Record<AddressFamily, readonly string[]> = {
  "ipv4-unicast": [
    "0.0.0.0/0",
    "10.0.0.0/8",
    "10.0.0.0/24",
    "10.0.0.0/25",
    "10.0.1.0/24",
    "255.255.255.255/32",
  ],
  "ipv6-unicast": [
    "::/0",
    "2001:db8::/32",
    "2001:db8::/48",
    "2001:db8:1::/48",
    "2001:db8::1/128",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
  ],
};

const pathIdArb = fc.oneof(fc.constantFrom(0, 1, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));

function nlriListArb(family: AddressFamily, addPath: boolean): fc.Arbitrary<Nlri[]> {
  const prefix = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...POOL[family]) },
    { weight: 1, arbitrary: prefixArb(family) },
  );
  const nlri = addPath
    ? fc.tuple(prefix, pathIdArb).map(([p, pathId]): Nlri => ({ prefix: p, pathId }))
    : prefix.map((p): Nlri => ({ prefix: p }));
  // Now and then a long field, so that PrefixTable's batches of 64 split it (duplicates included).
  return fc.oneof(
    { weight: 5, arbitrary: fc.array(nlri, { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.array(nlri, { minLength: 60, maxLength: 140 }) },
  );
}

interface UpdateStep {
  readonly kind: "update";
  readonly ctx: CodecContext;
  readonly update: UpdateMessage;
  readonly reject: boolean;
  readonly collect: boolean;
  /** Encoded and decoded as a session receives it (NLRI deferred), or handed over as built. */
  readonly viaBytes: boolean;
}

type Step =
  | UpdateStep
  | { readonly kind: "markStale"; readonly families: AddressFamily[] }
  | { readonly kind: "sweepStale"; readonly families: AddressFamily[] }
  | { readonly kind: "takeAll" }
  | { readonly kind: "clear" };

const updateStepArb: fc.Arbitrary<UpdateStep> = fc
  .record({ addPath4: fc.boolean(), addPath6: fc.boolean() })
  .chain(({ addPath4, addPath6 }) =>
    fc.record({
      ctx: fc.constant<CodecContext>({
        fourOctetAs: true,
        addPath: [
          ...(addPath4 ? ["ipv4-unicast" as const] : []),
          ...(addPath6 ? ["ipv6-unicast" as const] : []),
        ],
        extendedMessage: true,
      }),
      withdrawn4: nlriListArb("ipv4-unicast", addPath4),
      announce4: nlriListArb("ipv4-unicast", addPath4),
      withdrawn6: nlriListArb("ipv6-unicast", addPath6),
      announce6: nlriListArb("ipv6-unicast", addPath6),
      med: fc.integer({ min: 0, max: 3 }),
      treatAsWithdraw: fc.boolean(),
      reject: fc.boolean(),
      collect: fc.boolean(),
      viaBytes: fc.boolean(),
    }),
  )
  .map((s): UpdateStep => {
    const attributes: { -readonly [K in keyof PathAttributes]: PathAttributes[K] } = {
      origin: "igp",
      asPath: [{ type: "sequence", asns: [65001] }],
      med: s.med,
    };
    if (s.announce4.length > 0) attributes.nextHop = "198.51.100.1";
    if (s.announce6.length > 0) {
      attributes.mpReach = {
        family: "ipv6-unicast",
        afi: 2,
        safi: 1,
        nextHop: "2001:db8::1",
        nlri: s.announce6,
      };
    }
    if (s.withdrawn6.length > 0) {
      attributes.mpUnreach = { family: "ipv6-unicast", afi: 2, safi: 1, withdrawnRoutes: s.withdrawn6 };
    }
    const built: UpdateMessage = {
      type: "update",
      withdrawnRoutes: s.withdrawn4,
      attributes,
      nlri: s.announce4,
    };
    // RFC 7606 treat-as-withdraw can only be set on a message built in code (encoded bytes decode clean).
    const update: UpdateMessage =
      s.treatAsWithdraw && !s.viaBytes
        ? { ...built, errorHandling: "treat-as-withdraw", problems: [] }
        : built;
    return { kind: "update", ctx: s.ctx, update, reject: s.reject, collect: s.collect, viaBytes: s.viaBytes };
  });

const familiesArb = fc.subarray([...FAMILIES]);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: updateStepArb },
  { weight: 1, arbitrary: familiesArb.map((families): Step => ({ kind: "markStale", families })) },
  { weight: 1, arbitrary: familiesArb.map((families): Step => ({ kind: "sweepStale", families })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "takeAll" }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "clear" }) },
);

/** The Adj-RIB-In as it was: a Map per family from "prefix#pathId" to the route, and a stale set. */
class Model {
  private tables = new Map<AddressFamily, Map<string, ReceivedRoute>>(FAMILIES.map((f) => [f, new Map()]));
  private stale = new Set<string>();

  private static key(family: AddressFamily, prefix: string, pathId: number | undefined): string {
    return `${family} ${prefix}#${pathId ?? "none"}`;
  }

  get size(): number {
    let n = 0;
    for (const table of this.tables.values()) n += table.size;
    return n;
  }

  get staleCount(): number {
    return this.stale.size;
  }

  list(): ReceivedRoute[] {
    return FAMILIES.flatMap((f) => [...(this.tables.get(f) as Map<string, ReceivedRoute>).values()]);
  }

  apply(update: UpdateMessage, reject: boolean): RibInChange[] {
    const out: RibInChange[] = [];
    const { mpReach, mpUnreach, ...attributes } = update.attributes;
    const withdrawAll = reject || update.errorHandling === "treat-as-withdraw";
    for (const n of update.withdrawnRoutes) this.remove("ipv4-unicast", n, out);
    if (mpUnreach !== undefined && mpUnreach.family !== null) {
      for (const n of mpUnreach.withdrawnRoutes) this.remove(mpUnreach.family, n, out);
    }
    for (const n of update.nlri) {
      if (withdrawAll) this.remove("ipv4-unicast", n, out);
      else this.add("ipv4-unicast", n, attributes, attributes.nextHop, out);
    }
    if (mpReach !== undefined && mpReach.family !== null) {
      for (const n of mpReach.nlri) {
        if (withdrawAll) this.remove(mpReach.family, n, out);
        else this.add(mpReach.family, n, attributes, mpReach.nextHop, out);
      }
    }
    return out;
  }

  private add(
    family: AddressFamily,
    n: Nlri,
    attributes: PathAttributes,
    nextHop: string | undefined,
    out: RibInChange[],
  ): void {
    const route: ReceivedRoute =
      n.pathId === undefined
        ? { family, prefix: n.prefix, attributes, nextHop }
        : { family, prefix: n.prefix, pathId: n.pathId, attributes, nextHop };
    const key = Model.key(family, n.prefix, n.pathId);
    (this.tables.get(family) as Map<string, ReceivedRoute>).set(key, route);
    this.stale.delete(key);
    out.push({ type: "announce", route });
  }

  private remove(family: AddressFamily, n: Nlri, out: RibInChange[]): void {
    const key = Model.key(family, n.prefix, n.pathId);
    if (!(this.tables.get(family) as Map<string, ReceivedRoute>).delete(key)) return;
    this.stale.delete(key);
    out.push(withdrawal(family, n.prefix, n.pathId));
  }

  markStale(families: readonly AddressFamily[]): RibInChange[] {
    const gone: RibInChange[] = [];
    for (const [family, table] of this.tables) {
      for (const [key, route] of table) {
        if (families.includes(family)) {
          this.stale.add(key);
        } else {
          // (The Map version forgot to unmark a route that was already stale: a second restart
          // that drops the family left staleCount above size. The model says what is right.)
          table.delete(key);
          this.stale.delete(key);
          gone.push(withdrawal(family, route.prefix, route.pathId));
        }
      }
    }
    return gone;
  }

  sweepStale(families: readonly AddressFamily[]): RibInChange[] {
    const gone: RibInChange[] = [];
    for (const family of families.includes("ipv4-unicast") ? FAMILIES : FAMILIES.slice(1)) {
      if (!families.includes(family)) continue;
      const table = this.tables.get(family) as Map<string, ReceivedRoute>;
      for (const [key, route] of table) {
        if (!this.stale.delete(key)) continue;
        table.delete(key);
        gone.push(withdrawal(family, route.prefix, route.pathId));
      }
    }
    return gone;
  }

  takeAll(): RibInChange[] {
    const all = this.list().map((r) => withdrawal(r.family, r.prefix, r.pathId));
    this.clear();
    return all;
  }

  clear(): void {
    for (const table of this.tables.values()) table.clear();
    this.stale.clear();
  }
}

function withdrawal(family: AddressFamily, prefix: string, pathId: number | undefined): RibInChange {
  return pathId === undefined
    ? { type: "withdraw", family, prefix }
    : { type: "withdraw", family, prefix, pathId };
}

function run(steps: readonly Step[]): void {
  const rib = new AdjRibIn();
  const model = new Model();
  for (const step of steps) {
    switch (step.kind) {
      case "update": {
        const update = step.viaBytes
          ? (decodeReceivedMessage(
              encodeMessage(step.update, step.ctx),
              deferringContext(step.ctx),
            ) as UpdateMessage)
          : step.update;
        const expected = model.apply(step.update, step.reject);
        const changes = rib.apply(update, step.reject, step.collect);
        expect(changes).toEqual(step.collect ? expected : []);
        break;
      }
      case "markStale":
        expect(rib.markStale(step.families)).toEqual(model.markStale(step.families));
        break;
      case "sweepStale":
        expect(rib.sweepStale(step.families)).toEqual(model.sweepStale(step.families));
        break;
      case "takeAll": {
        const taken: RibInChange[] = [];
        const it = rib.takeAll();
        expect(rib.size).toBe(0); // forgotten at once; the withdrawals come from the old tables
        for (let r = it.next(); !r.done; r = it.next()) taken.push(r.value);
        expect(taken).toEqual(model.takeAll());
        break;
      }
      case "clear":
        rib.clear();
        model.clear();
        break;
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
    expect(rib.list()).toEqual(model.list());
    expect(rib.size).toBe(model.size);
    expect(rib.staleCount).toBe(model.staleCount);
  }
}

describe("AdjRibIn against a Map model", () => {
  it("reports the same changes and holds the same routes, in order, over random steps", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => run(steps)),
      { numRuns: Math.min(RUNS, 1000) },
    );
  }, 120_000);

  it("grows, squeezes out deleted entries and stays consistent across many routes", () => {
    // Thousands of routes announced, half withdrawn, re-announced: every resize path of the table.
    const rib = new AdjRibIn();
    const model = new Model();
    const ctx: CodecContext = { fourOctetAs: true, addPath: ["ipv4-unicast"], extendedMessage: true };
    const v4 = (i: number): Nlri => ({ prefix: `10.${(i >> 8) & 255}.${i & 255}.0/24`, pathId: i % 3 });
    const v6 = (i: number): Nlri => ({ prefix: `2001:db8:${(i + 1).toString(16)}::/48` });
    const attributes: PathAttributes = { origin: "igp", asPath: [], nextHop: "198.51.100.1" };
    const step = (announce: number[], withdraw: number[]) => {
      const update: UpdateMessage = {
        type: "update",
        withdrawnRoutes: withdraw.map(v4),
        attributes: {
          ...attributes,
          mpReach: {
            family: "ipv6-unicast",
            afi: 2,
            safi: 1,
            nextHop: "2001:db8::1",
            nlri: announce.map(v6),
          },
          ...(withdraw.length > 0
            ? { mpUnreach: { family: "ipv6-unicast", afi: 2, safi: 1, withdrawnRoutes: withdraw.map(v6) } }
            : {}),
        },
        nlri: announce.map(v4),
      };
      const received = decodeReceivedMessage(
        encodeMessage(update, ctx),
        deferringContext(ctx),
      ) as UpdateMessage;
      expect(rib.apply(received, false, true)).toEqual(model.apply(update, false));
    };
    const range = (from: number, to: number, by = 1) =>
      Array.from({ length: (to - from) / by }, (_, k) => from + k * by);
    for (let i = 0; i < 6000; i += 300) step(range(i, i + 300), []);
    for (let i = 0; i < 6000; i += 600) step([], range(i, i + 600, 2));
    for (let i = 6000; i < 9000; i += 300) step(range(i, i + 300), []);
    for (let i = 0; i < 6000; i += 600) step(range(i, i + 600, 2), []);
    expect(rib.list()).toEqual(model.list());
    expect(rib.size).toBe(18000);
    expect(rib.markStale(["ipv6-unicast"])).toEqual(model.markStale(["ipv6-unicast"]));
    step(range(0, 100), []);
    expect(rib.staleCount).toBe(model.staleCount);
    expect(rib.sweepStale(["ipv6-unicast"])).toEqual(model.sweepStale(["ipv6-unicast"]));
    expect(rib.list()).toEqual(model.list());
  });
});
