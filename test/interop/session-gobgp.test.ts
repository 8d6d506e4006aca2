import { ceaseLogged } from "./harness/cease.js";
import { sessionSuite } from "./harness/session-suite.js";

sessionSuite({
  kind: "gobgp",
  net: 13,
  shutdownMessage: (label) => label,
  // GoBGP logs `msg="received notification" Code=6 Communicated-Reason="<message>" … Subcode=2`.
  expectCease: (d, message) =>
    ceaseLogged(
      d,
      (line) =>
        /\bCode=6\b/.test(line) &&
        /\bSubcode=2\b/.test(line) &&
        line.includes(`Communicated-Reason="${message}"`),
    ),
});
