import { describe, expect, it } from "vitest";
import { hasAsLoop, maxPrefixesError } from "../../src/speaker/import-policy.js";
import { decodeMessage } from "../../src/wire/message.js";
import type { UpdateMessage } from "../../src/wire/types.js";

/** The import checks (src/speaker/import-policy.ts): AS loops (RFC 4271 §9.1.2) and max-prefix (RFC 4486). */

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");

/** An UPDATE from a 4-octet-AS peer, AS_PATH as given, one IPv4 route 10.0.0.0/24. */
function updateWithPath(asns: number[]): UpdateMessage {
  const path = asns.map((a) => a.toString(16).padStart(8, "0")).join("");
  const asPath = `02 ${asns.length.toString(16).padStart(2, "0")} ${path}`; // AS_SEQUENCE
  const attributes = [
    "40 01 01 00", // ORIGIN IGP
    `40 02 ${(asPath.replace(/\s/g, "").length / 2).toString(16).padStart(2, "0")} ${asPath}`, // AS_PATH
    "40 03 04 c6336402", // NEXT_HOP 198.51.100.2
  ].join("");
  const body = `0000 ${hex(attributes).length.toString(16).padStart(4, "0")} ${attributes} 18 0a0000`;
  const length = 19 + hex(body).length;
  const message = `${"ff".repeat(16)} ${length.toString(16).padStart(4, "0")} 02 ${body}`;
  return decodeMessage(hex(message), { fourOctetAs: true }) as UpdateMessage;
}

const EBGP = { localAsn: 65001, asn: 65002, allowAsIn: 0 };

describe("hasAsLoop", () => {
  it("refuses a path that holds our AS, from an external peer", () => {
    expect(updateWithPath([65002, 65001, 64512]).attributes.asPath).toEqual([
      { type: "sequence", asns: [65002, 65001, 64512] },
    ]);
    expect(hasAsLoop(updateWithPath([65002, 65001, 64512]), EBGP)).toBe(true);
    expect(hasAsLoop(updateWithPath([65002, 64512]), EBGP)).toBe(false);
  });

  it("lets our AS appear allowAsIn times", () => {
    const twice = updateWithPath([65002, 65001, 65001]);
    expect(hasAsLoop(twice, { ...EBGP, allowAsIn: 1 })).toBe(true);
    expect(hasAsLoop(twice, { ...EBGP, allowAsIn: 2 })).toBe(false);
  });

  it("never refuses routes from an internal peer", () => {
    expect(hasAsLoop(updateWithPath([65001]), { localAsn: 65001, asn: 65001, allowAsIn: 0 })).toBe(false);
  });

  it("counts a 4-octet AS in AS4_PATH, as an old speaker sends it", () => {
    const own = 4200000001;
    const update: UpdateMessage = {
      type: "update",
      withdrawnRoutes: [],
      attributes: {
        asPath: [{ type: "sequence", asns: [65002, 23456] }],
        as4Path: [{ type: "sequence", asns: [65002, own] }],
      },
      nlri: [{ prefix: "10.0.0.0/24" }],
    };
    expect(hasAsLoop(update, { localAsn: own, asn: 65002, allowAsIn: 0 })).toBe(true);
  });
});

describe("maxPrefixesError", () => {
  it("is null within the limit and without one", () => {
    const update = updateWithPath([65002]);
    expect(maxPrefixesError(update, 10, 10)).toBeNull();
    expect(maxPrefixesError(update, 1_000_000, undefined)).toBeNull();
  });

  it("is Cease / Maximum Number of Prefixes Reached with AFI, SAFI and the limit (RFC 4486 §4)", () => {
    const error = maxPrefixesError(updateWithPath([65002]), 11, 10);
    expect(error?.code).toBe(6);
    expect(error?.subcode).toBe(1);
    expect(Buffer.from(error?.data ?? []).toString("hex")).toBe("0001" + "01" + "0000000a");
    const v6: UpdateMessage = {
      type: "update",
      withdrawnRoutes: [],
      attributes: {
        mpReach: {
          family: "ipv6-unicast",
          afi: 2,
          safi: 1,
          nextHop: "2001:db8::2",
          nlri: [{ prefix: "2001:db8::/32" }],
        },
      },
      nlri: [],
    };
    expect(Buffer.from(maxPrefixesError(v6, 101, 100)?.data ?? []).toString("hex")).toBe(
      "0002" + "01" + "00000064",
    );
  });
});
