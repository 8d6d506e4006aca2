import { BirdDaemon } from "./bird.js";
import { ExabgpDaemon } from "./exabgp.js";
import { FrrDaemon } from "./frr.js";
import { GobgpDaemon } from "./gobgp.js";
import type { DaemonConfig, DaemonKind, InteropDaemon } from "./types.js";

export { daemonAvailable, describeWithDaemon, INSTALL_HINT } from "./availability.js";
export { BirdDaemon } from "./bird.js";
export { ExabgpDaemon } from "./exabgp.js";
export { FrrDaemon } from "./frr.js";
export { GobgpDaemon } from "./gobgp.js";
export { runCli, sleep, stopProcess, waitFor } from "./process.js";
export type * from "./types.js";

/** Build (not start) a daemon of the given kind in a fresh temp dir. */
export function createDaemon(kind: DaemonKind, config: DaemonConfig): InteropDaemon {
  switch (kind) {
    case "bird":
      return new BirdDaemon(config);
    case "frr":
      return new FrrDaemon(config);
    case "gobgp":
      return new GobgpDaemon(config);
    case "exabgp":
      return new ExabgpDaemon(config);
    default: {
      const never: never = kind;
      throw new Error(`unknown daemon ${String(never)}`);
    }
  }
}
