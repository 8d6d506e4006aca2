import { afterEach, describe, expect, it } from "vitest";
import { prepare } from "../../src/cli/announce.js";
import { BgpSpeaker, type PeerOptions, type SpeakerOptions } from "../../src/index.js";

/**
 * Issue 9, item 2: every option is checked at the call that takes it, with a TypeError or
 * RangeError naming the option and the accepted range; unknown keys are refused; nothing is
 * half-applied. Before, `holdTime: 70000` or `port: 70000` were accepted and crashed the process
 * from a timer after start().
 */

const speakers: BgpSpeaker[] = [];
afterEach(async () => {
  while (speakers.length > 0) await speakers.pop()!.close();
});

function speaker(options: Partial<SpeakerOptions> = {}): BgpSpeaker {
  const s = new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", ...options });
  speakers.push(s);
  return s;
}

const peer: PeerOptions = { address: "127.0.60.1", asn: 65000 };

describe("addPeer options", () => {
  const bad: [string, Record<string, unknown>, RegExp, typeof TypeError | typeof RangeError][] = [
    ["holdTime above 65535", { holdTime: 70000 }, /holdTime.*0 or an integer 3-65535/, RangeError],
    ["negative holdTime", { holdTime: -5 }, /holdTime.*0 or an integer 3-65535/, RangeError],
    ["holdTime 1", { holdTime: 1 }, /holdTime/, RangeError],
    ["fractional holdTime", { holdTime: 4.5 }, /holdTime/, TypeError],
    ["port above 65535", { port: 70000 }, /port.*1-65535/, RangeError],
    ["port 0", { port: 0 }, /port.*1-65535/, RangeError],
    ["unknown family", { families: ["bogus"] }, /families\[0\].*ipv4-unicast, ipv6-unicast/, TypeError],
    ["connectRetry 0", { connectRetry: 0 }, /connectRetry.*1-65535/, RangeError],
    ["connectRetry NaN", { connectRetry: Number.NaN }, /connectRetry/, TypeError],
    ["maxPrefixes 0", { maxPrefixes: 0 }, /maxPrefixes.*1-4294967295/, RangeError],
    ["maxPrefixes fraction", { maxPrefixes: 1.5 }, /maxPrefixes/, TypeError],
    ["localAddress not an address", { localAddress: "nope" }, /localAddress/, TypeError],
    ["localAddress of the other family", { localAddress: "::1" }, /localAddress.*same family/, TypeError],
    ["multicast localAddress", { localAddress: "224.0.0.5" }, /localAddress.*multicast/, TypeError],
    ["delayOpen negative", { delayOpen: -1 }, /delayOpen.*0-240/, RangeError],
    ["delayOpen string", { delayOpen: "5" }, /delayOpen/, TypeError],
    ["multicast next hop", { nextHop: { ipv4: "239.1.1.1" } }, /nextHop\.ipv4.*multicast/, TypeError],
    ["broadcast next hop", { nextHop: { ipv4: "255.255.255.255" } }, /nextHop\.ipv4.*broadcast/, TypeError],
    ["unspecified next hop", { nextHop: { ipv6: "::" } }, /nextHop\.ipv6.*unspecified/, TypeError],
    ["misspelt key", { holdtime: 9 }, /unknown option "holdtime"/, TypeError],
    ["misspelt nested key", { nextHop: { ip4: "198.51.100.1" } }, /nextHop: unknown option "ip4"/, TypeError],
    ["sendHoldTime 0", { sendHoldTime: 0 }, /sendHoldTime/, RangeError],
    [
      "restart time past 12 bits",
      { gracefulRestart: { restartTimeSec: 5000 } },
      /restartTimeSec.*0-4095/,
      RangeError,
    ],
    [
      "requiredFamilies not offered",
      { families: ["ipv4-unicast"], requiredFamilies: ["ipv6-unicast"] },
      /requiredFamilies/,
      TypeError,
    ],
  ];
  for (const [what, options, message, type] of bad) {
    it(`refuses ${what} at the call, and adds nothing`, () => {
      const s = speaker();
      let thrown: unknown;
      try {
        s.addPeer({ ...peer, ...options } as PeerOptions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(type);
      expect((thrown as Error).message).toMatch(/^addPeer: /);
      expect((thrown as Error).message).toMatch(message);
      expect(s.peerStatus()).toEqual([]);
      // The same address can still be added with good options: nothing was half-applied.
      s.addPeer(peer);
      expect(s.peerStatus().map((p) => p.address)).toEqual(["127.0.60.1"]);
    });
  }

  it("accepts the edges of each range", () => {
    const s = speaker();
    s.addPeer({ ...peer, holdTime: 0, port: 65535, connectRetry: 1, maxPrefixes: 1, delayOpen: 240 });
    s.addPeer({ address: "127.0.60.2", asn: 65000, holdTime: 3, port: 1, sendHoldTime: 0.5 });
    s.addPeer({ address: "127.0.60.3", asn: 65000, holdTime: 65535, families: ["ipv6-unicast"] });
    expect(s.peerStatus()).toHaveLength(3);
  });
});

describe("new BgpSpeaker options", () => {
  it.each([
    [{ holdTime: 2 }, /holdTime/],
    [{ connectRetry: 0.5 }, /connectRetry.*1-65535/],
    [{ asn: 0 }, /asn.*1-4294967295/],
    [{ routerId: "0.0.0.0" }, /routerId/],
    [{ listen: { port: 70000 } }, /listen\.port.*0-65535/],
    [{ listen: { prot: 179 } }, /unknown option "prot"/],
    [{ holdtime: 9 }, /unknown option "holdtime"/],
  ])("refuses %o", (options, message) => {
    expect(
      () => new BgpSpeaker({ asn: 65001, routerId: "198.51.100.2", ...options } as SpeakerOptions),
    ).toThrow(message);
  });
});

describe("announce options", () => {
  it("refuses a misspelt attribute and a multicast next hop, and changes nothing", () => {
    const s = speaker();
    s.addPeer(peer);
    expect(() => s.announce("203.0.113.0/24", { mde: 5 } as never)).toThrow(/announce: unknown option "mde"/);
    expect(() => s.announce("203.0.113.0/24", { nextHop: "224.0.0.1" })).toThrow(/nextHop.*unicast/);
    expect(() => s.announce("203.0.113.0/24", { med: 5, peers: ["nobody"] })).toThrow(/no peer named/);
    expect(() => s.withdraw("203.0.113.0/24", { peer: ["x"] } as never)).toThrow(/unknown option "peer"/);
    expect(() => s.refresh({ family: "bogus" as never })).toThrow(/refresh: family/);
    expect(s.announcements()).toEqual([]);
  });
});

describe("the CLI", () => {
  it("exits 2 at startup on --connect-retry 0 instead of retrying as fast as it can", async () => {
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (t: string) => err.push(t) };
    const argv = [
      "--local-as",
      "65001",
      "--peer-as",
      "65000",
      "--peer",
      "127.0.60.1",
      "--ip",
      "203.0.113.1/32",
      "--tcp",
      "127.0.60.1:80",
    ];
    expect(await prepare([...argv, "--router-id", "198.51.100.2", "--connect-retry", "0"], io)).toBe(2);
    expect(err.join("")).toMatch(/connectRetry.*1-65535/);
  });
});
