import type { CheckResult } from "./types.js";
import { secToMs } from "./types.js";

/**
 * What a check body produces; the wrapper adds the duration.
 * @category Health
 */
export interface CheckOutcome {
  /** The check passed. */
  readonly ok: boolean;
  /** Why it failed, or what was seen when it passed. */
  readonly reason: string;
  /** Check-specific numbers (status code, queue lengths …) for logs and status pages. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Runs `body` with a signal that aborts on the timeout or on the caller's signal, and turns every
 * way it can end (result, throw, timeout, abort) into a CheckResult. A failing target must never
 * throw out of a check: the gate counts failures, it does not catch them.
 */
export async function runWithDeadline(
  timeoutSec: number,
  outer: AbortSignal | undefined,
  body: (signal: AbortSignal) => Promise<CheckOutcome>,
): Promise<CheckResult> {
  const timeoutMs = secToMs("timeoutSec", timeoutSec);
  const started = performance.now();
  const controller = new AbortController();
  let why: "timeout" | "aborted" | undefined;
  const abort = (reason: "timeout" | "aborted") => {
    if (why === undefined) why = reason;
    controller.abort(new Error(reason));
  };
  const onOuterAbort = () => abort("aborted");
  if (outer?.aborted) abort("aborted");
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The race settles on the deadline even if the body ignores its signal.
  const deadline = new Promise<CheckOutcome>((resolve) => {
    const settle = () => resolve(failure(why ?? "aborted", timeoutSec));
    if (controller.signal.aborted) settle();
    controller.signal.addEventListener("abort", settle, { once: true });
    timer = setTimeout(() => abort("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      body(controller.signal).catch(
        (error: unknown): CheckOutcome => ({
          ok: false,
          reason: error instanceof Error ? error.message : String(error),
        }),
      ),
      deadline,
    ]);
    // A body that noticed the abort and reported it loses to the clearer timeout/abort reason.
    const final = why !== undefined ? failure(why, timeoutSec) : outcome;
    return { ...final, durationMs: Math.round((performance.now() - started) * 1000) / 1000 };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuterAbort);
    if (!controller.signal.aborted) controller.abort(new Error("check finished"));
  }
}

function failure(why: "timeout" | "aborted", timeoutSec: number): CheckOutcome {
  return { ok: false, reason: why === "timeout" ? `timed out after ${timeoutSec}s` : "aborted" };
}
