/**
 * `bgp-speaker-announce`: a BgpSpeaker whose routes follow health checks, configured by flags and/or
 * a JSON file. `main()` is what bin/bgp-speaker-announce.js and examples/announcer.ts call;
 * `startAnnouncer()` runs a resolved config in-process (tests, embedding).
 */
import { checkPeerOptions, checkSpeakerOptions } from "../speaker/options.js";
import { BgpSpeaker, type PeerOptions, type SpeakerOptions } from "../speaker/speaker.js";
import { parseArgs } from "./args.js";
import { loadConfigFile, type ResolvedConfig, resolveConfig } from "./config.js";
import { type LogSink, lineSink } from "./log.js";
import { type RunningServices, startServices } from "./run.js";
import { type AnnouncerSettings, SettingsError } from "./settings.js";
import { USAGE } from "./usage.js";

export interface RunningAnnouncer {
  readonly speaker: BgpSpeaker;
  readonly services: RunningServices;
  /** Stop checks, withdraw every route, close the speaker (Cease) within the shutdown timeout. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

/** Starts the speaker, its peers and the health-gated services of a resolved config. */
export async function startAnnouncer(config: ResolvedConfig, log: LogSink): Promise<RunningAnnouncer> {
  const speaker = new BgpSpeaker(speakerOptionsOf(config));
  for (const peer of config.peers) speaker.addPeer(peerOptionsOf(peer));
  speaker.on("established", (e) => log({ event: "peer-up", atMs: Date.now(), peer: e.peer }));
  speaker.on("down", (e) =>
    log({ event: "peer-down", atMs: Date.now(), peer: e.peer, reason: e.reason.message }),
  );
  speaker.on("route-skipped", (e) =>
    log({ event: "error", atMs: Date.now(), message: `${e.prefix} not sent to ${e.peer}: ${e.reason}` }),
  );
  try {
    await speaker.start();
  } catch (error) {
    await speaker.close().catch(() => undefined); // peers may have started their timers: stop them
    throw error;
  }
  const services = startServices({ speaker, services: config.services, log });
  const prefixes = config.services.flatMap((service) => service.prefixes.map((p) => p.prefix));
  log({
    event: "start",
    atMs: Date.now(),
    message:
      `AS ${config.speaker.asn} router-id ${config.speaker.routerId}: ${prefixes.join(" ")} to ` +
      config.peers
        .map((p) => `${p.address.includes(":") ? `[${p.address}]` : p.address}:${p.port}`)
        .join(" "),
  });

  let done: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    done ??= (async () => {
      log({ event: "shutdown", atMs: Date.now(), message: `${reason}: withdrawing, closing sessions` });
      await services.stop(reason);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeoutMs = config.shutdownTimeoutSec * 1000;
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
  return { speaker, services, shutdown };
}

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

function peerOptionsOf(peer: ResolvedConfig["peers"][number]): PeerOptions {
  return {
    address: peer.address,
    asn: peer.asn,
    port: peer.port,
    ...(peer.localAddress === undefined ? {} : { localAddress: peer.localAddress }),
    ...(peer.holdTime === undefined ? {} : { holdTime: peer.holdTime }),
    ...(peer.passive === undefined ? {} : { passive: peer.passive }),
    ...(peer.name === undefined ? {} : { name: peer.name }),
    ...peer.transport,
  };
}

/** The speaker's own option checks, run at startup so bad settings exit 2 before anything starts. */
function checkSpeakerSettings(config: ResolvedConfig): void {
  try {
    checkSpeakerOptions(speakerOptionsOf(config));
    for (const peer of config.peers) checkPeerOptions(peerOptionsOf(peer));
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new SettingsError(error.message);
    throw error;
  }
}

export interface MainIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const defaultIo: MainIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Parses argv and the config file; an exit status instead when it cannot run (2) or only prints help (0). */
export async function prepare(
  argv: readonly string[],
  io: MainIo = defaultIo,
): Promise<ResolvedConfig | number> {
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.stdout(USAGE);
      return 0;
    }
    const file: AnnouncerSettings = args.config === undefined ? {} : await loadConfigFile(args.config);
    const config = resolveConfig(file, args.settings);
    checkSpeakerSettings(config);
    return config;
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr(`bgp-speaker-announce: ${error.message}\n`);
    return 2;
  }
}

/**
 * The command: runs until SIGTERM/SIGINT, then withdraws, says Cease and exits 0 (a second signal
 * exits at once). Exit 2 on bad settings, 1 when the speaker cannot start (e.g. the listen port is taken).
 */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  io: MainIo = defaultIo,
): Promise<void> {
  const config = await prepare(argv, io);
  if (typeof config === "number") {
    process.exitCode = config;
    return;
  }
  const log = lineSink(io.stdout, config.json);
  let running: RunningAnnouncer;
  try {
    running = await startAnnouncer(config, log);
  } catch (error) {
    io.stderr(
      `bgp-speaker-announce: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
    return;
  }
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    signalled = true;
    void running.shutdown(signal).finally(() => process.exit(0));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
