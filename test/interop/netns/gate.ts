import { describe, it } from "vitest";
import { netnsUnusable, which } from "../../../examples/anycast-lab/preflight.js";

/**
 * `describe` for a namespace suite: runs as root with `ip netns` and the daemons; under CI=true as
 * root a missing daemon fails; elsewhere skipped with the reason.
 */
export function describeNetns(name: string, needs: readonly string[], body: () => void): void {
  const netns = netnsUnusable();
  const missing = needs.filter((n) => which(n) === undefined && which(`../lib/frr/${n}`) === undefined);
  const reason =
    netns ?? (missing.length > 0 ? `missing ${missing.join(", ")} (apt-get install bird2 frr)` : undefined);
  if (reason === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === "true" && netns === undefined) {
    describe(name, () => {
      it("can run", () => {
        throw new Error(`${reason}. Namespace interop tests are mandatory under CI=true as root.`);
      });
    });
    return;
  }
  console.warn(`[interop] skipping "${name}": ${reason}`);
  describe.skip(`${name} (skipped: ${reason})`, body);
}
