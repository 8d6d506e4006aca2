import { spawn } from "node:child_process";
import type { Clock } from "../clock.js";
import { HealthGatedAnnouncer, type PrefixPolicy, type RouteSpeaker } from "../health/announcer.js";
import { checkCommand } from "../health/command-check.js";
import type { GateEvent } from "../health/gate.js";
import { checkHttp } from "../health/http-check.js";
import { HealthMonitor, type HealthMonitorOptions } from "../health/monitor.js";
import { checkSocketTable } from "../health/socket-table-check.js";
import { checkTcp } from "../health/tcp-check.js";
import type { CheckFn, GateState } from "../health/types.js";
import type { CheckSpec, ResolvedService } from "./config.js";
import type { LogSink } from "./log.js";
import type { AnnouncedAttributes } from "./prefix-config.js";

/** The part of the speaker the announcer needs: BgpSpeaker fits, and so does a test double. */
export interface AnnouncerSpeaker extends RouteSpeaker<AnnouncedAttributes> {
  close(): Promise<void>;
}

export interface RunningServices {
  /** The monitors by service name. */
  readonly monitors: ReadonlyMap<string, HealthMonitor>;
  readonly announcer: HealthGatedAnnouncer<AnnouncedAttributes>;
  /** Applies a new set of services: unchanged checks keep running, unchanged routes are not re-sent. */
  reload(services: readonly ResolvedService[]): void;
  /** Stop checking, drain (with drainSec) and withdraw what was announced (the speaker stays open). */
  stop(reason: string): Promise<void>;
}

export type RunCommand = (command: string, env: Readonly<Record<string, string>>) => void | Promise<void>;

export interface StartServicesOptions {
  readonly speaker: AnnouncerSpeaker;
  readonly services: readonly ResolvedService[];
  readonly log: LogSink;
  readonly clock?: Clock;
  /** RFC 8326 drain before a withdraw on DISABLED, on stop and on removal by reload. */
  readonly drainSec?: number;
  /** Runs --execute commands; the default spawns them through the shell and waits for each. */
  readonly runCommand?: RunCommand;
  /** Established and total sessions a route goes to (all peers, or the ones named). */
  readonly sessions?: (peers: readonly string[] | undefined) => { established: number; total: number };
  /** Called on each published state (after the routes were updated): --ip-dynamic hangs here. */
  readonly onState?: (service: ResolvedService, state: GateState) => void;
  /** Where announcer errors go (they are also logged). */
  readonly writeUnhandled?: (text: string) => void;
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

/** What decides whether a reload can keep a service's monitor (and its state) running. */
function monitorKey(service: ResolvedService): string {
  const { checks, timeoutSec, gate, once, staleAfter, checkDeadlineSec, checksRequired, disableFile } =
    service;
  return JSON.stringify({
    checks,
    timeoutSec,
    gate,
    once,
    staleAfter,
    checkDeadlineSec,
    checksRequired,
    disableFile,
  });
}

function policies(service: ResolvedService): PrefixPolicy<AnnouncedAttributes>[] {
  return service.prefixes.map((prefix) => ({
    prefix: prefix.prefix,
    up: prefix.up,
    down: prefix.down,
    disabled: prefix.disabled,
  }));
}

/**
 * One HealthMonitor per service, one HealthGatedAnnouncer over all of them, and the log lines and
 * --execute commands for each transition. Monitors start at once; the first round runs now.
 */
export function startServices(options: StartServicesOptions): RunningServices {
  const { log } = options;
  const runCommand = options.runCommand ?? spawnShell(log);
  const drainSec = options.drainSec ?? 0;
  let services = [...options.services];
  const monitors = new Map<string, HealthMonitor>();
  /** Commands of one service run one after the other, in order, across transitions. */
  const queues = new Map<string, Promise<void>>();
  const retired: HealthGatedAnnouncer<AnnouncedAttributes>[] = [];
  let announcer: HealthGatedAnnouncer<AnnouncedAttributes> | undefined;

  const serviceNamed = (name: string): ResolvedService | undefined => services.find((s) => s.name === name);

  const createMonitor = (service: ResolvedService): HealthMonitor => {
    const monitorOptions: HealthMonitorOptions = {
      ...service.gate,
      name: service.name,
      checks: Object.fromEntries(
        service.checks.map((spec, i) => [
          service.checks.findIndex((other) => other.kind === spec.kind) === i
            ? spec.kind
            : `${spec.kind}${i + 1}`,
          buildCheck(spec, service.timeoutSec),
        ]),
      ),
      ...(service.disableFile === undefined ? {} : { disableFile: service.disableFile }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      // The freshness watchdog, the hard per-check deadline and the quorum.
      staleAfter: service.staleAfter,
      checkDeadlineSec: service.checkDeadlineSec,
      ...(service.checksRequired === undefined ? {} : { checksRequired: service.checksRequired }),
    };
    const monitor = new HealthMonitor(monitorOptions);
    const name = service.name;
    // Log listeners go on before the announcer's: the monitor emits "event" before "up"/"down", so
    // they see which routes were announced before this transition.
    monitor.on("event", (event) => {
      const current = serviceNamed(name);
      if (current === undefined) return;
      logGateEvent(current, monitor, event, announcer?.announced ?? [], drainSec, options, log);
      if (event.type === "up" || event.type === "down" || event.type === "disabled") {
        const env = {
          STATE: event.type.toUpperCase(),
          FROM_STATE: event.from.toUpperCase(),
          SERVICE: current.name,
          PREFIXES: current.prefixes.map((p) => p.prefix).join(" "),
          REASON: event.reason,
        };
        // ExaBGP runs the state's own commands first, then --execute, each after the other.
        const commands = [...current.execute[event.type], ...current.execute.any];
        if (commands.length > 0) {
          const previous = queues.get(name) ?? Promise.resolve();
          const next = commands.reduce(
            (chain, command) =>
              chain.then(async () => {
                try {
                  await runCommand(command, env);
                } catch (error) {
                  log({
                    event: "execute",
                    atMs: Date.now(),
                    service: name,
                    message: `${command}: ${String(error)}`,
                  });
                }
              }),
            previous,
          );
          queues.set(name, next);
        }
        if (current.once) {
          log({
            event: "debug",
            atMs: Date.now(),
            service: name,
            message: `--interval 0: ${event.type.toUpperCase()} reached, no more checks`,
          });
          void monitor.stop();
        }
      }
    });
    monitor.on("round", (round) => {
      const parts = Object.entries(round.results).map(
        ([check, result]) =>
          `${check} ${result.ok ? "ok" : "failed"} in ${Math.round(result.durationMs)} ms: ${result.reason}`,
      );
      log({ event: "debug", atMs: round.atMs, service: name, message: `check round: ${parts.join("; ")}` });
    });
    monitor.on("error", (error) => {
      log({ event: "error", atMs: Date.now(), service: name, message: String(error) });
    });
    return monitor;
  };

  const buildAnnouncer = (announced: readonly string[]): HealthGatedAnnouncer<AnnouncedAttributes> => {
    const built = new HealthGatedAnnouncer<AnnouncedAttributes>(
      options.speaker,
      services.map((service) => ({
        source: monitors.get(service.name) as HealthMonitor,
        prefixes: policies(service),
      })),
      {
        drainSec,
        announced,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.writeUnhandled === undefined ? {} : { writeUnhandled: options.writeUnhandled }),
      },
    );
    built.on("error", (error) => log({ event: "error", atMs: Date.now(), message: error.message }));
    if (options.onState !== undefined) {
      const onState = options.onState;
      // After the announcer's listeners: the routes are updated when this runs.
      for (const service of services) {
        const monitor = monitors.get(service.name) as HealthMonitor;
        for (const state of ["up", "down", "disabled"] as const) {
          monitor.on(state, () => {
            const current = serviceNamed(service.name);
            if (current !== undefined) onState(current, state);
          });
        }
      }
    }
    return built;
  };

  for (const service of services) monitors.set(service.name, createMonitor(service));
  announcer = buildAnnouncer([]);
  for (const monitor of monitors.values()) monitor.start();

  const running: RunningServices = {
    get monitors() {
      return monitors;
    },
    get announcer() {
      return announcer as HealthGatedAnnouncer<AnnouncedAttributes>;
    },
    reload(next) {
      const previous = announcer as HealthGatedAnnouncer<AnnouncedAttributes>;
      const oldServices = services;
      const keep = new Map<string, HealthMonitor>();
      const fresh: HealthMonitor[] = [];
      for (const service of next) {
        const old = oldServices.find((s) => s.name === service.name);
        const monitor = monitors.get(service.name);
        if (old !== undefined && monitor !== undefined && monitorKey(old) === monitorKey(service)) {
          keep.set(service.name, monitor);
        }
      }
      for (const [name, monitor] of monitors) {
        if (keep.get(name) !== monitor) {
          monitor.removeAllListeners();
          void monitor.stop();
        }
      }
      previous.detach();
      for (const monitor of keep.values()) {
        // The old announcer's and --ip-dynamic's listeners go; the log listener stays.
        for (const state of ["up", "down", "disabled"] as const) monitor.removeAllListeners(state);
      }
      monitors.clear();
      services = [...next];
      for (const service of services) {
        const kept = keep.get(service.name);
        if (kept !== undefined) monitors.set(service.name, kept);
        else {
          const monitor = createMonitor(service);
          monitors.set(service.name, monitor);
          fresh.push(monitor);
        }
      }
      const wanted = new Set(services.flatMap((s) => s.prefixes.map((p) => p.prefix)));
      const live = previous.announced;
      for (const prefix of live) {
        if (!wanted.has(prefix)) previous.retire(prefix, "removed from the config");
      }
      const carried = live.filter((prefix) => wanted.has(prefix));
      previous.forget(carried);
      retired.push(previous);
      announcer = buildAnnouncer(carried);
      for (const monitor of fresh) monitor.start();
    },
    async stop(reason) {
      await Promise.allSettled([...monitors.values()].map((monitor) => monitor.stop()));
      const current = announcer as HealthGatedAnnouncer<AnnouncedAttributes>;
      current.detach();
      for (const old of retired) old.withdrawAll(reason);
      await current.drainAll(reason);
    },
  };
  return running;
}

function logGateEvent(
  service: ResolvedService,
  monitor: HealthMonitor,
  event: GateEvent,
  announcedBefore: readonly string[],
  drainSec: number,
  options: StartServicesOptions,
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
        const wasLive = announcedBefore.includes(prefix.prefix);
        const action =
          policy !== "withdraw"
            ? "announce"
            : !wasLive
              ? "none"
              : state === "disabled" && drainSec > 0
                ? "drain"
                : "withdraw";
        const sessions =
          action === "announce" && options.sessions !== undefined
            ? options.sessions(policy === "withdraw" ? undefined : policy.peers)
            : undefined;
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
          ...(sessions === undefined
            ? {}
            : { peersEstablished: sessions.established, peersTotal: sessions.total }),
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
function spawnShell(log: LogSink): RunCommand {
  return (command, env) =>
    new Promise<void>((resolve) => {
      const child = spawn(command, {
        shell: true,
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, ...env },
      });
      child.once("error", (error) => {
        log({
          event: "execute",
          atMs: Date.now(),
          service: env.SERVICE,
          message: `${command}: ${error.message}`,
        });
        resolve();
      });
      child.once("exit", (code, signal) => {
        resolve();
        if (code === 0) return;
        const how = signal === null ? `exit status ${code}` : `killed by ${signal}`;
        log({ event: "execute", atMs: Date.now(), service: env.SERVICE, message: `${command}: ${how}` });
      });
    });
}
