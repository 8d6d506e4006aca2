/** Can the lab run here? Shared by run.ts and its test (test/lab/anycast-lab.test.ts). */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { run } from "./netns.js";

export function which(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin"]) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // next
    }
  }
  return undefined;
}

/** Root on Linux with working `ip netns`: undefined, else why not. */
export function netnsUnusable(): string | undefined {
  if (process.platform !== "linux") return "needs Linux network namespaces";
  if (process.getuid?.() !== 0) return "needs root (sudo) to create network namespaces";
  try {
    run("ip", ["netns", "list"]);
  } catch (error) {
    return `ip netns does not work here: ${(error as Error).message}`;
  }
  return undefined;
}

/** Why the lab cannot run on this machine, or undefined when it can. */
export function cannotRun(): string | undefined {
  const netns = netnsUnusable();
  if (netns !== undefined) return netns;
  if (which("bird") === undefined || which("birdc") === undefined) {
    return "needs BIRD 2: apt-get install bird2";
  }
  return undefined;
}
