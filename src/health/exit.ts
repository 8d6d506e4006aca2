import createDebug from "debug";
import { secToMs } from "./types.js";

const debug = createDebug("bgp:health");

/**
 * The bits of `process` the exit handler uses; tests pass an emitter.
 * @category Health
 */
export type ProcessLike = Pick<NodeJS.Process, "on" | "off" | "exit">;

/**
 * Options for `installExitHandler`.
 * @category Health
 */
export interface ExitHandlerOptions {
  /** Closed last, so every peer gets a Cease (a `BgpSpeaker`). */
  readonly speaker: {
    /** Says goodbye to every peer and stops. */
    close(): Promise<void>;
  };
  /**
   * Withdrawn first, so routers get an explicit withdrawal before the Cease; an announcer built
   * with `drainSec` drains first (RFC 8326 GRACEFUL_SHUTDOWN for that long, then the withdraw).
   */
  readonly announcers?: readonly {
    /** Withdraws every prefix the announcer announced. */
    withdrawAll(reason?: string): void;
    /** Drains every prefix (GRACEFUL_SHUTDOWN), then withdraws it. */
    drainAll?(reason?: string): Promise<void>;
  }[];
  /** Stopped before the withdrawal so no check result re-announces a route. */
  readonly monitors?: readonly {
    /** Stops the monitor's rounds. */
    stop(): Promise<void>;
  }[];
  /** Longest wait for the speaker to close before leaving anyway (default 5 s). */
  readonly timeoutSec?: number;
  /** Signals that trigger the shutdown (default SIGTERM and SIGINT). */
  readonly signals?: readonly NodeJS.Signals[];
  /** The process to listen on and exit (default: `process`); tests pass an emitter. */
  readonly process?: ProcessLike;
}

/**
 * An installed exit handler.
 * @category Health
 */
export interface ExitHandler {
  /** Withdraw, close, resolve: once, however often it is called. */
  shutdown(reason: string): Promise<void>;
  /** Removes the signal and beforeExit listeners. */
  dispose(): void;
}

/** Default bound, in seconds, on the withdraw-and-close wait at exit. */
export const DEFAULT_EXIT_TIMEOUT_SEC = 5;

/**
 * On SIGTERM/SIGINT (then exit 0: a requested stop that withdrew cleanly, the status systemd counts
 * as a clean stop, the same as the bgp-speaker-announce command) or when the event loop runs dry ("beforeExit"):
 * stop the monitors, withdraw every announced route, close the speaker (Cease to every peer) within
 * a bounded wait. A crash skips all of this, and that is acceptable: the dying process takes its
 * TCP sessions down, and a router drops every route learned over a session that goes down.
 * @category Health
 */
export function installExitHandler(options: ExitHandlerOptions): ExitHandler {
  const proc: ProcessLike = options.process ?? process;
  const timeoutMs = secToMs("timeoutSec", options.timeoutSec ?? DEFAULT_EXIT_TIMEOUT_SEC);
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  let done: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    done ??= (async () => {
      debug("shutdown: %s", reason);
      await Promise.allSettled((options.monitors ?? []).map((monitor) => monitor.stop()));
      await Promise.allSettled(
        (options.announcers ?? []).map(async (announcer) => {
          try {
            if (announcer.drainAll !== undefined) await announcer.drainAll(reason);
            else announcer.withdrawAll(reason);
          } catch (error) {
            debug("withdraw failed: %o", error); // still close: the Cease withdraws it all anyway
          }
        }),
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      const closed = options.speaker.close().then(
        () => "closed",
        (error: unknown) => `close failed: ${String(error)}`,
      );
      const timedOut = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`close timed out after ${timeoutMs} ms`), timeoutMs);
        timer.unref?.();
      });
      debug("shutdown: %s", await Promise.race([closed, timedOut]));
      clearTimeout(timer);
    })();
    return done;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    debug("shutdown on %s", signal);
    void shutdown(signal).finally(() => proc.exit(0));
  };
  const onBeforeExit = () => {
    void shutdown("beforeExit");
  };
  for (const signal of signals) proc.on(signal, onSignal);
  proc.on("beforeExit", onBeforeExit);
  return {
    shutdown,
    dispose() {
      for (const signal of signals) proc.off(signal, onSignal);
      proc.off("beforeExit", onBeforeExit);
    },
  };
}
