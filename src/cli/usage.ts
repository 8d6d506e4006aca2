export const USAGE = `Usage: bgp-speaker-announce [options]

Announce prefixes over BGP while a health check passes (ExaBGP healthcheck's model).
Times are in seconds, fractions allowed. Full reference: docs/announcer.md.

Health check (at least one; several must all pass):
  --command CMD            run CMD through the shell; exit status 0 = healthy
  --http URL               GET URL; status 200-399 = healthy
  --tcp HOST:PORT          a TCP connect succeeds = healthy ([V6]:PORT for IPv6)
  --socket [HOST:]PORT     a local listener exists on PORT (read from /proc/net/tcp)
  --interval S             seconds between checks when stable (default 5)
  --fast-interval S        seconds between checks while rising/falling (default 1,
                           or --interval if that is shorter)
  --timeout S              seconds before one check counts as failed (default 5)
  --rise N                 consecutive passes to go UP (default 3)
  --fall N                 consecutive failures to go DOWN (default 3)
  --disable FILE           while FILE exists the state is DISABLED (maintenance)
  --hold-down S            an UP is published only after the previous state lasted S
  --dampening              RFC 2439 flap dampening with defaults (penalty 1000, half-life 900,
                           suppress 2000, reuse 750, max-suppress 3600); tune with
  --dampening-penalty N --dampening-half-life S --dampening-suppress N
  --dampening-reuse N --dampening-max-suppress S

Routes:
  --ip PREFIX              prefix to announce (repeatable); a bare address means /32 or /128
  --next-hop ADDR          next hop (default: our address on each session); give it
                           twice, IPv4 and IPv6, for prefixes of both families
  --up-med N               MED while UP (default 100)
  --down-med N             MED while DOWN (default 1000)
  --disabled-med N         MED while DISABLED (default 500)
  --withdraw-on-down       withdraw while DOWN or DISABLED instead of announcing with a
                           worse MED (ExaBGP semantics; off by default, as in ExaBGP)
  --community ASN:N        RFC 1997 community (repeatable)
  --large-community A:B:C  RFC 8092 large community (repeatable)
  --as-path N              prepend our AS N extra times (0-32)
  --local-pref N           LOCAL_PREF (iBGP peers only)
  --execute CMD            run CMD on every state change ($STATE, $FROM_STATE, $PREFIXES, $REASON)
  --up-execute CMD         run CMD on a change to UP
  --down-execute CMD       run CMD on a change to DOWN
  --disabled-execute CMD   run CMD on a change to DISABLED

BGP:
  --peer ADDR[:PORT]       neighbor (repeatable; [V6]:PORT; default port 179)
  --peer-as ASN            the neighbors' AS
  --local-as ASN           our AS
  --router-id A.B.C.D      our BGP identifier (default: --local-address if IPv4)
  --local-address ADDR     source address of our sessions
  --hold-time S            hold time we offer (default 90)
  --connect-retry S        seconds between connection attempts (default 30)
  --listen [HOST:]PORT     also accept sessions on HOST:PORT (default: connect out only)
  --md5-password KEY       TCP-MD5 password (RFC 2385) for every peer (Linux, needs koffi)
  --md5-password-file F    read it from file F, or env:NAME from an environment variable
                           (keeps it out of ps)
  --ttl-security           GTSM (RFC 5082): send TTL 255, accept only 255 (1 hop)
  --multihop N             send with TTL N (eBGP several hops away)
  --outgoing-ttl N         ExaBGP's name: the TTL we send with (= --multihop N)
  --incoming-ttl N         ExaBGP's name: lowest TTL accepted (GTSM over 256-N hops)

Other:
  --config FILE.json       settings from a file; flags given here win (docs/announcer.md)
  --json                   log JSON lines instead of text
  --shutdown-timeout S     on SIGTERM/SIGINT, longest wait for a clean close (default 5)
  --no-FLAG                turn off a boolean the config file turned on (e.g. --no-withdraw-on-down)
  -h, --help               this text

On SIGTERM or SIGINT: stop checking, withdraw every route, send Cease, exit 0.
Exit status 2: bad arguments or config; 1: could not start.
`;
