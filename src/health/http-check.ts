import http from "node:http";
import https from "node:https";
import { runWithDeadline } from "./deadline.js";
import { checkBaseOptions, describe, integer, optionalBoolean } from "./options.js";
import type { CheckBaseOptions, CheckResult } from "./types.js";

/**
 * Options for `checkHttp` (default timeout 2 s).
 * @category Health
 */
export interface HttpCheckOptions extends CheckBaseOptions {
  /** The http: or https: URL to GET. */
  readonly url: string | URL;
  /** Inclusive status range that passes (default [200, 399]). */
  readonly expectStatus?: readonly [number, number];
  /** The body must contain this substring or match this RegExp. */
  readonly bodyMatch?: string | RegExp;
  /** Bytes of body read for the match (default 64 KiB); the rest is not downloaded. */
  readonly maxBodyBytes?: number;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Refuse certificates that do not verify (default false: a health probe checks liveness, not identity). */
  readonly rejectUnauthorized?: boolean;
}

/** Largest `maxBodyBytes`: a health probe never needs to read more. */
export const MAX_HTTP_BODY_BYTES = 16 * 1024 * 1024;

const HTTP_KEYS = ["url", "expectStatus", "bodyMatch", "maxBodyBytes", "headers", "rejectUnauthorized"];

/**
 * GET the URL; passes on a status in range and, if asked, a body match in the first bytes.
 *
 * A bad option (an unparsable URL, a scheme other than http/https, a status range outside
 * 100-599 …) is the caller's mistake, not the target's failure: it throws here, at the call, a
 * TypeError/RangeError naming the option. Inside a HealthMonitor that makes the round fail.
 * @category Health
 */
export function checkHttp(options: HttpCheckOptions): Promise<CheckResult> {
  const timeoutSec = checkBaseOptions("checkHttp", options, HTTP_KEYS, 2);
  const url = parseUrl(options.url);
  const [low, high] = statusRange(options.expectStatus);
  const maxBody = integer("checkHttp: maxBodyBytes", options.maxBodyBytes ?? 65536, 1, MAX_HTTP_BODY_BYTES);
  const matcher: unknown = options.bodyMatch;
  if (matcher !== undefined && typeof matcher !== "string" && !(matcher instanceof RegExp)) {
    throw new TypeError(`checkHttp: bodyMatch must be a string or a RegExp, got ${describe(matcher)}`);
  }
  headerTable(options.headers);
  optionalBoolean("checkHttp: rejectUnauthorized", options.rejectUnauthorized);
  const transport = url.protocol === "https:" ? https : http;
  return runWithDeadline(timeoutSec, options.signal, (signal) => {
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

function parseUrl(value: unknown): URL {
  let url: URL;
  if (value instanceof URL) url = value;
  else if (typeof value === "string" && URL.canParse(value)) url = new URL(value);
  else {
    throw new TypeError(
      `checkHttp: url must be an absolute http:// or https:// URL (a string or a URL), got ${describe(value)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`checkHttp: url must use http: or https:, got ${url.protocol} in ${url.href}`);
  }
  return url;
}

function statusRange(value: unknown): readonly [number, number] {
  if (value === undefined) return [200, 399];
  if (!Array.isArray(value) || value.length !== 2) {
    throw new TypeError(`checkHttp: expectStatus must be [low, high], got ${describe(value)}`);
  }
  const low = integer("checkHttp: expectStatus[0]", value[0], 100, 599);
  const high = integer("checkHttp: expectStatus[1]", value[1], 100, 599);
  if (low > high)
    throw new RangeError(
      `checkHttp: expectStatus must be [low, high] with low <= high, got [${low}, ${high}]`,
    );
  return [low, high];
}

function headerTable(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`checkHttp: headers must be an object of strings, got ${describe(value)}`);
  }
  for (const [name, header] of Object.entries(value)) {
    if (typeof header !== "string")
      throw new TypeError(`checkHttp: headers.${name} must be a string, got ${describe(header)}`);
  }
}
