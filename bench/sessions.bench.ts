/**
 * Many concurrent sessions in one Node process: our speaker on both ends over loopback.
 * N passive sessions behind one BgpListener on 127.0.0.1, N active ones each bound to its own
 * 127.1.x.y address, keepalive 1 s / hold 3 s. After all are Established, the steady state is
 * measured for BENCH_SECONDS: CPU (user+system) and memory (RSS, heap) per session.
 *
 *   npx tsx bench/sessions.bench.ts        (BENCH_SESSIONS=1000, BENCH_SECONDS=20)
 */
import { BgpListener } from "../src/session/listener.js";
import { BgpSession } from "../src/session/session.js";

const PAIRS = Number(process.env.BENCH_SESSIONS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

function addressOf(i: number): string {
  return `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

async function main(): Promise<void> {
  globalThis.gc?.();
  const before = process.memoryUsage();
  const listener = new BgpListener({ host: "127.0.0.1", port: 0 });
  const { port } = await listener.listen();
  const passive: BgpSession[] = [];
  const active: BgpSession[] = [];
  let downs = 0;
  let established = 0;
  for (let i = 0; i < PAIRS; i++) {
    const p = new BgpSession({
      localAsn: 65000,
      routerId: "10.255.255.254",
      peerAddress: addressOf(i),
      peerAsn: 4_200_000_000 + i,
      passive: true,
      holdTime: 3,
    });
    listener.addSession(p);
    const a = new BgpSession({
      localAsn: 4_200_000_000 + i,
      routerId: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      peerAddress: "127.0.0.1",
      peerPort: port,
      localAddress: addressOf(i),
      peerAsn: 65000,
      holdTime: 3,
      connectRetry: 2,
    });
    for (const s of [p, a]) {
      s.on("established", () => established++);
      s.on("down", () => downs++);
    }
    passive.push(p);
    active.push(a);
  }
  const t0 = performance.now();
  for (const p of passive) p.start();
  for (const a of active) a.start();
  while (established < 2 * PAIRS) {
    if (performance.now() - t0 > 60_000) throw new Error(`only ${established} of ${2 * PAIRS} established`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const upMs = performance.now() - t0;

  // Steady state: keepalives only.
  await new Promise((r) => setTimeout(r, 1000));
  globalThis.gc?.();
  const memUp = process.memoryUsage();
  const msgsBefore = passive.reduce((n, s) => n + s.stats.messagesIn + s.stats.messagesOut, 0);
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - w0;
  const msgs = passive.reduce((n, s) => n + s.stats.messagesIn + s.stats.messagesOut, 0) - msgsBefore;
  const stillUp = [...passive, ...active].filter((s) => s.state === "Established").length;
  const memEnd = process.memoryUsage();

  const sessions = 2 * PAIRS;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rows: [string, string][] = [
    ["sessions (both ends)", `${sessions} (${PAIRS} pairs)`],
    ["time to all Established", `${(upMs / 1000).toFixed(2)} s`],
    ["steady window", `${(wallMs / 1000).toFixed(1)} s`],
    ["still Established / downs", `${stillUp} / ${downs}`],
    ["messages (passive ends, in+out)", `${msgs} (${((msgs / wallMs) * 1000).toFixed(0)}/s)`],
    ["CPU (user+sys), one core", `${((cpuMs / wallMs) * 100).toFixed(1)} %`],
    ["CPU per session", `${((cpuMs * 1000) / sessions / (wallMs / 1000)).toFixed(1)} µs/s`],
    ["RSS before -> up -> end", `${mib(before.rss)} -> ${mib(memUp.rss)} -> ${mib(memEnd.rss)} MiB`],
    [
      "heap used before -> up -> end",
      `${mib(before.heapUsed)} -> ${mib(memUp.heapUsed)} -> ${mib(memEnd.heapUsed)} MiB`,
    ],
    ["RSS per session", `${((memUp.rss - before.rss) / sessions / 1024).toFixed(1)} KiB`],
    ["heap per session", `${((memUp.heapUsed - before.heapUsed) / sessions / 1024).toFixed(1)} KiB`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nbgp-speaker sessions benchmark (Node ${process.version}, keepalive 1 s / hold 3 s)\n`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);

  await Promise.all([...active, ...passive].map((s) => s.stop()));
  await listener.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
