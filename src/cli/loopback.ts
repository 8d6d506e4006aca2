/**
 * ExaBGP healthcheck's loopback handling: --ip-setup puts the announced addresses on `lo` (so the
 * host answers on them), --ip-dynamic takes them off while the service is DOWN or DISABLED, and
 * without --ip the addresses already on `lo` (those labelled `lo:LABEL…` with --label) are announced.
 * Done with iproute2's `ip`, through sudo with --sudo.
 * @module
 */
import { execFile } from "node:child_process";

export interface IpTool {
  add(prefixes: readonly string[]): Promise<void>;
  remove(prefixes: readonly string[]): Promise<void>;
}

function run(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { timeout: 5000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (error?.message ?? "")) });
    });
  });
}

/** Non-loopback addresses on `lo` as prefixes, optionally only those whose label starts with lo:LABEL. */
export async function loopbackAddresses(label?: string): Promise<string[]> {
  const { code, stdout } = await run(["ip", "-o", "address", "show", "dev", "lo"]);
  if (code !== 0) return [];
  const out: string[] = [];
  for (const line of stdout.split("\n")) {
    const match = /\binet6?\s+([0-9a-f.:]+\/\d+)(.*)$/i.exec(line);
    if (match === null) continue;
    const [, prefix, rest] = match;
    if (prefix.startsWith("127.") || prefix.startsWith("::1/")) continue;
    if (
      label !== undefined &&
      !new RegExp(`\\blo:${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).test(rest)
    ) {
      continue;
    }
    out.push(prefix);
  }
  return out;
}

export function makeIpTool(options: { readonly label?: string; readonly sudo: boolean }): IpTool {
  const command = (verb: "add" | "delete", prefix: string): string[] => {
    const argv = ["ip", "address", verb, prefix, "dev", "lo"];
    // A label only fits IPv4 addresses (iproute2 refuses it on IPv6).
    if (options.label !== undefined && !prefix.includes(":")) argv.push("label", `lo:${options.label}`);
    return options.sudo ? ["sudo", "-n", ...argv] : argv;
  };
  return {
    async add(prefixes) {
      for (const prefix of prefixes) {
        const { code, stderr } = await run(command("add", prefix));
        // 2 with "File exists": already there, which is what we want.
        if (code !== 0 && !/exists/i.test(stderr)) {
          throw new Error(`ip address add ${prefix} dev lo failed: ${stderr.trim()}`);
        }
      }
    },
    async remove(prefixes) {
      const errors: string[] = [];
      for (const prefix of prefixes) {
        const { code, stderr } = await run(command("delete", prefix));
        if (code !== 0 && !/cannot assign|not found|no such/i.test(stderr))
          errors.push(`${prefix}: ${stderr.trim()}`);
      }
      if (errors.length > 0) throw new Error(`ip address delete on lo failed: ${errors.join("; ")}`);
    },
  };
}
