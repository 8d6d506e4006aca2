import { routesSuite } from "./harness/routes-suite.js";

routesSuite({ kind: "exabgp", net: 24 });
