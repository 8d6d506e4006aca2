import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.js";
import { SettingsError } from "../../src/cli/settings.js";

describe("parseArgs", () => {
  it("reads ExaBGP-style flags with fractional seconds and repeated lists", () => {
    const args = parseArgs([
      "--interval",
      "0.1",
      "--fast-interval=0.05",
      "--rise",
      "2",
      "--fall",
      "2",
      "--ip",
      "203.0.113.1",
      "--ip",
      "2001:db8:ac::1",
      "--community",
      "65001:100",
      "--community",
      "65001:200",
      "--large-community",
      "65001:1:2",
      "--withdraw-on-down",
      "--http",
      "http://127.0.0.1:8080/",
      "--peer",
      "127.0.0.2:1179",
      "--peer",
      "[::1]:1179",
      "--peer-as",
      "65000",
      "--local-as",
      "65001",
      "--up-med",
      "0",
    ]);
    expect(args.help).toBe(false);
    expect(args.config).toBeUndefined();
    expect(args.settings).toEqual({
      interval: 0.1,
      fastInterval: 0.05,
      rise: 2,
      fall: 2,
      ip: ["203.0.113.1", "2001:db8:ac::1"],
      community: ["65001:100", "65001:200"],
      largeCommunity: ["65001:1:2"],
      withdrawOnDown: true,
      http: "http://127.0.0.1:8080/",
      peer: ["127.0.0.2:1179", "[::1]:1179"],
      peerAs: 65000,
      localAs: 65001,
      upMed: 0,
    });
  });

  it("collects --dampening-* into one object and --no-* turns booleans off", () => {
    expect(parseArgs(["--dampening"]).settings).toEqual({ dampening: true });
    expect(
      parseArgs(["--dampening-half-life", "0.5", "--dampening-suppress", "1500", "--no-withdraw-on-down"])
        .settings,
    ).toEqual({ dampening: { halfLife: 0.5, suppress: 1500 }, withdrawOnDown: false });
    expect(parseArgs(["--no-dampening"]).settings).toEqual({ dampening: false });
    expect(parseArgs(["--no-json"]).settings).toEqual({ json: false });
  });

  it("knows --help and --config", () => {
    expect(parseArgs(["-h"]).help).toBe(true);
    expect(parseArgs(["--help", "--rise", "2"]).help).toBe(true);
    expect(parseArgs(["--config", "/etc/a.json"]).config).toBe("/etc/a.json");
  });

  it.each([
    [["--interval", "-1"], /--interval: expected seconds >= 0/],
    [["--interval", "soon"], /--interval: expected seconds/],
    [["--interval", ""], /--interval: expected seconds/],
    [["--rise", "0"], /--rise: expected an integer >= 1/],
    [["--rise", "1.5"], /--rise: expected an integer >= 1/],
    [["--up-med", "4294967296"], /--up-med: expected an integer >= 0/],
    [["--interval"], /--interval needs a value/],
    [["--frobnicate", "1"], /unknown option --frobnicate/],
    [["--peers", "a"], /unknown option --peers/],
    [["--dampening-speed", "1"], /unknown option --dampening-speed/],
    [["--json=yes"], /--json takes no value/],
    [["--no-interval"], /unknown option --no-interval/],
    [["203.0.113.1"], /unexpected argument "203.0.113.1"/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(SettingsError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
