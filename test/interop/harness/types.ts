/** The four daemons the interop tests peer with. */
export type DaemonKind = "bird" | "frr" | "gobgp" | "exabgp";

export type IpFamily = "ipv4" | "ipv6";

/** Our side, as the daemon sees it: one neighbor per daemon keeps every config and query simple. */
export interface NeighborConfig {
  /** Our address (a 127.x loopback address distinct from the daemon's). */
  readonly address: string;
  readonly asn: number;
  /** The port we listen on; the daemon connects there unless `passive`. */
  readonly port: number;
  /** The daemon only waits for our connection. */
  readonly passive?: boolean;
  /** TCP-MD5 password the daemon uses for this neighbor (RFC 2385). */
  readonly password?: string;
}

/** A route the daemon originates towards us. */
export interface OriginatedRoute {
  readonly prefix: string;
  readonly med?: number;
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
}

export interface DaemonConfig {
  readonly asn: number;
  readonly routerId: string;
  /** The daemon's own loopback address and listening port. */
  readonly address: string;
  readonly port: number;
  readonly neighbor: NeighborConfig;
  /** Hold time the daemon proposes (default 9 s). */
  readonly holdTimeSec?: number;
  /**
   * Next hops the daemon puts on routes it sends us. FRR and GoBGP refuse 127/8 next hops on what they
   * receive, so everything in these tests uses documentation addresses instead.
   */
  readonly nextHop?: { readonly ipv4: string; readonly ipv6: string };
  /** Routes the daemon originates from its first start. */
  readonly routes?: readonly OriginatedRoute[];
}

/** A route as the daemon's own CLI shows it, normalised across daemons. */
export interface DaemonRoute {
  readonly prefix: string;
  readonly family: IpFamily;
  readonly nextHop: string;
  readonly med?: number;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  /** AS_PATH flattened to its AS numbers, in order. */
  readonly asPath: readonly number[];
}

export interface NeighborStatus {
  readonly established: boolean;
  /** The daemon's own word for the state ("Established", "Active", "6", "up"). */
  readonly state: string;
  /** What the daemon says about the last error or NOTIFICATION, verbatim, if anything. */
  readonly lastError: string;
}

export interface InteropDaemon {
  readonly kind: DaemonKind;
  readonly config: DaemonConfig;
  /** Fresh temp directory holding config, sockets and logs. */
  readonly dir: string;
  /** PID of the running daemon, undefined when stopped. */
  readonly pid: number | undefined;
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after a bound. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and delete the temp dir; safe to call twice and before start. */
  cleanup(): Promise<void>;
  neighborStatus(): Promise<NeighborStatus>;
  /**
   * Every NOTIFICATION the daemon says it received from us, oldest first, in the daemon's own words
   * (log lines or events). Unlike `lastError`, later reconnect attempts do not overwrite these.
   */
  receivedNotifications(): Promise<string[]>;
  /** Routes the daemon holds from our neighbor, in one family. */
  routes(family: IpFamily): Promise<DaemonRoute[]>;
  /** Replace the set of routes the daemon originates (kept across restarts). */
  originate(routes: readonly OriginatedRoute[]): Promise<void>;
  /** The daemon's own log text so far (all runs). */
  log(): Promise<string>;
}
