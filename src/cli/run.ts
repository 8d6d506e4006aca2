import { spawn } from "node:child_process";
import { HealthGatedAnnouncer, type PrefixPolicy, type RouteSpeaker } from "../health/announcer.js";
import { checkCommand } from "../health/command-check.js";
import type { GateEvent } from "../health/gate.js";
import { checkHttp } from "../health/http-check.js";
import { HealthMonitor } from "../health/monitor.js";
import { checkSocketTable } from "../health/socket-table-check.js";
import { checkTcp } from "../health/tcp-check.js";
import type { CheckFn, GateState, HealthClock } from "../health/types.js";
import type { AnnouncedAttributes, CheckSpec, ResolvedService } from "./config.js";
import type { LogSink } from "./log.js";

/** The part of the speaker the announcer needs: BgpSpeaker fits, and so does a test double. */
export interface AnnouncerSpeaker extends RouteSpeaker<AnnouncedAttributes> {
  close(): Promise<void>;
}

export interface RunningServices {
  readonly monitors: readonly HealthMonitor[];
  readonly announcer: HealthGatedAnnouncer<AnnouncedAttributes>;
  /** Stop checking, withdraw what was announced (the speaker stays open). */
  stop(reason: string): Promise<void>;
}

export interface StartServicesOptions {
  readonly speaker: AnnouncerSpeaker;
  readonly services: readonly ResolvedService[];
  readonly log: LogSink;
  readonly clock?: HealthClock;
  /** Runs --execute commands; the default spawns them through the shell. */
  readonly runCommand?: (command: string, env: Readonly<Record<string, string>>) => void;
}

/** Builds a check function from its spec; each round gets the monitor's abort signal. */
export function buildCheck(spec: CheckSpec, timeoutSec: number): CheckFn {
  switch (spec.kind) {
    case "command":
      return (signal) => checkCommand({ command: spec.command, timeoutSec, signal });
    case "http":
      return (signal) => checkHttp({ url: spec.url, timeoutSec, signal });
    case "tcp":
      return (signal) => checkTcp({ host: spec.host, port: spec.port, timeoutSec, signal });
    case "socket":
      return (signal) =>
        checkSocketTable({
          port: spec.port,
          timeoutSec,
          signal,
          ...(spec.host === undefined ? {} : { host: spec.host }),
        });
    default: {
      const unreachable: never = spec;
      throw new Error(`unknown check ${String(unreachable)}`);
    }
  }
}

/**
 * One HealthMonitor per service, one HealthGatedAnnouncer over all of them, and the log lines and
 * --execute commands for each transition. Monitors start at once; the first round runs now.
 */
export function startServices(options: StartServicesOptions): RunningServices {
  const { services, log } = options;
  const runCommand = options.runCommand ?? spawnShell(log);
  const monitors = services.map(
    (service) =>
      new HealthMonitor({
        ...service.gate,
        name: service.name,
        checks: Object.fromEntries(
          service.checks.map((spec) => [spec.kind, buildCheck(spec, service.timeoutSec)]),
        ),
        ...(service.disableFile === undefined ? {} : { disableFile: service.disableFile }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      }),
  );
  // Log listeners go on before the announcer's: the monitor emits "event" before "up"/"down", so
  // they see which routes were announced before this transition.
  let announcer: HealthGatedAnnouncer<AnnouncedAttributes> | undefined;
  services.forEach((service, i) => {
    const monitor = monitors[i];
    monitor.on("event", (event) => {
      logGateEvent(service, monitor, event, announcer?.announced ?? [], log);
      if (event.type === "up" || event.type === "down" || event.type === "disabled") {
        const env = {
          STATE: event.type.toUpperCase(),
          FROM_STATE: event.from.toUpperCase(),
          SERVICE: service.name,
          PREFIXES: service.prefixes.map((p) => p.prefix).join(" "),
          REASON: event.reason,
        };
        if (service.execute.any !== undefined) runCommand(service.execute.any, env);
        const specific = service.execute[event.type];
        if (specific !== undefined) runCommand(specific, env);
      }
    });
    monitor.on("error", (error) => {
      log({ event: "error", atMs: Date.now(), message: `${service.name}: ${String(error)}` });
    });
  });
  announcer = new HealthGatedAnnouncer<AnnouncedAttributes>(
    options.speaker,
    services.map((service, i) => ({
      source: monitors[i],
      prefixes: service.prefixes.map(
        (prefix): PrefixPolicy<AnnouncedAttributes> => ({
          prefix: prefix.prefix,
          up: prefix.up,
          down: prefix.down,
          disabled: prefix.disabled,
        }),
      ),
    })),
  );
  for (const monitor of monitors) monitor.start();
  const running = announcer;
  return {
    monitors,
    announcer: running,
    async stop(reason) {
      await Promise.allSettled(monitors.map((monitor) => monitor.stop()));
      running.detach();
      running.withdrawAll(reason);
    },
  };
}

function logGateEvent(
  service: ResolvedService,
  monitor: HealthMonitor,
  event: GateEvent,
  announcedBefore: readonly string[],
  log: LogSink,
): void {
  switch (event.type) {
    case "up":
    case "down":
    case "disabled": {
      const state: GateState = event.type;
      // DOWN counts `fall` rounds only when it comes from UP: from INIT one failure after a pass decides.
      const rounds =
        state === "up"
          ? monitor.gate.rise
          : state === "down" && event.from === "up"
            ? monitor.gate.fall
            : undefined;
      for (const prefix of service.prefixes) {
        const policy = prefix[state];
        const action =
          policy !== "withdraw" ? "announce" : announcedBefore.includes(prefix.prefix) ? "withdraw" : "none";
        log({
          event: state,
          atMs: event.atMs,
          service: service.name,
          prefix: prefix.prefix,
          from: event.from,
          reason: event.reason,
          ...(event.check === undefined ? {} : { check: event.check }),
          ...(rounds === undefined ? {} : { rounds }),
          ...(event.delayedBy === undefined ? {} : { delayedBy: event.delayedBy }),
          action,
          ...(policy !== "withdraw" && policy.med !== undefined ? { med: policy.med } : {}),
        });
      }
      return;
    }
    case "suppressed":
    case "released":
      log({
        event: event.type,
        atMs: event.atMs,
        service: service.name,
        prefixes: service.prefixes.map((p) => p.prefix),
        reason: event.reason,
        penalty: Math.round(event.penalty),
        ...(event.type === "suppressed" ? { releaseAtMs: event.releaseAtMs } : {}),
      });
      return;
    default: {
      const unreachable: never = event;
      throw new Error(`unknown gate event ${String(unreachable)}`);
    }
  }
}

/** --execute and friends: through the shell, like ExaBGP; output goes to our stderr, failures to the log. */
function spawnShell(log: LogSink): (command: string, env: Readonly<Record<string, string>>) => void {
  return (command, env) => {
    const child = spawn(command, {
      shell: true,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, ...env },
    });
    child.once("error", (error) => {
      log({ event: "execute", atMs: Date.now(), message: `${command}: ${error.message}` });
    });
    child.once("exit", (code, signal) => {
      if (code === 0) return;
      const how = signal === null ? `exit status ${code}` : `killed by ${signal}`;
      log({ event: "execute", atMs: Date.now(), message: `${command}: ${how}` });
    });
  };
}
