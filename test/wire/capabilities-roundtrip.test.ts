import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCapabilities, encodeCapability } from "../../src/wire/capabilities/index.js";
import type { Capability } from "../../src/wire/types.js";
import { Writer } from "../../src/wire/writer.js";

const afi = fc.integer({ min: 0, max: 0xffff });
const safi = fc.integer({ min: 0, max: 0xff });
/** Any code points; 30 of them (at most 120 octets) leave room for the FQDN's second string. */
const shortText = fc.string({ unit: "binary", maxLength: 30 });

const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ name: fc.constant("multiprotocol" as const), afi, safi }),
  fc.constant({ name: "route-refresh" as const }),
  fc.record({
    name: fc.constant("extended-next-hop" as const),
    entries: fc.array(fc.record({ afi, safi: afi, nextHopAfi: afi }), { maxLength: 10 }),
  }),
  fc.constant({ name: "extended-message" as const }),
  fc.record({ name: fc.constant("role" as const), role: safi }),
  fc.record({
    name: fc.constant("graceful-restart" as const),
    restarting: fc.boolean(),
    notification: fc.boolean(),
    restartTimeSec: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi, safi, forwardingPreserved: fc.boolean() }), { maxLength: 20 }),
  }),
  fc.record({ name: fc.constant("four-octet-as" as const), asn: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({
    name: fc.constant("add-path" as const),
    families: fc.array(
      fc.record({
        afi,
        safi,
        sendReceive: fc.constantFrom("receive" as const, "send" as const, "both" as const),
      }),
      { maxLength: 20 },
    ),
  }),
  fc.constant({ name: "enhanced-route-refresh" as const }),
  fc.record({
    name: fc.constant("long-lived-graceful-restart" as const),
    families: fc.array(
      fc.record({
        afi,
        safi,
        forwardingPreserved: fc.boolean(),
        staleTimeSec: fc.integer({ min: 0, max: 0xffffff }),
      }),
      { maxLength: 20 },
    ),
  }),
  fc.record({ name: fc.constant("fqdn" as const), hostname: shortText, domainName: shortText }),
  fc.record({ name: fc.constant("software-version" as const), version: shortText }),
  fc.record({
    name: fc.constant("paths-limit" as const),
    families: fc.array(fc.record({ afi, safi, limit: fc.integer({ min: 0, max: 0xffff }) }), {
      maxLength: 20,
    }),
  }),
  fc.record({
    name: fc.constant("unknown" as const),
    // Codes nobody in the registry claims, so they come back raw.
    code: fc.constantFrom(0, 3, 4, 7, 8, 66, 67, 128, 131, 200, 255),
    data: fc.uint8Array({ maxLength: 255 }),
  }),
);

describe("capabilities: encode -> decode", () => {
  it("gives back every capability, in order", () => {
    fc.assert(
      fc.property(fc.array(capability, { maxLength: 8 }), (capabilities) => {
        const w = new Writer(16);
        for (const c of capabilities) encodeCapability(w, c);
        const bytes = w.finish();
        expect(decodeCapabilities(bytes, 0, bytes.length)).toEqual(capabilities);
      }),
      { numRuns: 2000 },
    );
  });
});
