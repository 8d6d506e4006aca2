/**
 * Writes docs/announcer.schema.json from the announcer's settings tables (`npm run schema`).
 * A test (test/cli/schema.test.ts) fails when the published file and the tables disagree.
 */
import { writeFileSync } from "node:fs";
import { configSchema } from "../src/cli/schema.js";

const path = new URL("../docs/announcer.schema.json", import.meta.url);
writeFileSync(path, `${JSON.stringify(configSchema(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
