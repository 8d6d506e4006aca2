import { DAMPENING_DEFAULTS } from "../health/dampening.js";
import { SESSION_DEFAULTS } from "../session/types.js";
import { BFD_DEFAULTS } from "../speaker/bfd.js";
import { DEFAULTS } from "./config.js";

/** --help. Every default it names is read from the constant the command runs on, never retyped. */
export const USAGE = `Usage: bgp-speaker-announce [options]

Announce prefixes over BGP while a health check passes: ExaBGP healthcheck's model and flags,
with the BGP speaker built in. Times are in seconds, fractions allowed. ExaBGP's names are
accepted beside ours (shown as /--theirs). Full reference: docs/announcer.md.

Health check (at least one; several must all pass unless --checks-required):
  --command, --cmd, -c CMD run CMD through the shell; exit status 0 = healthy
  --http URL               GET URL; status 200-399 = healthy
  --tcp HOST:PORT          a TCP connect succeeds = healthy ([V6]:PORT for IPv6)
  --socket [HOST:]PORT     a local listener exists on PORT (read from /proc/net/tcp)
  --checks-required N      a round passes when N of the checks pass (default: all)
  --interval, -i S         seconds between checks when stable (default ${DEFAULTS.intervalSec}); 0: check until a
                           state is reached, announce it, check no more (ExaBGP's meaning)
  --fast-interval, -f S    seconds between checks while rising/falling (default ${DEFAULTS.fastIntervalSec},
                           or --interval if that is shorter)
  --timeout, -t S          seconds before one check counts as failed (default ${DEFAULTS.timeoutSec})
  --stale-after S          no check result for S seconds counts as DOWN, "check hung"
                           (default 3 x (interval + timeout))
  --rise N                 consecutive passes to go UP (default ${DEFAULTS.rise})
  --fall N                 consecutive failures to go DOWN (default ${DEFAULTS.fall})
  --disable FILE           while FILE exists the state is DISABLED (maintenance)
  --hold-down S            an UP is published only after the previous state lasted S
  --dampening              RFC 2439 flap dampening with defaults (penalty ${DAMPENING_DEFAULTS.penalty}, half-life ${DAMPENING_DEFAULTS.halfLifeSec},
                           suppress ${DAMPENING_DEFAULTS.suppressThreshold}, reuse ${DAMPENING_DEFAULTS.reuseThreshold}, max-suppress ${DAMPENING_DEFAULTS.maxSuppressSec}); tune with
  --dampening-penalty N --dampening-half-life S --dampening-suppress N
  --dampening-reuse N --dampening-max-suppress S

Routes (DOWN and DISABLED withdraw unless a MED is given for them):
  --ip PREFIX              prefix to announce (repeatable); a bare address means /32 or /128;
                           without --ip, the addresses on lo are announced (ExaBGP)
  --next-hop, -N ADDR      next hop (default: our address on each session); give it twice,
                           IPv4 and IPv6, for prefixes of both families
  --up-med/--up-metric N   MED while UP (default ${DEFAULTS.upMed})
  --down-med/--down-metric N
                           keep announcing while DOWN, with this MED (default: withdraw)
  --disabled-med/--disabled-metric N
                           keep announcing while DISABLED, with this MED (default: withdraw)
  --increase N             each further prefix gets its MEDs raised by N (default 0)
  --start-ip N             rotate the prefix list so that the Nth comes first
  --withdraw-on-down       withdraw while DOWN or DISABLED even with the MEDs above (wins)
  --drain-time S           before withdrawing on DISABLED, shutdown or removal by SIGHUP,
                           announce with GRACEFUL_SHUTDOWN (RFC 8326) for S seconds
  --community C            RFC 1997 community (repeatable; "65000:1 65000:2" as ExaBGP)
  --disabled-community C   communities used instead while DOWN or DISABLED
  --large-community A:B:C  RFC 8092 large community (repeatable, space-separated too)
  --extended-community X   RFC 4360: target:ASN:N, origin:ASN:N, target:IP:N or 16 hex digits
  --as-path N|"AS AS"      prepend our AS N extra times (0-32), or ExaBGP's path of our own AS
  --up-as-path, --down-as-path, --disabled-as-path
                           the same per state
  --local-pref/--local-preference N
                           LOCAL_PREF (iBGP peers only)
  --neighbor ADDR          announce only to this --peer (repeatable; default: all)
  --deaggregate-networks   announce every address of each --ip network as a host route
  --execute CMD            run CMD on every state change ($STATE, $FROM_STATE, $SERVICE,
                           $PREFIXES, $REASON); repeatable, run in order
  --up-execute CMD         run CMD on a change to UP (repeatable; before --execute)
  --down-execute CMD       run CMD on a change to DOWN
  --disabled-execute CMD   run CMD on a change to DISABLED

Loopback addresses (iproute2; needs root or CAP_NET_ADMIN):
  --ip-setup               add the prefixes to lo at start, remove them at exit
  --ip-dynamic, --dynamic-ip-setup
                           also remove them while DOWN or DISABLED, add them back on UP
  --label L                lo:L label for added addresses; without --ip, announce only lo
                           addresses labelled lo:L...
  --sudo                   run ip through sudo -n

BGP:
  --peer ADDR[:PORT]       neighbor (repeatable; [V6]:PORT; default port ${DEFAULTS.bgpPort})
  --peer-as ASN            the neighbors' AS
  --local-as ASN           our AS (1-4294967295)
  --router-id A.B.C.D      our BGP identifier, not 0.0.0.0 (default: --local-address if IPv4)
  --local-address ADDR     source address of our sessions
  --hold-time S            hold time we offer: 0 or 3-65535 (default ${SESSION_DEFAULTS.holdTime})
  --connect-retry S        seconds between connection attempts (default ${SESSION_DEFAULTS.connectRetry})
  --listen [HOST:]PORT     also accept sessions on HOST:PORT (default: connect out only)
  --md5-password KEY       TCP-MD5 password (RFC 2385) for every peer (Linux, needs koffi)
  --md5-password-file F    read it from file F, or env:NAME from an environment variable
                           (keeps it out of ps)
  --ttl-security           GTSM (RFC 5082): send TTL 255, accept only 255 (1 hop)
  --multihop N             send with TTL N (eBGP several hops away)
  --outgoing-ttl N         ExaBGP's name: the TTL we send with (= --multihop N)
  --incoming-ttl N         ExaBGP's name: lowest TTL accepted (GTSM over 256-N hops)
  --bfd                    BFD (RFC 5880/5881) with every peer: routers drop our routes within
                           interval x multiplier when this host dies (default ${BFD_DEFAULTS.interval} s x ${BFD_DEFAULTS.multiplier})
  --bfd-interval S         BFD transmit and receive interval, seconds (0.01-60, default ${BFD_DEFAULTS.interval})
  --bfd-multiplier N       BFD packets missed before the session is down (1-255, default ${BFD_DEFAULTS.multiplier})
  --bfd-key-file F         BFD authentication key from file F: the key alone (Keyed SHA1, key ID 1)
                           or "TYPE KEY-ID KEY" (keyed-sha1, meticulous-keyed-sha1, keyed-md5)

Process:
  --config, -F FILE        settings from a file: JSON (docs/announcer.schema.json) or ExaBGP
                           healthcheck's "key = value" lines; flags given here win
  --name, -n NAME          the service's name in logs (default "default")
  --json                   log JSON lines instead of text
  --status-listen ADDR:PORT
                           serve /metrics (Prometheus), /status (JSON) and /healthz; a bare
                           PORT or :PORT listens on 127.0.0.1
  --debug, -d              also log every check round, and the library's debug output
  --silent, -s             log only errors, failed commands and sessions going down
  --pid, -p FILE           write our PID to FILE
  --user USER, --group GROUP
                           drop privileges after binding and setting up addresses
  --shutdown-timeout S     longest wait for a clean close at exit (default ${DEFAULTS.shutdownTimeoutSec})
  --no-FLAG                turn off a boolean the config file turned on (e.g. --no-withdraw-on-down)
  --version                print the version
  -h, --help               this text
  Accepted from ExaBGP and ignored: --no-ack (-a), --no-syslog, --no-ip-setup.
  Refused: --syslog-facility/-sF (logs go to stdout/stderr), --path-id (one path per prefix).

SIGTERM or SIGINT: stop checking, drain (--drain-time), withdraw every route, send Cease, exit 0.
SIGHUP: reread --config; only what changed is sent; a bad new config is logged and ignored.
Exit status 2: bad arguments or config; 1: could not start or failed while running.
`;
