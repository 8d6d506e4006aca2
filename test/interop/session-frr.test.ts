import { ceaseLogged } from "./harness/cease.js";
import { sessionSuite } from "./harness/session-suite.js";

sessionSuite({
  kind: "frr",
  net: 12,
  shutdownMessage: (label) => label,
  // FRR logs `%NOTIFICATION: received from neighbor X 6/2 (Cease/Administrative Shutdown) "<message>"`.
  expectCease: (d, message) =>
    ceaseLogged(d, (line) => line.includes(`6/2 (Cease/Administrative Shutdown) "${message}"`)),
});
