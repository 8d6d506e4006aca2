import { routesSuite } from "./harness/routes-suite.js";

// FRR sends our own routes back to us (AS path 65000 65001); the speaker refuses them as AS loops.
routesSuite({ kind: "frr", net: 22 });
