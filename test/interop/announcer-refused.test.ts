/**
 * Sessions a router refuses, as the operator sees them: the announcer command against real BIRD and
 * FRR with a wrong AS, a wrong local address (the router has no neighbor for it), and a router that
 * does not listen at all. Each must print one readable line naming the peer and the cause, and the
 * UP line must say that no session carries the route.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithDaemon } from "./harness/availability.js";
import { BirdDaemon } from "./harness/bird.js";
import { FrrDaemon } from "./harness/frr.js";
import { waitFor } from "./harness/process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NET = 40; // 127.0.40.0/24, ports 20400-20409
const OURS = `127.0.${NET}.1`;
const ROUTER = `127.0.${NET}.2`;
const STRANGER = `127.0.${NET}.5`; // a local address the router has no neighbor for
const BIRD_PORT = 20_000 + NET * 10;
const FRR_PORT = BIRD_PORT + 1;
const CLOSED_PORT = BIRD_PORT + 2; // nothing listens here

interface Run {
  readonly child: ChildProcess;
  output: string;
}
const runs: Run[] = [];

function announcer(peerPort: number, localAs: number, localAddress: string): Run {
  const child = spawn(
    process.execPath,
    [
      ...["--import", "tsx", "examples/announcer.ts"],
      ...["--local-as", String(localAs), "--local-address", localAddress, "--router-id", OURS],
      ...["--peer", `${ROUTER}:${peerPort}`, "--peer-as", "65000", "--name", "web"],
      ...["--hold-time", "9", "--connect-retry", "1", "--ip", "203.0.113.1", "--command", "true"],
      ...["--interval", "0.2", "--rise", "1", "--next-hop", "203.0.113.254"],
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const run: Run = { child, output: "" };
  child.stdout?.on("data", (chunk: Buffer) => {
    run.output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    run.output += chunk.toString();
  });
  runs.push(run);
  return run;
}

const line = (run: Run, pattern: RegExp): Promise<string> =>
  waitFor(
    `a line matching ${pattern}`,
    async () => run.output.split("\n").find((l) => pattern.test(l)),
    15_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\nannouncer output:\n${run.output}`);
  });

async function stop({ child }: Run): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 6000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

async function stopAll(): Promise<void> {
  await Promise.all(runs.splice(0).map(stop));
}

describeWithDaemon("bird", "refused sessions against BIRD, as the announcer logs them", () => {
  let bird: BirdDaemon;
  beforeAll(async () => {
    bird = new BirdDaemon({
      asn: 65000,
      routerId: ROUTER,
      address: ROUTER,
      port: BIRD_PORT,
      neighbor: { address: OURS, asn: 65001, port: BIRD_PORT + 5, passive: true },
    });
    await bird.start();
  });
  afterAll(async () => {
    await stopAll();
    await bird?.cleanup();
  });

  it("wrong AS, wrong local address, nothing listening: one readable line each, and UP says 0 of 1", async () => {
    // Nothing listening needs no router: it runs beside the others.
    const refused = announcer(CLOSED_PORT, 65001, OURS);
    const wrongAs = announcer(BIRD_PORT, 65009, OURS);
    expect(await line(wrongAs, /PEER /)).toMatch(
      new RegExp(
        `PEER ${ROUTER} \\(AS65000\\) down: peer sent NOTIFICATION 2/2 OPEN Message Error / Bad Peer AS \\(the router expects another AS from us: we are AS65009; check that the router has neighbor ${OURS} remote-as 65009`,
      ),
    );
    await stop(wrongAs);
    // BIRD waits out its "error wait time" before it listens for this neighbor again.
    await waitFor("BIRD to listen again", async () =>
      (await bird.neighborStatus()).state !== "Idle" ? true : undefined,
    );
    const wrongAddress = announcer(BIRD_PORT, 65001, STRANGER);
    expect(await line(wrongAddress, /PEER /)).toMatch(
      new RegExp(
        `PEER ${ROUTER} \\(AS65000\\) down: peer closed the connection after our OPEN without a NOTIFICATION \\(.*\\): check that the router has neighbor ${STRANGER} remote-as 65001`,
      ),
    );
    expect(await line(refused, /PEER /)).toMatch(
      new RegExp(
        `PEER ${ROUTER} \\(AS65000\\) down: connection to ${ROUTER}:${CLOSED_PORT} refused: nothing listens there, or the router rejects us`,
      ),
    );
    expect(await line(refused, / UP /)).toMatch(
      /UP web 203\.0\.113\.1\/32 \(1 check passed: command exit status 0\) announced MED 100 to 0 of 1 peer: no session Established$/,
    );
    // Retries every --connect-retry second do not repeat the line.
    expect(refused.output.split("\n").filter((l) => l.includes("PEER ")).length).toBe(1);
    await stopAll();
  }, 60_000);
});

describeWithDaemon("frr", "refused sessions against FRR, as the announcer logs them", () => {
  let frr: FrrDaemon;
  beforeAll(async () => {
    frr = new FrrDaemon({
      asn: 65000,
      routerId: ROUTER,
      address: ROUTER,
      port: FRR_PORT,
      neighbor: { address: OURS, asn: 65001, port: FRR_PORT + 5, passive: true },
    });
    await frr.start();
  });
  afterAll(async () => {
    await stopAll();
    await frr?.cleanup();
  });

  it("wrong AS and a local address FRR has no neighbor for: one readable line each", async () => {
    const wrongAs = announcer(FRR_PORT, 65009, OURS);
    expect(await line(wrongAs, /PEER /)).toMatch(
      new RegExp(
        `PEER ${ROUTER} \\(AS65000\\) down: peer sent NOTIFICATION 2/2 OPEN Message Error / Bad Peer AS \\(the router expects another AS from us: we are AS65009`,
      ),
    );
    await stop(wrongAs);
    const wrongAddress = announcer(FRR_PORT, 65001, STRANGER);
    expect(await line(wrongAddress, /PEER /)).toMatch(
      new RegExp(
        `PEER ${ROUTER} \\(AS65000\\) down: (peer closed the connection after our OPEN without a NOTIFICATION \\(.*\\)|connection lost \\(.*\\)|cannot connect to .*): check that the router has neighbor ${STRANGER} remote-as 65001`,
      ),
    );
    await stopAll();
  }, 60_000);
});
