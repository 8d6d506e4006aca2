import { routesSuite } from "./harness/routes-suite.js";

routesSuite({ kind: "bird", net: 21 });
