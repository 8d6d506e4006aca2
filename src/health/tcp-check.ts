import net from "node:net";
import { runWithDeadline } from "./deadline.js";
import type { CheckBaseOptions, CheckResult } from "./types.js";

export interface TcpCheckOptions extends CheckBaseOptions {
  readonly host: string;
  readonly port: number;
  /** Local address to connect from. */
  readonly localAddress?: string;
}

/** Passes when a TCP connection to host:port completes; the connection is closed at once. */
export function checkTcp(options: TcpCheckOptions): Promise<CheckResult> {
  const { host, port } = options;
  return runWithDeadline(options.timeoutSec ?? 2, options.signal, (signal) => {
    return new Promise((resolve) => {
      const socket = net.connect({
        host,
        port,
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      });
      const finish = (ok: boolean, reason: string) => {
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        resolve({ ok, reason, details: { host, port } });
      };
      const onAbort = () => finish(false, "aborted");
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once("connect", () => finish(true, `connected to ${host}:${port}`));
      socket.once("error", (error: NodeJS.ErrnoException) =>
        finish(false, `connect to ${host}:${port} failed: ${error.code ?? error.message}`),
      );
    });
  });
}
