import { routesSuite } from "./harness/routes-suite.js";

routesSuite({ kind: "gobgp", net: 23 });
