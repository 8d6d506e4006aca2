/**
 * CPU cost of BFD: one BgpSpeaker with N peers that run BFD (interval 0.3 s × 3, optionally Keyed
 * SHA1), their BGP sessions passive and idle, so what is measured is BFD alone: timers, encoding,
 * signing, the socket, decoding and the state machine, for N sessions at once. The N neighbors run
 * in a child process (bench/bfd/remote.ts) on 127.0.91.1..N; we are 127.0.90.1. Once every session
 * is Up, process.cpuUsage() over --seconds gives the CPU share; a run without peers gives the
 * baseline of an idle speaker.
 *
 *   npx tsx bench/bfd.bench.ts [--sessions 100] [--interval 0.3] [--seconds 20]
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BgpSpeaker } from "../src/index.js";
import { arg, printTable } from "./bulk/report.js";

const OUR_PORT = 20920;
const THEIR_PORT = 20921;

async function measure(sessions: number, interval: number, seconds: number, auth: boolean) {
  const speaker = new BgpSpeaker({
    asn: 65001,
    routerId: "198.51.100.2",
    bfdListen: { host: "127.0.90.1", port: OUR_PORT },
  });
  const key = { type: "keyed-sha1" as const, keyId: 1, key: "bench-key" };
  for (let i = 1; i <= sessions; i++) {
    speaker.addPeer({
      address: `127.0.91.${i}`,
      asn: 65000,
      passive: true,
      bfd: { interval, multiplier: 3, port: THEIR_PORT, ...(auth ? { auth: key } : {}) },
    });
  }
  await speaker.start();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(new URL("./bfd/remote.ts", import.meta.url)),
      String(sessions),
      String(Math.round(interval * 1e6)),
      String(THEIR_PORT),
      String(OUR_PORT),
      auth ? "auth" : "",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    if (sessions > 0) {
      const deadline = Date.now() + 60_000;
      while (speaker.peerStatus().some((p) => p.bfd?.state !== "Up")) {
        if (Date.now() > deadline) throw new Error("BFD sessions did not all come Up in 60 s");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await new Promise((r) => setTimeout(r, 2000)); // past the Poll Sequences
    const before = speaker.peerStatus();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
    const after = speaker.peerStatus();
    let packets = 0;
    let notUp = 0;
    for (const [i, p] of after.entries()) {
      packets += (p.bfd?.packetsIn ?? 0) + (p.bfd?.packetsOut ?? 0);
      packets -= (before[i].bfd?.packetsIn ?? 0) + (before[i].bfd?.packetsOut ?? 0);
      if (p.bfd?.state !== "Up") notUp++;
    }
    return {
      cpuPercent: ((cpu.user + cpu.system) / 1e6 / wallSec) * 100,
      packetsPerSec: packets / wallSec,
      usPerPacket: packets === 0 ? 0 : (cpu.user + cpu.system) / packets,
      notUp,
      rssMb: process.memoryUsage().rss / 1024 / 1024,
    };
  } finally {
    child.kill("SIGTERM");
    await speaker.close();
  }
}

const sessions = Number(arg("sessions", "100"));
const interval = Number(arg("interval", "0.3"));
const seconds = Number(arg("seconds", "20"));
const rows: string[][] = [];
for (const [n, auth] of [
  [0, false],
  [sessions, false],
  [sessions, true],
] as const) {
  const r = await measure(n, interval, seconds, auth);
  rows.push([
    String(n),
    n === 0 ? "-" : `${interval} s × 3${auth ? ", Keyed SHA1" : ""}`,
    r.packetsPerSec.toFixed(0),
    `${r.cpuPercent.toFixed(2)} %`,
    n === 0 ? "-" : `${r.usPerPacket.toFixed(1)} µs`,
    String(r.notUp),
    `${r.rssMb.toFixed(0)} MB`,
  ]);
}
printTable(
  [
    "BFD sessions",
    "timers",
    "packets/s (in+out)",
    "CPU (one core)",
    "CPU per packet",
    "sessions not Up at the end",
    "RSS",
  ],
  rows,
);
process.exit(0);
