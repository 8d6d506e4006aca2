import { describe, expect, it } from "vitest";
import { formatJson, formatText, type LogRecord, lineSink } from "../../src/cli/log.js";

const AT = Date.parse("2026-11-22T21:00:00.123Z");

describe("announcer log lines", () => {
  it("writes a transition as one readable line", () => {
    expect(
      formatText({
        event: "up",
        atMs: AT,
        service: "default",
        prefix: "203.0.113.1/32",
        from: "init",
        reason: "status 200",
        check: "http",
        rounds: 3,
        action: "announce",
        med: 100,
      }),
    ).toBe(
      "2026-11-22T21:00:00.123Z UP default 203.0.113.1/32 (3 checks passed: HTTP 200) announced MED 100",
    );
    expect(
      formatText({
        event: "down",
        atMs: AT,
        service: "default",
        prefix: "2001:db8:ac::1/128",
        from: "up",
        reason: "http: GET http://127.0.0.3/ failed: ECONNREFUSED",
        check: "http",
        rounds: 1,
        action: "withdraw",
      }),
    ).toBe(
      "2026-11-22T21:00:00.123Z DOWN default 2001:db8:ac::1/128 (1 check failed: http: GET http://127.0.0.3/ failed: ECONNREFUSED) withdrawn",
    );
    expect(
      formatText({
        event: "disabled",
        atMs: AT,
        service: "default",
        prefix: "203.0.113.1/32",
        from: "up",
        reason: "disable file /run/maint present",
        action: "announce",
        med: 500,
      }),
    ).toBe(
      "2026-11-22T21:00:00.123Z DISABLED default 203.0.113.1/32 (disable file /run/maint present) announced MED 500",
    );
    expect(
      formatText({
        event: "down",
        atMs: AT,
        service: "default",
        prefix: "203.0.113.1/32",
        from: "init",
        reason: "command: exit status 1",
        check: "command",
        action: "none",
      }),
    ).toBe("2026-11-22T21:00:00.123Z DOWN default 203.0.113.1/32 (command: exit status 1) not announced");
    expect(
      formatText({
        event: "up",
        atMs: AT,
        service: "default",
        prefix: "203.0.113.1/32",
        from: "down",
        reason: "all 2 checks passed",
        rounds: 2,
        delayedBy: "hold-down",
        action: "announce",
        med: 100,
      }),
    ).toBe(
      "2026-11-22T21:00:00.123Z UP default 203.0.113.1/32 (2 checks passed: all 2 checks passed, after hold-down) announced MED 100",
    );
  });

  it("names the check in front of its reason", () => {
    const base = {
      event: "up",
      atMs: AT,
      service: "s",
      prefix: "203.0.113.1/32",
      from: "down",
      rounds: 2,
    } as const;
    expect(
      formatText({
        ...base,
        reason: "connected to 127.0.0.1:8080",
        check: "tcp",
        action: "announce",
        med: 100,
      }),
    ).toBe(
      "2026-11-22T21:00:00.123Z UP s 203.0.113.1/32 (2 checks passed: tcp connected to 127.0.0.1:8080) announced MED 100",
    );
    expect(formatText({ ...base, reason: "status 204", check: "http", action: "announce" })).toBe(
      "2026-11-22T21:00:00.123Z UP s 203.0.113.1/32 (2 checks passed: HTTP 204) announced",
    );
  });

  it("writes dampening, peer and note lines", () => {
    const lines: LogRecord[] = [
      {
        event: "suppressed",
        atMs: AT,
        service: "s",
        prefixes: ["203.0.113.1/32", "2001:db8:ac::1/128"],
        reason: "penalty 2100 above suppress threshold 2000",
        penalty: 2100,
        releaseAtMs: AT + 60_000,
      },
      {
        event: "released",
        atMs: AT,
        service: "s",
        prefixes: ["203.0.113.1/32"],
        reason: "decayed",
        penalty: 750,
      },
      { event: "peer-up", atMs: AT, peer: "127.0.0.2" },
      {
        event: "peer-up",
        atMs: AT,
        peer: "127.0.0.2",
        peerAs: 65000,
        families: ["ipv4-unicast", "ipv6-unicast"],
        holdTime: 9,
      },
      { event: "peer-down", atMs: AT, peer: "127.0.0.2", reason: "hold timer expired" },
      { event: "shutdown", atMs: AT, message: "SIGTERM: withdrawing, closing sessions" },
    ];
    expect(lines.map(formatText)).toEqual([
      "2026-11-22T21:00:00.123Z SUPPRESSED 203.0.113.1/32 2001:db8:ac::1/128 (penalty 2100 above suppress threshold 2000) until 2026-11-22T21:01:00.123Z",
      "2026-11-22T21:00:00.123Z RELEASED 203.0.113.1/32 (decayed)",
      "2026-11-22T21:00:00.123Z PEER 127.0.0.2 established",
      "2026-11-22T21:00:00.123Z PEER 127.0.0.2 (AS65000) established: ipv4-unicast ipv6-unicast, hold time 9 s",
      "2026-11-22T21:00:00.123Z PEER 127.0.0.2 down: hold timer expired",
      "2026-11-22T21:00:00.123Z SHUTDOWN SIGTERM: withdrawing, closing sessions",
    ]);
  });

  it("writes JSON lines with an ISO time instead of epoch milliseconds", () => {
    const record: LogRecord = {
      event: "suppressed",
      atMs: AT,
      service: "s",
      prefixes: ["203.0.113.1/32"],
      reason: "r",
      penalty: 2100,
      releaseAtMs: AT + 1000,
    };
    expect(JSON.parse(formatJson(record))).toEqual({
      time: "2026-11-22T21:00:00.123Z",
      event: "suppressed",
      service: "s",
      prefixes: ["203.0.113.1/32"],
      reason: "r",
      penalty: 2100,
      releaseAt: "2026-11-22T21:00:01.123Z",
    });
    const out: string[] = [];
    lineSink((line) => out.push(line), true)({ event: "peer-up", atMs: AT, peer: "::1" });
    lineSink((line) => out.push(line), false)({ event: "peer-up", atMs: AT, peer: "::1" });
    expect(out).toEqual([
      '{"time":"2026-11-22T21:00:00.123Z","event":"peer-up","peer":"::1"}\n',
      "2026-11-22T21:00:00.123Z PEER ::1 established\n",
    ]);
  });
});
