import { md5Suite } from "./harness/md5-suite.js";

md5Suite("exabgp", 83);
