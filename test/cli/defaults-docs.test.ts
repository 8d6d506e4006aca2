import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/cli/config.js";
import { USAGE } from "../../src/cli/usage.js";
import { DAMPENING_DEFAULTS } from "../../src/health/dampening.js";
import { GATE_DEFAULTS } from "../../src/health/gate.js";
import { DEFAULT_CHECK_DEADLINE_SEC } from "../../src/health/monitor.js";
import { BGP_PORT, SESSION_DEFAULTS } from "../../src/session/types.js";
import { BFD_DEFAULTS } from "../../src/speaker/bfd.js";

/**
 * Each default is defined once in code; the prose that quotes it (docs/announcer.md's flag table,
 * docs/sessions.md's peer options) is checked against that one definition, so a changed default
 * fails here until the docs say the same.
 */

const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8");

/** The last cell of the markdown table row whose first cell is exactly `first`. */
function defaultCell(markdown: string, first: string): string {
  const row = markdown.split("\n").find((line) => line.startsWith(`| ${first} |`));
  if (row === undefined) throw new Error(`no table row for ${first}`);
  const cells = row.split("|").map((cell) => cell.trim());
  return cells[cells.length - 2];
}

describe("defaults quoted in the docs are the ones the code runs on", () => {
  it("docs/announcer.md's flag table", () => {
    const md = doc("announcer.md");
    expect(defaultCell(md, "`--interval S`")).toBe(`${GATE_DEFAULTS.intervalSec}`);
    expect(defaultCell(md, "`--fast-interval S`")).toMatch(new RegExp(`^${GATE_DEFAULTS.fastIntervalSec} `));
    expect(defaultCell(md, "`--timeout S`")).toBe(`${DEFAULTS.timeoutSec}`);
    expect(defaultCell(md, "`--rise N` / `--fall N`")).toBe(`${GATE_DEFAULTS.rise} / ${GATE_DEFAULTS.fall}`);
    expect(defaultCell(md, "`--up-med N`")).toBe(`${DEFAULTS.upMed}`);
    expect(defaultCell(md, "`--peer ADDR[:PORT]`")).toBe(`port ${BGP_PORT}`);
    expect(defaultCell(md, "`--hold-time S`, `--connect-retry S`")).toBe(
      `${SESSION_DEFAULTS.holdTime}, ${SESSION_DEFAULTS.connectRetry}`,
    );
    expect(defaultCell(md, "`--shutdown-timeout S`")).toBe(`${DEFAULTS.shutdownTimeoutSec}`);
    const d = DAMPENING_DEFAULTS;
    expect(md.replace(/\s+/g, " ")).toContain(
      `penalty ${d.penalty} per flap, half-life ${d.halfLifeSec} s, suppress above ${d.suppressThreshold}, reuse below ${d.reuseThreshold}, max suppression ${d.maxSuppressSec} s`,
    );
  });

  it("docs/sessions.md's peer options and example", () => {
    const md = doc("sessions.md");
    expect(defaultCell(md, "`port`")).toBe(`${BGP_PORT}`);
    expect(defaultCell(md, "`gracefulRestart`")).toBe(
      `\`{ restartTimeSec: ${SESSION_DEFAULTS.gracefulRestart.restartTimeSec} }\``,
    );
    expect(defaultCell(md, "`passive`")).toBe(`${SESSION_DEFAULTS.passive}`);
    expect(defaultCell(md, "`extendedMessage`")).toBe(`${SESSION_DEFAULTS.extendedMessage}`);
    expect(defaultCell(md, "`extendedNextHop`")).toBe(`${SESSION_DEFAULTS.extendedNextHop}`);
    expect(md).toContain(`// seconds offered; default ${SESSION_DEFAULTS.holdTime}`);
    expect(md).toContain(`// seconds between connection attempts; default ${SESSION_DEFAULTS.connectRetry}`);
    expect(md).toContain(
      `(${SESSION_DEFAULTS.idleHold} s up to ${SESSION_DEFAULTS.idleHoldMax} s) and resets once a session has stayed up for a minute`,
    );
    expect(SESSION_DEFAULTS.stablePeriod).toBe(60); // "a minute" above
  });

  it("docs/health.md's HealthMonitor options and docs/bfd.md", () => {
    const md = doc("health.md");
    /** The second cell (default) of the options table row whose first cell is `first`. */
    const cell = (first: string) =>
      md
        .split("\n")
        .find((line) => line.startsWith(`| ${first} |`))
        ?.split("|")[2]
        ?.trim();
    expect(cell("`checkDeadlineSec`")).toBe(`${DEFAULT_CHECK_DEADLINE_SEC}`);
    expect(cell("`intervalSec`, `fastIntervalSec`")).toBe(
      `${GATE_DEFAULTS.intervalSec}, ${GATE_DEFAULTS.fastIntervalSec}`,
    );
    expect(cell("`rise`, `fall`")).toBe(`${GATE_DEFAULTS.rise}, ${GATE_DEFAULTS.fall}`);
    expect(cell("`holdDownSec`")).toBe(`${GATE_DEFAULTS.holdDownSec}`);
    expect(doc("bfd.md")).toContain(
      `bfd: true, // ${BFD_DEFAULTS.interval} s × ${BFD_DEFAULTS.multiplier}, no authentication`,
    );
  });

  it("--help quotes the same constants", () => {
    expect(USAGE).toContain(`0 or 3-65535 (default ${SESSION_DEFAULTS.holdTime})`);
    expect(USAGE).toContain(`(default ${BFD_DEFAULTS.interval} s x ${BFD_DEFAULTS.multiplier})`);
    expect(USAGE).toContain(
      `--rise N                 consecutive passes to go UP (default ${GATE_DEFAULTS.rise})`,
    );
  });
});
