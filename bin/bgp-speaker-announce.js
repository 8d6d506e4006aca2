#!/usr/bin/env node
// Launcher for the announcer command; the code is compiled to dist/ by `npm run build`.
import { main } from "../dist/cli/announce.js";

await main(process.argv.slice(2));
