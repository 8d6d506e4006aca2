import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepare } from "../../src/cli/announce.js";
import { parseArgs } from "../../src/cli/args.js";
import { resolveConfig } from "../../src/cli/config.js";
import { describeDown } from "../../src/cli/session-log.js";
import { checkSettings } from "../../src/cli/settings.js";
import { BASE_ARGV, peersOf, useTempDir } from "./peer-settings.js";

const dir = useTempDir("bgp-cli-bfd-");
const keyFile = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("announcer: BFD settings", () => {
  it("--bfd, --bfd-interval, --bfd-multiplier and --bfd-key-file reach addPeer's bfd option", () => {
    expect(peersOf([])[0]?.bfd).toBeUndefined();
    expect(peersOf(["--bfd"])[0]?.bfd).toBe(true);
    expect(peersOf(["--bfd-interval", "0.25", "--bfd-multiplier", "4"])[0]?.bfd).toEqual({
      interval: 0.25,
      multiplier: 4,
    });
    const plain = keyFile("plain", "s3cret\n");
    expect(peersOf(["--bfd", "--bfd-key-file", plain])[0]?.bfd).toEqual({
      auth: { type: "keyed-sha1", keyId: 1, key: "s3cret" },
    });
    const typed = keyFile("typed", "meticulous-keyed-sha1 7 a key with spaces\n");
    expect(peersOf(["--bfd-key-file", typed])[0]?.bfd).toEqual({
      auth: { type: "meticulous-keyed-sha1", keyId: 7, key: "a key with spaces" },
    });
    expect(peersOf(["--bfd-interval", "1", "--no-bfd"])[0]?.bfd).toBeUndefined();
  });

  it("per peer in the file, over the top level's", () => {
    const file = checkSettings("f.json", {
      bfd: true,
      bfdInterval: 0.5,
      peer: [
        { address: "198.51.100.1", bfdMultiplier: 5 },
        { address: "198.51.100.3", bfd: false },
      ],
    });
    const flags = parseArgs(BASE_ARGV.filter((_, i) => i !== 4 && i !== 5)).settings;
    expect(resolveConfig(file, flags).peers.map((p) => p.bfd)).toEqual([
      { interval: 0.5, multiplier: 5 },
      undefined,
    ]);
  });

  it("bad values fail at startup with exit 2, naming the setting and the range", async () => {
    expect(() => peersOf(["--bfd-interval", "0.001"])).toThrow(/bfdInterval 0.001: expected 0.01-60 seconds/);
    expect(() => peersOf(["--bfd-multiplier", "256"])).toThrow(/bfdMultiplier 256: expected 1-255/);
    expect(() => peersOf(["--bfd-multiplier", "0"])).toThrow(/--bfd-multiplier: expected an integer >= 1/);
    expect(() => peersOf(["--bfd-key-file", join(dir, "missing")])).toThrow(/cannot read bfdKeyFile/);
    const long = keyFile("long", `keyed-md5 1 ${"x".repeat(17)}`);
    expect(() => peersOf(["--bfd-key-file", long])).toThrow(/keyed-md5 key is 17 octets: expected 1-16/);
    let stderr = "";
    const status = await prepare([...BASE_ARGV, "--bfd-interval", "99"], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
    });
    expect(status).toBe(2);
    expect(stderr).toMatch(/bfdInterval 99/);
  });

  it("a session ended by BFD logs why", () => {
    const line = describeDown(
      {
        kind: "notification-sent",
        code: 6,
        subcode: 10,
        message: "BFD session down: control detection time expired",
        fromState: "Established",
      },
      { peerAddress: "198.51.100.1", peerPort: 179, peerAs: 65000, localAs: 65001 },
    );
    expect(line).toBe(
      "we sent NOTIFICATION 6/10 Cease / BFD Down (BFD session down: control detection time expired)",
    );
  });
});
