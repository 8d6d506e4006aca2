import { md5Suite } from "./harness/md5-suite.js";

md5Suite("bird", 80);
