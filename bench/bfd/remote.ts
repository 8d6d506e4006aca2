/**
 * The far side of bench/bfd.bench.ts, in its own process so its CPU is not counted: N BFD
 * sessions, each on its own loopback address 127.0.91.<i> (one transport each, as N routers would
 * be), towards the speaker under test on 127.0.90.1.
 */

import { realClock } from "../../src/clock.js";
import { BfdSession, BfdTransport } from "../../src/index.js";

const count = Number(process.argv[2]);
const intervalUs = Number(process.argv[3]);
const ourPort = Number(process.argv[4]);
const theirPort = Number(process.argv[5]);
const auth =
  process.argv[6] === "auth"
    ? { type: 4 as const, keyId: 1, key: new TextEncoder().encode("bench-key") }
    : undefined;
const transports: BfdTransport[] = [];
for (let i = 1; i <= count; i++) {
  const host = `127.0.91.${i}`;
  const transport = new BfdTransport({ host, port: ourPort });
  await transport.open("ipv4");
  const session = new BfdSession(
    "127.0.90.1",
    {
      localDiscriminator: transport.allocateDiscriminator(),
      desiredMinTxUs: intervalUs,
      requiredMinRxUs: intervalUs,
      detectMult: 3,
      ...(auth === undefined ? {} : { auth }),
      random: Math.random,
    },
    realClock,
    transport.sender("127.0.90.1", theirPort),
  );
  transport.add(session);
  session.start();
  transports.push(transport);
}
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void Promise.all(transports.map((t) => t.close())).then(() => process.exit(0));
});
setInterval(() => {}, 1 << 30);
