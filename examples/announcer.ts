/**
 * The announcer command straight from the sources, no build needed:
 *
 *   npx tsx examples/announcer.ts --local-as 65001 --router-id 198.51.100.2 \
 *     --peer 198.51.100.1 --peer-as 65000 --ip 203.0.113.1 --http http://127.0.0.1:8080/health \
 *     --interval 1 --rise 2 --fall 2   # DOWN withdraws
 *
 * Same flags and config file as `npx bgp-speaker-announce` (see docs/announcer.md, or --help).
 */
import { main } from "../src/cli/announce.js";

await main(process.argv.slice(2));
