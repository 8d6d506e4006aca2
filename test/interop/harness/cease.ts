import { waitFor } from "./process.js";
import type { InteropDaemon } from "./types.js";

/**
 * Wait until one of the NOTIFICATIONs the daemon reports receiving matches; on timeout the error
 * lists what the daemon did report.
 */
export function ceaseLogged(daemon: InteropDaemon, matches: (line: string) => boolean): Promise<string> {
  return waitFor(`${daemon.kind} to report our Cease`, async () => {
    const lines = await daemon.receivedNotifications();
    const hit = lines.find(matches);
    if (hit !== undefined) return hit;
    throw new Error(`it reported: ${lines.length ? lines.join(" | ") : "(no NOTIFICATION received)"}`);
  });
}
