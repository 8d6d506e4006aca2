import net from "node:net";
import { runWithDeadline } from "./deadline.js";
import { checkBaseOptions, nonEmptyString, port as portOption } from "./options.js";
import type { CheckBaseOptions, CheckResult } from "./types.js";

/**
 * Options for `checkTcp` (default timeout 2 s).
 * @category Health
 */
export interface TcpCheckOptions extends CheckBaseOptions {
  /** Host name or address to connect to. */
  readonly host: string;
  /** TCP port, 1–65535. */
  readonly port: number;
  /** Local address to connect from. */
  readonly localAddress?: string;
}

/**
 * Passes when a TCP connection to host:port completes; the connection is closed at once. Bad
 * options throw here, at the call (TypeError/RangeError naming the option).
 * @category Health
 */
export function checkTcp(options: TcpCheckOptions): Promise<CheckResult> {
  const timeoutSec = checkBaseOptions("checkTcp", options, ["host", "port", "localAddress"], 2);
  const host = nonEmptyString("checkTcp: host", options.host);
  const port = portOption("checkTcp: port", options.port);
  if (options.localAddress !== undefined && net.isIP(options.localAddress as unknown as string) === 0) {
    throw new TypeError(
      `checkTcp: localAddress must be an IPv4 or IPv6 address, got ${String(options.localAddress)}`,
    );
  }
  return runWithDeadline(timeoutSec, options.signal, (signal) => {
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
