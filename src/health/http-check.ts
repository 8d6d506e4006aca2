import http from "node:http";
import https from "node:https";
import { runWithDeadline } from "./deadline.js";
import type { CheckBaseOptions, CheckResult } from "./types.js";

export interface HttpCheckOptions extends CheckBaseOptions {
  readonly url: string | URL;
  /** Inclusive status range that passes (default [200, 399]). */
  readonly expectStatus?: readonly [number, number];
  /** The body must contain this substring or match this RegExp. */
  readonly bodyMatch?: string | RegExp;
  /** Bytes of body read for the match (default 64 KiB); the rest is not downloaded. */
  readonly maxBodyBytes?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Accept self-signed certificates (default true: a health probe checks liveness, not identity). */
  readonly rejectUnauthorized?: boolean;
}

/** GET the URL; passes on a status in range and, if asked, a body match in the first bytes. */
export function checkHttp(options: HttpCheckOptions): Promise<CheckResult> {
  const url = typeof options.url === "string" ? new URL(options.url) : options.url;
  const [low, high] = options.expectStatus ?? [200, 399];
  const maxBody = options.maxBodyBytes ?? 65536;
  const transport = url.protocol === "https:" ? https : url.protocol === "http:" ? http : undefined;
  return runWithDeadline(options.timeoutSec ?? 2, options.signal, (signal) => {
    if (transport === undefined) {
      return Promise.resolve({ ok: false, reason: `unsupported protocol ${url.protocol}` });
    }
    return new Promise((resolve) => {
      const request = transport.get(url, {
        signal,
        headers: { "user-agent": "bgp-speaker-healthcheck", ...options.headers },
        rejectUnauthorized: options.rejectUnauthorized ?? false,
        agent: false, // a fresh connection each time: a pooled socket would hide a dead listener
      });
      request.once("error", (error: NodeJS.ErrnoException) =>
        resolve({ ok: false, reason: `GET ${url.href} failed: ${error.code ?? error.message}` }),
      );
      request.once("response", (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let length = 0;
        const judge = () => {
          response.destroy();
          const body = Buffer.concat(chunks).subarray(0, maxBody).toString("utf8");
          const details = { status, bodyBytes: length };
          if (status < low || status > high) {
            resolve({ ok: false, reason: `status ${status} not in ${low}-${high}`, details });
            return;
          }
          const matcher = options.bodyMatch;
          if (matcher !== undefined) {
            const matched = typeof matcher === "string" ? body.includes(matcher) : matcher.test(body);
            if (!matched) {
              resolve({ ok: false, reason: `body does not match ${String(matcher)}`, details });
              return;
            }
          }
          resolve({ ok: true, reason: `status ${status}`, details });
        };
        if (options.bodyMatch === undefined) {
          judge();
          return;
        }
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          length += chunk.length;
          if (length >= maxBody) judge(); // bounded: stop reading once enough is here
        });
        response.once("end", judge);
        response.once("error", (error) =>
          resolve({ ok: false, reason: `body read failed: ${error.message}` }),
        );
      });
    });
  });
}
