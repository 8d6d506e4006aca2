/**
 * `bgp-speaker-announce`: a BgpSpeaker whose routes follow health checks, configured by flags and/or
 * a config file. `main()` is what bin/bgp-speaker-announce.js and examples/announcer.ts call;
 * `startAnnouncer()` runs a resolved config in-process (tests, embedding).
 * @module
 */
import { readFile, unlink, writeFile } from "node:fs/promises";
import createDebug from "debug";
import { secondsToMs } from "../clock.js";
import type { DownReason } from "../fsm/types.js";
import type { StatusServer } from "../metrics/server.js";
import { checkPeerOptions, checkSpeakerOptions } from "../speaker/options.js";
import { BgpSpeaker } from "../speaker/speaker.js";
import type { PeerOptions, SpeakerOptions } from "../speaker/types.js";
import { packageVersion } from "../version.js";
import { exabgpConfigToArgv, parseArgs } from "./args.js";
import { loadConfigFile, type ResolvedConfig, type ResolvedPeer, resolveConfig } from "./config.js";
import { type LogSink, lineSink } from "./log.js";
import { type IpTool, loopbackAddresses, makeIpTool } from "./loopback.js";
import { type RunningServices, startServices } from "./run.js";
import { describeDown } from "./session-log.js";
import { type AnnouncerSettings, checkSettings, SettingsError } from "./settings.js";
import { startStatusPage } from "./status.js";
import { USAGE } from "./usage.js";

export interface RunningAnnouncer {
  readonly speaker: BgpSpeaker;
  readonly services: RunningServices;
  /** The config now in force (changes with reload). */
  readonly config: ResolvedConfig;
  /**
   * Applies a new config without flapping: removed prefixes are withdrawn (drained first with
   * --drain-time), new ones announced, changed attributes re-announced, unchanged routes and
   * sessions untouched; removed peers get a Cease, added ones start. Throws SettingsError (and
   * changes nothing) when the new config changes what needs a restart.
   */
  reload(next: ResolvedConfig): Promise<void>;
  /** Stop checks, drain and withdraw every route, close the speaker (Cease) within the shutdown timeout. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

const peerName = (peer: ResolvedPeer): string => peer.name ?? peer.address;

function speakerOptionsOf(config: ResolvedConfig): SpeakerOptions {
  const { speaker: s } = config;
  return {
    asn: s.asn,
    routerId: s.routerId,
    listen:
      s.listen === undefined
        ? false
        : { port: s.listen.port, ...(s.listen.host ? { host: s.listen.host } : {}) },
    ...(s.holdTime === undefined ? {} : { holdTime: s.holdTime }),
    ...(s.connectRetry === undefined ? {} : { connectRetry: s.connectRetry }),
  };
}

function peerOptionsOf(peer: ResolvedPeer): PeerOptions {
  return {
    address: peer.address,
    asn: peer.asn,
    port: peer.port,
    ...(peer.localAddress === undefined ? {} : { localAddress: peer.localAddress }),
    ...(peer.holdTime === undefined ? {} : { holdTime: peer.holdTime }),
    ...(peer.passive === undefined ? {} : { passive: peer.passive }),
    ...(peer.name === undefined ? {} : { name: peer.name }),
    ...peer.transport,
    ...(peer.bfd === undefined ? {} : { bfd: peer.bfd }),
  };
}

function addPeer(speaker: BgpSpeaker, peer: ResolvedPeer): void {
  speaker.addPeer(peerOptionsOf(peer));
}

/** The speaker's own option checks, run at start so that nothing fails later: exit 2, not 1. */
function checkSpeakerSettings(config: ResolvedConfig): void {
  try {
    checkSpeakerOptions(speakerOptionsOf(config));
    for (const peer of config.peers) checkPeerOptions(peerOptionsOf(peer));
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new SettingsError(error.message);
    throw error;
  }
}

/** Why the speaker cannot start, in words: permission denied reads differently from address in use. */
export function describeStartError(error: unknown, config: ResolvedConfig): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? (error as NodeJS.ErrnoException)?.code;
  const listen = config.speaker.listen;
  const where = listen === undefined ? "" : `${listen.host ?? "*"}:${listen.port}`;
  switch (code) {
    case "EACCES":
      return `cannot listen on ${where}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE, e.g. systemd AmbientCapabilities=CAP_NET_BIND_SERVICE; or use --listen with a higher port)`;
    case "EADDRINUSE":
      return `cannot listen on ${where}: address already in use (is another BGP daemon such as bird, frr or exabgp listening there?)`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: the address is not on this host`;
    default:
      return cause instanceof Error ? `${message}: ${cause.message}` : message;
  }
}

/** Starts the speaker, its peers and the health-gated services of a resolved config. */
export async function startAnnouncer(
  initial: ResolvedConfig,
  log: LogSink,
  options: { writeUnhandled?: (text: string) => void; ipTool?: IpTool } = {},
): Promise<RunningAnnouncer> {
  let config = initial;
  const { speaker: s } = config;
  const speaker = new BgpSpeaker(speakerOptionsOf(config));
  for (const peer of config.peers) addPeer(speaker, peer);
  const peerOf = (name: string): ResolvedPeer | undefined =>
    config.peers.find((peer) => peerName(peer) === name || peer.address === name);
  /** The last down reason per peer: a session retrying every --connect-retry logs it once. */
  const lastDown = new Map<string, string>();
  speaker.on("established", (e) => {
    lastDown.delete(e.peer);
    const peer = peerOf(e.peer);
    log({
      event: "peer-up",
      atMs: Date.now(),
      peer: e.peer,
      ...(peer === undefined ? {} : { peerAs: peer.asn }),
      families: e.negotiated.families,
      holdTime: e.negotiated.holdTime,
    });
  });
  const peerDown = (e: { peer: string; reason: DownReason }) => {
    const peer = peerOf(e.peer);
    const reason =
      peer === undefined
        ? e.reason.message
        : describeDown(e.reason, {
            peerAddress: peer.address,
            peerPort: peer.port,
            peerAs: peer.asn,
            localAs: config.speaker.asn,
            ...(peer.localAddress === undefined ? {} : { localAddress: peer.localAddress }),
          });
    if (lastDown.get(e.peer) === reason) {
      log({ event: "debug", atMs: Date.now(), message: `peer ${e.peer} still down: ${reason}` });
      return;
    }
    lastDown.set(e.peer, reason);
    log({
      event: "peer-down",
      atMs: Date.now(),
      peer: e.peer,
      ...(peer === undefined ? {} : { peerAs: peer.asn }),
      reason,
    });
  };
  speaker.on("down", peerDown);
  // RFC 4271 §8.2.2: a connection closed in OpenSent goes back to Active without a "down" (the
  // session never came up), yet it is what a router that has no neighbor for us does: say so.
  speaker.on("state", (e) => {
    if (e.from === "OpenSent" && e.to === "Active") {
      peerDown({
        peer: e.peer,
        reason: { kind: "tcp-closed", message: "connection closed", fromState: "OpenSent" },
      });
    }
  });
  speaker.on("route-skipped", (e) =>
    log({ event: "error", atMs: Date.now(), message: `${e.prefix} not sent to ${e.peer}: ${e.reason}` }),
  );
  try {
    await speaker.start();
  } catch (error) {
    await speaker.close().catch(() => undefined); // peers may have started their timers: stop them
    throw new Error(describeStartError(error, config), { cause: error });
  }

  const ipTool = options.ipTool ?? makeIpTool(config.ip);
  const sessions = (peers: readonly string[] | undefined) => {
    const status = speaker.peerStatus();
    const targets =
      peers === undefined
        ? status
        : status.filter((p) => peers.some((name) => name === p.name || name === p.address));
    return { established: targets.filter((p) => p.state === "Established").length, total: targets.length };
  };
  const services = startServices({
    speaker,
    services: config.services,
    log,
    drainSec: config.drainSec,
    sessions,
    ...(options.writeUnhandled === undefined ? {} : { writeUnhandled: options.writeUnhandled }),
    ...(config.ip.dynamic
      ? {
          onState: (service, state) => {
            const prefixes = service.prefixes.map((p) => p.prefix);
            const job = state === "up" ? ipTool.add(prefixes) : ipTool.remove(prefixes);
            job.catch((error: unknown) =>
              log({ event: "error", atMs: Date.now(), service: service.name, message: String(error) }),
            );
          },
        }
      : {}),
  });
  const prefixes = config.services.flatMap((service) => service.prefixes.map((p) => p.prefix));
  log({
    event: "start",
    atMs: Date.now(),
    message:
      `AS ${s.asn} router-id ${s.routerId}: ${prefixes.join(" ")} to ` +
      config.peers
        .map((p) => `${p.address.includes(":") ? `[${p.address}]` : p.address}:${p.port} (AS${p.asn})`)
        .join(" "),
  });

  let done: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    done ??= (async () => {
      const drain = config.drainSec > 0 ? `draining ${config.drainSec} s (GRACEFUL_SHUTDOWN), then ` : "";
      log({
        event: "shutdown",
        atMs: Date.now(),
        message: `${reason}: ${drain}withdrawing, closing sessions`,
      });
      await services.stop(reason);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeoutMs = secondsToMs(config.shutdownTimeoutSec);
      const outcome = await Promise.race([
        speaker.close({ shutdownMessage: `bgp-speaker-announce: ${reason}` }).then(
          () => undefined,
          (error: unknown) => `close failed: ${String(error)}`,
        ),
        new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve(`close timed out after ${timeoutMs} ms`), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (outcome !== undefined) log({ event: "error", atMs: Date.now(), message: outcome });
    })();
    return done;
  };

  const reload = async (next: ResolvedConfig): Promise<void> => {
    const restartOnly = (["asn", "routerId", "listen", "holdTime", "connectRetry"] as const).filter(
      (key) => JSON.stringify(next.speaker[key]) !== JSON.stringify(config.speaker[key]),
    );
    if (restartOnly.length > 0) {
      throw new SettingsError(
        `${restartOnly.map((key) => `speaker ${key}`).join(", ")} cannot change without a restart`,
      );
    }
    if (next.drainSec !== config.drainSec) {
      throw new SettingsError("--drain-time cannot change without a restart");
    }
    const before = new Map(config.peers.map((peer) => [peerName(peer), JSON.stringify(peer)]));
    const after = new Map(next.peers.map((peer) => [peerName(peer), JSON.stringify(peer)]));
    const removed = config.peers.filter((peer) => after.get(peerName(peer)) !== JSON.stringify(peer));
    const added = next.peers.filter((peer) => before.get(peerName(peer)) !== JSON.stringify(peer));
    const previous = config;
    config = next;
    // Routes first, so that a peer added below gets the new set in its first UPDATEs.
    services.reload(next.services);
    await Promise.all(removed.map((peer) => speaker.removePeer(peerName(peer))));
    for (const peer of added) addPeer(speaker, peer);
    const was = new Set(previous.services.flatMap((svc) => svc.prefixes.map((p) => p.prefix)));
    const now = new Set(next.services.flatMap((svc) => svc.prefixes.map((p) => p.prefix)));
    const parts = [
      `prefixes +${[...now].filter((p) => !was.has(p)).length} -${[...was].filter((p) => !now.has(p)).length}`,
      `peers +${added.length} -${removed.length}`,
    ];
    log({ event: "reload", atMs: Date.now(), message: `config reloaded: ${parts.join(", ")}` });
  };

  return {
    speaker,
    services,
    get config() {
      return config;
    },
    reload,
    shutdown,
  };
}

export interface MainIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Writes that never throw: a closed pipe (`… | head`) must not crash the shutdown. */
function safeWrite(stream: NodeJS.WriteStream): (text: string) => void {
  let broken = false;
  stream.on("error", () => {
    broken = true; // EPIPE and friends: stop writing, keep running
  });
  return (text) => {
    if (broken) return;
    try {
      stream.write(text);
    } catch {
      broken = true;
    }
  };
}

let defaultIoCache: MainIo | undefined;
const defaultIo = (): MainIo => {
  defaultIoCache ??= { stdout: safeWrite(process.stdout), stderr: safeWrite(process.stderr) };
  return defaultIoCache;
};

/** A config file: JSON (ours), or ExaBGP healthcheck's `key = value` lines. */
async function loadAnyConfigFile(path: string): Promise<AnnouncerSettings> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SettingsError(`cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (text.trimStart().startsWith("{")) return loadConfigFile(path);
  const args = parseArgs(exabgpConfigToArgv(text));
  if (args.config !== undefined) throw new SettingsError(`${path}: "config" cannot nest`);
  return checkSettings(path, args.settings);
}

/** Reads argv and the config file into what runs; SettingsError on anything wrong. */
export async function loadConfig(argv: readonly string[]): Promise<ResolvedConfig> {
  const args = parseArgs(argv);
  const file: AnnouncerSettings = args.config === undefined ? {} : await loadAnyConfigFile(args.config);
  let flags = args.settings;
  const hasPrefix = (flags.ip ?? file.ip ?? []).length > 0 || (file.services ?? []).length > 0;
  if (!hasPrefix) {
    // ExaBGP: without --ip, the addresses on lo (those labelled --label when given) are announced.
    const found = await loopbackAddresses(flags.label ?? file.label).catch(() => []);
    if (found.length === 0) {
      throw new SettingsError(
        "no prefix to announce: give --ip (or services[].ip); no address was found on lo either",
      );
    }
    flags = { ...flags, ip: found };
  }
  const config = resolveConfig(file, flags);
  checkSpeakerSettings(config);
  return config;
}

/** Parses argv and the config file; an exit status instead when it cannot run (2) or only prints help/version (0). */
export async function prepare(
  argv: readonly string[],
  io: MainIo = defaultIo(),
): Promise<ResolvedConfig | number> {
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (args.version) {
      io.stdout(`bgp-speaker-announce ${packageVersion()}\n`);
      return 0;
    }
    return await loadConfig(argv);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr(`bgp-speaker-announce: ${error.message}\n`);
    return 2;
  }
}

/** ExaBGP's order: group first (while still allowed), then user; supplementary groups dropped. */
function dropPrivileges(user: string | undefined, group: string | undefined): void {
  if (user === undefined && group === undefined) return;
  if (process.setuid === undefined || process.setgid === undefined) {
    throw new Error("--user/--group need a POSIX platform");
  }
  if (process.getuid?.() === 0) process.setgroups?.([]);
  if (group !== undefined) process.setgid(group);
  if (user !== undefined) process.setuid(user);
}

/**
 * The command: runs until SIGTERM/SIGINT, then drains (with --drain-time), withdraws, says Cease
 * and exits 0 (a second signal exits at once). SIGHUP rereads the config file. Exit 2 on bad
 * settings, 1 when the speaker cannot start (e.g. the listen port is taken) or fails at run time.
 */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  io: MainIo = defaultIo(),
): Promise<void> {
  const config = await prepare(argv, io);
  if (typeof config === "number") {
    process.exitCode = config;
    return;
  }
  if (config.logLevel === "debug") createDebug.enable(process.env.DEBUG ?? "bgp:*");
  const log = lineSink(io.stdout, config.json, { writeError: io.stderr, level: config.logLevel });
  const fail = (message: string, status: number): void => {
    io.stderr(`bgp-speaker-announce: ${message}\n`);
    process.exitCode = status;
  };
  const ipTool = makeIpTool(config.ip);
  const allPrefixes = (c: ResolvedConfig) => c.services.flatMap((svc) => svc.prefixes.map((p) => p.prefix));
  if (config.pidFile !== undefined) {
    try {
      await writeFile(config.pidFile, `${process.pid}\n`);
    } catch (error) {
      fail(`cannot write --pid ${config.pidFile}: ${(error as Error).message}`, 1);
      return;
    }
  }
  const cleanup = async () => {
    if (config.ip.setup || config.ip.dynamic)
      await ipTool.remove(allPrefixes(running?.config ?? config)).catch(() => undefined);
    if (config.pidFile !== undefined) await unlink(config.pidFile).catch(() => undefined);
  };
  let running: RunningAnnouncer | undefined;
  try {
    if (config.ip.setup || config.ip.dynamic) await ipTool.add(allPrefixes(config));
    running = await startAnnouncer(config, log, { writeUnhandled: io.stderr, ipTool });
  } catch (error) {
    fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`, 1);
    await cleanup();
    return;
  }
  const announcer = running;
  let signalled = false;
  // Bound before privileges are dropped, like the BGP listener.
  let statusPage: StatusServer | undefined;
  if (config.statusListen !== undefined) {
    try {
      statusPage = await startStatusPage(config.statusListen, {
        speaker: announcer.speaker,
        monitors: () => [...announcer.services.monitors.values()],
        announced: () => announcer.services.announcer.announced,
        shuttingDown: () => signalled,
      });
      const host = statusPage.host.includes(":") ? `[${statusPage.host}]` : statusPage.host;
      log({
        event: "start",
        atMs: Date.now(),
        message: `status pages on http://${host}:${statusPage.port}/ (/metrics /status /healthz)`,
      });
    } catch (error) {
      await announcer.shutdown("cannot serve --status-listen");
      await cleanup();
      fail(`cannot start: --status-listen: ${error instanceof Error ? error.message : String(error)}`, 1);
      return;
    }
  }
  try {
    dropPrivileges(config.user, config.group);
  } catch (error) {
    const unknown = (error as NodeJS.ErrnoException).code === "ERR_UNKNOWN_CREDENTIAL";
    await statusPage?.close();
    await announcer.shutdown("cannot drop privileges");
    await cleanup();
    fail(
      `cannot drop privileges to ${config.user ?? ""}${config.group === undefined ? "" : `:${config.group}`}: ${(error as Error).message}`,
      unknown ? 2 : 1,
    );
    return;
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    signalled = true; // /healthz answers 503 from now on
    void announcer
      .shutdown(signal)
      .then(() => statusPage?.close())
      .then(cleanup)
      .finally(() => process.exit(0));
  };
  let reloading = Promise.resolve();
  const onHangup = () => {
    reloading = reloading.then(async () => {
      if (signalled) return;
      try {
        const next = await loadConfig(argv);
        const before = new Set(allPrefixes(announcer.config));
        await announcer.reload(next);
        if (config.ip.setup || config.ip.dynamic) {
          // New prefixes go on lo as at start; removed ones come off (failures are logged, not fatal).
          const after = allPrefixes(next);
          await ipTool
            .add(after.filter((prefix) => !before.has(prefix)))
            .then(() => ipTool.remove([...before].filter((prefix) => !after.includes(prefix))))
            .catch((error: unknown) =>
              log({ event: "error", atMs: Date.now(), message: `SIGHUP: ${String(error)}` }),
            );
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log({
          event: "error",
          atMs: Date.now(),
          message: `SIGHUP: new config refused, the running one stays: ${message}`,
        });
      }
    });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  process.on("SIGHUP", onHangup);
}
