import Module from "node:module";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * Without the optional package: `require("koffi")` fails as it does when npm skipped it. Peers
 * asking for password, ttlSecurity or multihop are refused at addPeer; the others never notice.
 */

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const original = loader._load;

beforeAll(() => {
  loader._load = function (this: unknown, request, parent, isMain) {
    if (request === "koffi") {
      throw Object.assign(new Error("Cannot find module 'koffi'"), { code: "MODULE_NOT_FOUND" });
    }
    return original.call(this, request, parent, isMain);
  };
  vi.resetModules(); // a fresh socket-options module, with nothing loaded yet
});
afterAll(() => {
  loader._load = original;
});

describe("koffi cannot be loaded", () => {
  it.runIf(process.platform === "linux")(
    "addPeer with password, ttlSecurity or multihop throws naming the package; plain peers work",
    async () => {
      const { BgpSpeaker } = await import("../../src/index.js");
      const speaker = new BgpSpeaker({ asn: 65000, routerId: "198.51.100.1" });
      for (const option of [{ password: "k" }, { ttlSecurity: true }, { multihop: 2 }]) {
        expect(() => speaker.addPeer({ address: "127.0.85.1", asn: 65001, ...option })).toThrow(
          /need the optional package koffi .*npm install koffi/,
        );
      }
      expect(speaker.peerStatus()).toEqual([]); // nothing half-added
      speaker.addPeer({ address: "127.0.85.1", asn: 65001 });
      expect(speaker.peerStatus().map((p) => p.address)).toEqual(["127.0.85.1"]);
      await speaker.close();
    },
  );
});
