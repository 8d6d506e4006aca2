import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { parseArgs } from "../../src/cli/args.js";
import { resolveConfig } from "../../src/cli/config.js";
import type { AnnouncerSettings } from "../../src/cli/settings.js";

/** Our BGP flags alone: what an ExaBGP healthcheck command line lacks to become a session. */
export const BGP_ARGV = [
  "--local-as",
  "65001",
  "--router-id",
  "198.51.100.2",
  "--peer",
  "198.51.100.1",
  "--peer-as",
  "65000",
];

/** What the per-peer option tests (TCP-MD5/GTSM, BFD) share: one valid command line to add flags to. */
export const BASE_ARGV = [...BGP_ARGV, "--ip", "203.0.113.1", "--tcp", "127.0.0.1:1"];

/** The resolved peers for BASE_ARGV plus `argv`, over an optional config file's settings. */
export const peersOf = (argv: string[], file: AnnouncerSettings = {}) =>
  resolveConfig(file, parseArgs([...BASE_ARGV, ...argv]).settings).peers;

/** A temporary directory for this test file, removed after all its tests. */
export function useTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
