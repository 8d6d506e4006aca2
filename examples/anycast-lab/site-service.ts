/**
 * The service of one lab site: answers every request with `X-Server-Location: <site>` on port
 * 8080 (IPv4 and IPv6). SIGUSR1 makes it unhealthy (503 on every path), SIGUSR2 healthy again:
 * the lab fails a site's health check with a signal, without restarting anything.
 *
 *   node --import tsx examples/anycast-lab/site-service.ts site-1 [port]
 */
import http from "node:http";

const location = process.argv[2] ?? "site-?";
const port = Number(process.argv[3] ?? 8080);
let healthy = true;

const server = http.createServer((request, response) => {
  response.setHeader("X-Server-Location", location);
  response.setHeader("Connection", "close");
  response.statusCode = healthy ? 200 : 503;
  response.end(`${location} ${healthy ? "ok" : "unhealthy"} ${request.url}\n`);
});
process.on("SIGUSR1", () => {
  healthy = false;
  console.log(`${location} now unhealthy`);
});
process.on("SIGUSR2", () => {
  healthy = true;
  console.log(`${location} now healthy`);
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections(); // a client cut off mid-request would otherwise hold close() open
});
// "::" with ipv6Only false takes IPv4 too (as ::ffff:a.b.c.d).
server.listen({ port, host: "::", ipv6Only: false }, () => console.log(`${location} listening on ${port}`));
