import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { checkSocketTable } from "../../src/health/socket-table-check.js";

// A child that does `script` and then blocks its event loop, so the kernel sees a process that never
// accepts (or never reads). Bounded: it exits by itself after 15 s; afterEach kills it by PID.
const BLOCK = "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 15000); process.exit(0);";
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function spawnBlocked(script: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", (data: Buffer) => resolve({ child, line: String(data).trim() }));
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("checkSocketTable against real sockets on 127.0.0.1", () => {
  it("passes a live listener and fails once it is gone", async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1" }, resolve));
    const port = (server.address() as net.AddressInfo).port;
    const live = await checkSocketTable({ port, host: "127.0.0.1", acceptQueue: { backlog: 511 } });
    expect(live).toMatchObject({ ok: true, details: { listeners: [`127.0.0.1:${port} queue 0`] } });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const gone = await checkSocketTable({ port, host: "127.0.0.1" });
    expect(gone).toMatchObject({ ok: false, reason: `nothing listening on 127.0.0.1:${port}` });
  });

  it("sees a full accept queue of a listener that never accepts", async () => {
    // backlog 2: the kernel queues backlog + 1 completed connections, then drops further SYNs.
    const { line } = await spawnBlocked(
      `const s = require("node:net").createServer(); s.listen({ port: 0, host: "127.0.0.1", backlog: 2 }, () =>
         process.stdout.write(s.address().port + "\\n", () => { ${BLOCK} }));`,
    );
    const port = Number(line);
    const clients = Array.from({ length: 6 }, () => {
      const socket = net.connect(port, "127.0.0.1");
      socket.on("error", () => {});
      return socket;
    });
    cleanups.push(() => {
      for (const client of clients) client.destroy();
    });
    const full = await until("accept queue of 3", async () => {
      const result = await checkSocketTable({ port, host: "127.0.0.1", acceptQueue: { backlog: 2 } });
      return result.details?.acceptQueue === 3 ? result : undefined;
    });
    expect(full).toMatchObject({ ok: false, reason: `accept queue 3 > limit 2 on 127.0.0.1:${port}` });
    const loose = await checkSocketTable({ port, host: "127.0.0.1", acceptQueue: { limit: 10 } });
    expect(loose.ok).toBe(true);
  });

  it("sees established connections whose send queue grows behind a consumer that stopped reading", async () => {
    const server = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.write(Buffer.alloc(8 * 1024 * 1024)); // far more than loopback socket buffers hold
    });
    await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1" }, resolve));
    cleanups.push(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    await spawnBlocked(
      `const c = require("node:net").connect(${port}, "127.0.0.1", () =>
         process.stdout.write("connected\\n", () => { ${BLOCK} }));`,
    );
    const options = { port, host: "127.0.0.1", sendQueue: { thresholdBytes: 65536 } };
    const stuck = await until("a stuck send queue", async () => {
      const result = await checkSocketTable(options);
      return result.ok ? undefined : result;
    });
    expect(stuck.reason).toBe(`1 connection(s) with send queue > 65536 bytes on 127.0.0.1:${port}`);
    expect(stuck.details?.stuck).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+ tx \d+$/)]);
    expect(
      (await checkSocketTable({ ...options, sendQueue: { thresholdBytes: 65536, maxConnections: 1 } })).ok,
    ).toBe(true);
    const connections = await new Promise<number>((resolve) => server.getConnections((_, n) => resolve(n)));
    expect(connections).toBe(1);
  });

  it("fails when no table can be read", async () => {
    const result = await checkSocketTable({ port: 1, files: [{ path: "/nonexistent/tcp", family: 4 }] });
    expect(result).toMatchObject({ ok: false, reason: "no socket table readable (not Linux?)" });
  });
});
