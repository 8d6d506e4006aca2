/**
 * The cost of the FFI path: session setup over loopback with and without TCP-MD5, N sessions on
 * one BgpListener (each with its own key), N active sessions each bound to its own address in
 * 127.0.86.0/24. Time = first start() to the last of 2N "established" events. Then the raw cost
 * of the calls behind it: socket() + setsockopt(TCP_MD5SIG) + close() through koffi, and adding
 * and removing a key on a listening socket. Rounds alternate between the modes.
 *
 *   npm run bench:md5          (BENCH_SESSIONS=100, BENCH_ROUNDS=5)
 */
import { BgpListener } from "../src/session/listener.js";
import { BgpSession } from "../src/session/session.js";
import {
  closeFd,
  createSecuredSocket,
  setMd5Key,
  type TransportSecurity,
} from "../src/session/socket-options.js";

const PAIRS = Number(process.env.BENCH_SESSIONS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LISTEN = "127.0.85.1";
const addressOf = (i: number) => `127.0.86.${i + 1}`;

/** Wall-clock ms and CPU ms (user + system, this process: both ends run here) of one setup. */
async function setupOnce(md5: boolean): Promise<{ ms: number; cpuMs: number }> {
  const listener = new BgpListener({ host: LISTEN, port: 0 });
  const { port } = await listener.listen();
  const sessions: BgpSession[] = [];
  let established = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  for (let i = 0; i < PAIRS; i++) {
    const security: TransportSecurity | undefined = md5
      ? { md5Key: new TextEncoder().encode(`key-of-peer-${i}`) }
      : undefined;
    const common = { holdTime: 30, ...(security === undefined ? {} : { security }) };
    const p = new BgpSession({
      localAsn: 65000,
      routerId: "10.255.255.254",
      peerAddress: addressOf(i),
      peerAsn: 65001,
      passive: true,
      ...common,
    });
    listener.addSession(p);
    const a = new BgpSession({
      localAsn: 65001,
      routerId: `10.1.0.${i + 1}`,
      peerAddress: LISTEN,
      peerPort: port,
      localAddress: addressOf(i),
      peerAsn: 65000,
      connectRetry: 5,
      ...common,
    });
    for (const s of [p, a]) {
      s.on("established", () => {
        if (++established === 2 * PAIRS) done();
      });
    }
    sessions.push(p, a);
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const s of sessions) s.start();
  await all;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  await Promise.all(sessions.map((s) => s.stop()));
  for (let i = 0; i < sessions.length; i += 2) listener.removeSession(sessions[i] as BgpSession);
  await listener.close();
  return { ms, cpuMs };
}

function micro(): { socketUs: number; keyUs: number } {
  const key = new TextEncoder().encode("a-password");
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) closeFd(createSecuredSocket(LISTEN, { md5Key: key }));
  const socketUs = ((performance.now() - t0) * 1000) / n;
  return { socketUs, keyUs: listenerKeyUs(key, n) };
}

function listenerKeyUs(key: Uint8Array, n: number): number {
  const fd = createSecuredSocket(LISTEN, {});
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const peer = `127.0.86.${(i % 200) + 1}`;
    setMd5Key(fd, 4, peer, key);
    setMd5Key(fd, 4, peer, null);
  }
  const us = ((performance.now() - t0) * 1000) / (2 * n);
  closeFd(fd);
  return us;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const rows: string[] = [];
  // Rounds alternate between the two modes, so a change in the machine's load hits both alike.
  await setupOnce(false);
  await setupOnce(true);
  const times = new Map<boolean, { ms: number; cpuMs: number }[]>([
    [false, []],
    [true, []],
  ]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const md5 of [false, true]) times.get(md5)?.push(await setupOnce(md5));
  }
  for (const [md5, runs] of times) {
    const wall = runs.map((x) => x.ms);
    const m = median(wall);
    const cpu = median(runs.map((x) => x.cpuMs));
    rows.push(
      `| ${md5 ? "TCP-MD5, own key per peer" : "no options (node:net)"} | ${PAIRS} | ${m.toFixed(0)} | ${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)} | ${cpu.toFixed(0)} | ${((cpu * 1000) / (2 * PAIRS)).toFixed(0)} |`,
    );
  }
  const { socketUs, keyUs } = micro();
  console.log(
    `Session setup, ${PAIRS} sessions on one listener, ${ROUNDS} rounds after a warm-up (median):\n`,
  );
  console.log("| mode | sessions | all Established (ms) | range (ms) | CPU (ms) | CPU µs per session end |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const row of rows) console.log(row);
  console.log("\nThe calls through koffi:\n");
  console.log("| call | µs each |");
  console.log("| --- | --- |");
  console.log(`| socket() + setsockopt(TCP_MD5SIG) + close() | ${socketUs.toFixed(1)} |`);
  console.log(`| setsockopt(TCP_MD5SIG) on a listening socket (add or delete a key) | ${keyUs.toFixed(1)} |`);
  const load = (await import("node:os")).loadavg()[0]?.toFixed(1);
  console.log(
    `\nload average (1 min) at the end: ${load} on ${(await import("node:os")).cpus().length} cores`,
  );
}

await main();
