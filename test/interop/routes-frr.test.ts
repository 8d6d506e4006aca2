import { routesSuite } from "./harness/routes-suite.js";

// FRR announces our own routes back to us (AS_PATH 65000 65001 …); the speaker keeps them.
routesSuite({ kind: "frr", net: 22, echoesOurRoutes: true });
