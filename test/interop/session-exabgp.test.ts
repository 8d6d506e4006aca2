import { ceaseLogged } from "./harness/cease.js";
import { sessionSuite } from "./harness/session-suite.js";

sessionSuite({
  kind: "exabgp",
  net: 14,
  // ExaBGP 4.2.21 cannot decode a Cease that carries an RFC 9003 shutdown communication (it formats
  // bytes with a str and answers 1/0), so it gets the plain Cease/Administrative Shutdown.
  shutdownMessage: () => undefined,
  expectCease: (d) => ceaseLogged(d, (line) => line.includes("notification received (6,2)")),
});
