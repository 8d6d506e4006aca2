import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepare } from "../../src/cli/announce.js";
import { parseArgs } from "../../src/cli/args.js";
import { resolveConfig } from "../../src/cli/config.js";
import { checkSettings } from "../../src/cli/settings.js";
import { BASE_ARGV, peersOf, useTempDir } from "./peer-settings.js";

const dir = useTempDir("bgp-cli-md5-");

describe("announcer: TCP-MD5, GTSM and multihop settings", () => {
  it("--md5-password, --ttl-security and --multihop reach every peer's addPeer options", () => {
    expect(peersOf(["--md5-password", "k1", "--ttl-security"])[0]?.transport).toEqual({
      password: "k1",
      ttlSecurity: true,
    });
    expect(peersOf(["--multihop", "3"])[0]?.transport).toEqual({ multihop: 3 });
    expect(peersOf([])[0]?.transport).toBeUndefined();
  });

  it("--md5-password-file reads a file (without its final newline) or env:NAME", () => {
    const file = join(dir, "key");
    writeFileSync(file, "from-a-file\n");
    expect(peersOf(["--md5-password-file", file])[0]?.transport).toEqual({ password: "from-a-file" });
    process.env.BGP_TEST_MD5 = "from-the-env";
    try {
      expect(peersOf(["--md5-password-file", "env:BGP_TEST_MD5"])[0]?.transport).toEqual({
        password: "from-the-env",
      });
    } finally {
      delete process.env.BGP_TEST_MD5;
    }
    expect(() => peersOf(["--md5-password-file", "env:BGP_TEST_MD5"])).toThrow(
      /environment variable is not set/,
    );
    expect(() => peersOf(["--md5-password-file", join(dir, "missing")])).toThrow(
      /cannot read md5PasswordFile/,
    );
    expect(() => peersOf(["--md5-password", "a", "--md5-password-file", file])).toThrow(/not both/);
  });

  it("ExaBGP's outgoing-ttl and incoming-ttl: as flags, and with ExaBGP's spelling in the file, per peer", () => {
    expect(peersOf(["--outgoing-ttl", "2"])[0]?.transport).toEqual({ multihop: 2 });
    expect(peersOf(["--incoming-ttl", "254", "--outgoing-ttl", "255"])[0]?.transport).toEqual({
      ttlSecurity: { hops: 2 },
    });
    const file = checkSettings("f.json", {
      "md5-password": "top",
      peer: [
        { address: "198.51.100.1", "md5-password": "own", "incoming-ttl": 255 },
        { address: "198.51.100.3", "outgoing-ttl": 4 },
      ],
    });
    const peers = resolveConfig(
      file,
      parseArgs([
        "--local-as",
        "65001",
        "--router-id",
        "198.51.100.2",
        "--peer-as",
        "65000",
        "--ip",
        "203.0.113.1",
        "--tcp",
        "127.0.0.1:1",
      ]).settings,
    ).peers;
    expect(peers.map((p) => p.transport)).toEqual([
      { password: "own", ttlSecurity: { hops: 1 } },
      { password: "top", multihop: 4 },
    ]);
  });

  it("contradictions and ranges fail at startup with exit 2, naming the setting", async () => {
    expect(() => peersOf(["--ttl-security", "--multihop", "2"])).toThrow(/exclude each other/);
    expect(() => peersOf(["--incoming-ttl", "255", "--outgoing-ttl", "64"])).toThrow(
      /outgoingTtl must be 255/,
    );
    expect(() => peersOf(["--multihop", "300"])).toThrow(/multihop 300: expected 1-255/);
    expect(() => peersOf(["--md5-password", "x".repeat(81)])).toThrow(/81 octets: expected 1-80/);
    expect(() => checkSettings("f.json", { "md5-password": "a", md5Password: "b" })).toThrow(
      /the same setting/,
    );
    let stderr = "";
    const status = await prepare([...BASE_ARGV, "--ttl-security", "--outgoing-ttl", "3"], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
    });
    expect(status).toBe(2);
    expect(stderr).toMatch(/exclude each other/);
  });

  it("a link-local peer with its zone: --peer [fe80::1%eth0]:1179 and --local-address fe80::2%eth0", () => {
    const argv = [
      "--local-as",
      "65001",
      "--router-id",
      "198.51.100.2",
      "--peer-as",
      "65000",
      "--ip",
      "2001:db8:ac::/48",
    ];
    const check = ["--tcp", "127.0.0.1:1"];
    const peers = resolveConfig(
      {},
      parseArgs([...argv, ...check, "--peer", "[FE80::1%eth0]:1179", "--local-address", "fe80::2%eth0"])
        .settings,
    ).peers;
    expect(peers[0]).toMatchObject({ address: "fe80::1%eth0", port: 1179, localAddress: "fe80::2%eth0" });
    expect(() =>
      resolveConfig({}, parseArgs([...argv, ...check, "--peer", "2001:db8::1%eth0"]).settings),
    ).toThrow(/zone goes only with a link-local/);
  });
});
