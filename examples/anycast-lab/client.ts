/**
 * The lab's client: GETs each URL back to back (one loop per URL, a fresh connection each time, a
 * 300 ms timeout) and prints a JSON line whenever the answer changes:
 * `{"at":<epoch ms>,"url":…,"location":"site-2","status":200}` or `{"at":…,"url":…,"error":"ETIMEDOUT"}`.
 * The first line per URL is printed too. Runs until SIGTERM.
 *
 *   node --import tsx examples/anycast-lab/client.ts http://203.0.113.1:8080/ http://[2001:db8:ac::1]:8080/
 */
import http from "node:http";

const TIMEOUT_MS = 300;
const PAUSE_MS = 5;

function get(url: string): Promise<{ location?: string; status?: number; error?: string }> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: TIMEOUT_MS }, (response) => {
      const location = response.headers["x-server-location"];
      response.resume();
      resolve({
        location: typeof location === "string" ? location : "(none)",
        status: response.statusCode ?? 0,
      });
    });
    request.once("timeout", () =>
      request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })),
    );
    request.once("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

let running = true;
process.on("SIGTERM", () => {
  running = false;
});

async function loop(url: string): Promise<void> {
  let last = "";
  while (running) {
    const answer = await get(url);
    const key = JSON.stringify(answer);
    if (key !== last) {
      last = key;
      console.log(JSON.stringify({ at: Date.now(), url, ...answer }));
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}

await Promise.all(process.argv.slice(2).map(loop));
