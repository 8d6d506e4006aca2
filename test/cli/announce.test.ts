import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { prepare } from "../../src/cli/announce.js";
import { BgpSpeaker, type RouteEvent } from "../../src/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function waitUntil(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function service(port = 0): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer((_, response) => response.end("ok"));
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

const stopService = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe("prepare (argv and config to what runs)", () => {
  it("prints usage for --help and returns 0", async () => {
    const out: string[] = [];
    expect(await prepare(["--help"], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) })).toBe(0);
    expect(out.join("")).toMatch(/^Usage: bgp-speaker-announce/);
    expect(out.join("")).toContain("--withdraw-on-down");
  });

  it("returns 2 with the reason on bad settings", async () => {
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (t: string) => err.push(t) };
    expect(await prepare(["--rise", "zero"], io)).toBe(2);
    expect(await prepare(["--config", "/nonexistent/announce.json"], io)).toBe(2);
    expect(err).toEqual([
      'bgp-speaker-announce: --rise: expected an integer >= 1, got "zero"\n',
      expect.stringMatching(/^bgp-speaker-announce: cannot read config file \/nonexistent\/announce\.json/),
    ]);
  });
});

let child: ChildProcess | undefined;
let receiver: BgpSpeaker | undefined;
let web: http.Server | undefined;
afterEach(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await receiver?.close();
  if (web?.listening) await stopService(web);
});

describe("bgp-speaker-announce as a process", () => {
  it("announces while the HTTP check passes, withdraws when it fails, and on SIGTERM withdraws, says Cease, exits 0", async () => {
    web = await service();
    const webPort = (web.address() as AddressInfo).port;
    // The "router": a passive speaker on 127.0.0.2 that records what it learns.
    receiver = new BgpSpeaker({
      asn: 65000,
      routerId: "127.0.0.2",
      listen: { host: "127.0.0.2", port: 0 },
      holdTime: 9,
    });
    receiver.addPeer({ address: "127.0.0.1", asn: 65001, passive: true });
    const routes: RouteEvent[] = [];
    const downs: string[] = [];
    receiver.on("route", (e) => routes.push(e));
    receiver.on("down", (e) => downs.push(e.reason.message));
    await receiver.start();
    const bgpPort = receiver.listenPort;

    const args = [
      ...[
        "--local-as",
        "65001",
        "--local-address",
        "127.0.0.1",
        "--peer",
        `127.0.0.2:${bgpPort}`,
        "--peer-as",
        "65000",
      ],
      ...["--hold-time", "9", "--connect-retry", "1", "--ip", "203.0.113.1", "--ip", "2001:db8:ac::1"],
      ...[
        "--next-hop",
        "2001:db8:100::1",
        "--community",
        "65001:7",
        "--http",
        `http://127.0.0.1:${webPort}/`,
      ],
      ...["--interval", "0.05", "--rise", "2", "--fall", "2", "--withdraw-on-down", "--json"],
    ];
    child = spawn(process.execPath, ["--import", "tsx", "examples/announcer.ts", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    const held = () => new Map(routes.map((r) => [r.prefix, r.type]));

    await waitUntil(
      "both routes",
      () => held().get("203.0.113.1/32") === "announce" && held().get("2001:db8:ac::1/128") === "announce",
      15_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nannouncer stdout:\n${stdout}\nstderr:\n${stderr}`);
    });
    const v4 = routes.find((r) => r.prefix === "203.0.113.1/32" && r.type === "announce");
    expect(v4?.attributes?.med).toBe(100);
    expect(v4?.attributes?.communities).toEqual(["65001:7"]);
    expect(routes.find((r) => r.prefix === "2001:db8:ac::1/128")?.nextHop).toBe("2001:db8:100::1");

    await stopService(web);
    await waitUntil(
      "withdrawal",
      () => held().get("203.0.113.1/32") === "withdraw" && held().get("2001:db8:ac::1/128") === "withdraw",
    );
    web = await service(webPort);
    await waitUntil("re-announcement", () => held().get("203.0.113.1/32") === "announce");
    await waitUntil("both again", () => held().get("2001:db8:ac::1/128") === "announce");

    const before = routes.length;
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await waitUntil("session down", () => downs.length > 0);
    // The explicit withdrawal arrives before the Cease.
    expect(
      routes
        .slice(before)
        .map((r) => `${r.type} ${r.prefix}`)
        .sort(),
    ).toEqual(["withdraw 2001:db8:ac::1/128", "withdraw 203.0.113.1/32"]);
    expect(downs[0]).toMatch(/NOTIFICATION 6\/2.*SIGTERM/);
    expect(stderr).toBe("");

    const records = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const transitions = records
      .filter((r) => r.prefix === "203.0.113.1/32")
      .map((r) => [r.event, r.action, r.med]);
    expect(transitions).toEqual([
      ["up", "announce", 100],
      ["down", "withdraw", undefined],
      ["up", "announce", 100],
    ]);
    expect(records.map((r) => r.event)).toContain("peer-up");
    expect(records.at(-2)?.event).toBe("shutdown");
  }, 30_000);

  it("exits 1 with the reason when the speaker cannot start (listen port taken)", async () => {
    web = await service(); // any listener will do: its port is the one we ask the announcer to take
    const taken = (web.address() as AddressInfo).port;
    const args = [
      "--local-as",
      "65001",
      "--router-id",
      "198.51.100.2",
      "--peer",
      "127.0.0.2",
      "--peer-as",
      "65000",
    ];
    child = spawn(
      process.execPath,
      [
        ...["--import", "tsx", "examples/announcer.ts", ...args],
        ...["--ip", "203.0.113.1", "--command", "true", "--listen", `127.0.0.1:${taken}`],
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child?.once("exit", (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toBe(
      `bgp-speaker-announce: cannot start: cannot listen on 127.0.0.1:${taken}: address already in use (is another BGP daemon such as bird, frr or exabgp listening there?)\n`,
    );
  }, 20_000);
});

describe("bgp-speaker-announce, small things an operator hits", () => {
  it("--version prints the package version", async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    expect(await prepare(["--version"], io)).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(out).toEqual([`bgp-speaker-announce ${version}\n`]);
  });

  it("a closed stdout pipe (… | head) does not crash the shutdown: SIGTERM still exits 0", async () => {
    child = spawn(
      process.execPath,
      [
        ...["--import", "tsx", "examples/announcer.ts", "--local-as", "65001", "--router-id", "198.51.100.2"],
        ...["--peer", "127.0.0.9:1", "--peer-as", "65000", "--ip", "203.0.113.1", "--command", "true"],
        ...["--interval", "0.05", "--rise", "1", "--connect-retry", "1"],
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    // Like `head -1`: read the first line, then close the pipe while the process keeps logging.
    await new Promise<void>((resolve) => child?.stdout?.once("data", () => resolve()));
    child.stdout?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|Unhandled|Error/);
  }, 20_000);
});
