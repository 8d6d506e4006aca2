import { ceaseLogged } from "./harness/cease.js";
import { sessionSuite } from "./harness/session-suite.js";

sessionSuite({
  kind: "bird",
  net: 11,
  shutdownMessage: (label) => label,
  // BIRD logs `<RMT> speaker: Received: Administrative shutdown: "<message>"`.
  expectCease: (d, message) =>
    ceaseLogged(d, (line) => line.includes(`Received: Administrative shutdown: "${message}"`)),
});
