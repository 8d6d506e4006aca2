/**
 * The bulk benches' two IPv6 prefix sets (bench/bulk/prefixes.ts): each is N distinct /48s, and the
 * reason the scattered one exists holds. That is, under BIRD 2's IPv6 FIB hash (`birdFibHash`,
 * BIRD's ip6_hash and net_hash_ip6 with the top bits kept as its FIB keeps them) the counting set
 * crowds into 65,536 buckets and the scattered one does not.
 */
import { afterEach, describe, expect, it } from "vitest";
import { birdFibHash, ipv6Bits, ipv6Prefix, usePrefixSet } from "../../bench/bulk/prefixes.js";

const COUNT = 1_000_000;
/** BIRD's FIB for 1M routes: 2^20 buckets or more; 2^20 is the kindest to the counting set. */
const FIB_ORDER = 20;

function census(): { distinct: number; buckets: number; longestChain: number } {
  const seen = new Set<number>();
  const chains = new Uint8Array(1 << FIB_ORDER);
  let longestChain = 0;
  for (let i = 0; i < COUNT; i++) {
    const bits = ipv6Bits(i);
    seen.add(bits);
    const b = birdFibHash("ipv6", i) >>> (32 - FIB_ORDER);
    chains[b]++;
    if (chains[b] > longestChain) longestChain = chains[b];
  }
  return { distinct: seen.size, buckets: chains.filter((n) => n > 0).length, longestChain };
}

describe("bulk bench prefix sets", () => {
  afterEach(() => {
    usePrefixSet("counting", "ipv6");
  });

  it("counting: 1M distinct /48s that share 65,536 of BIRD's buckets, 16 to a chain", () => {
    usePrefixSet("counting", "ipv6");
    expect(ipv6Prefix(0)).toBe("fd00:0:0::/48");
    expect(ipv6Prefix(65537)).toBe("fd00:1:1::/48");
    expect(census()).toEqual({ distinct: COUNT, buckets: 65_536, longestChain: 16 });
  });

  it("scattered: 1M distinct /48s spread over BIRD's buckets like random keys", () => {
    usePrefixSet("scattered", "ipv6");
    expect(process.env.BULK_PREFIXES).toBe("scattered");
    expect(ipv6Prefix(1)).toBe("fd00:9e37:79b1::/48");
    const { distinct, buckets, longestChain } = census();
    expect(distinct).toBe(COUNT);
    // 1M random keys in 2^20 buckets fill about 1 - 1/e of them (663k) with chains of at most ~10.
    expect(buckets).toBeGreaterThan(600_000);
    expect(longestChain).toBeLessThan(12);
  });

  it("refuses a set it does not know, and the scattered set for IPv4", () => {
    expect(() => usePrefixSet("sorted", "ipv6")).toThrow(/--prefixes: expected counting or scattered/);
    expect(() => usePrefixSet("scattered", "ipv4")).toThrow(/for --family ipv6/);
  });
});
