/**
 * The package's own version, for `--version` and the build-info metric.
 * @module
 */
import { readFileSync } from "node:fs";

/** The package's version, read from its package.json (src/ and dist/ sit one level below it); "unknown" if unreadable. */
export function packageVersion(): string {
  try {
    const text = readFileSync(new URL("../package.json", import.meta.url), "utf8");
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}
