import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, it } from "vitest";
import type { DaemonKind } from "./types.js";

export const INSTALL_HINT = "sudo apt-get install bird2 frr gobgpd exabgp";

/** Executables each daemon needs: the daemon itself and the CLI we query it with. */
const REQUIRED: Record<DaemonKind, readonly string[]> = {
  bird: ["bird", "birdc"],
  frr: ["/usr/lib/frr/bgpd", "vtysh"],
  gobgp: ["gobgpd", "gobgp"],
  exabgp: ["exabgp", "python3"],
};

const EXTRA_DIRS = ["/usr/sbin", "/sbin", "/usr/lib/frr"];

/** Absolute path of an executable, searching PATH plus the sbin dirs a non-root PATH may lack. */
export function findExecutable(name: string): string | undefined {
  const candidates = name.startsWith("/")
    ? [name]
    : [...(process.env.PATH ?? "").split(delimiter), ...EXTRA_DIRS].filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export function executable(name: string): string {
  const found = findExecutable(name);
  if (!found) throw new Error(`${name} not found; install the daemons with: ${INSTALL_HINT}`);
  return found;
}

export function daemonAvailable(kind: DaemonKind): boolean {
  return REQUIRED[kind].every((name) => findExecutable(name) !== undefined);
}

/**
 * `describe` for a suite that needs a daemon. Present: runs. Missing under CI=true: one failing test
 * that says what to install, because CI must not pass by skipping. Missing elsewhere: skipped, with
 * the reason in the suite name and on stderr.
 */
export function describeWithDaemon(kind: DaemonKind, name: string, body: () => void): void {
  if (daemonAvailable(kind)) {
    describe(name, body);
    return;
  }
  const missing = REQUIRED[kind].filter((n) => findExecutable(n) === undefined).join(", ");
  const reason = `${kind} is not installed (missing ${missing}); install it with: ${INSTALL_HINT}`;
  if (process.env.CI === "true") {
    describe(name, () => {
      it(`needs ${kind}`, () => {
        throw new Error(`${reason}. Interop tests are mandatory under CI=true.`);
      });
    });
    return;
  }
  console.warn(`[interop] skipping "${name}": ${reason}`);
  describe.skip(`${name} (skipped: ${reason})`, body);
}
