/**
 * The reference for the live-stream benchmark (scripts/bench-live.ts): the least a node:http
 * server can do to fan one event out over text/event-stream, with nothing else in the process.
 *
 *   node --import tsx scripts/bare-sse-server.ts <event bytes>
 *
 * Listens on 127.0.0.1 at a free port and prints `listening <url>`. GET /stream sends
 * `retry:` and one event at once (as Vigil sends its current snapshot), then every broadcast;
 * POST /broadcast?marker=X writes one event of <event bytes> bytes holding X to every stream.
 */
import { createServer, type ServerResponse } from "node:http";

const eventBytes = Number(process.argv[2]);
if (!Number.isInteger(eventBytes) || eventBytes <= 0) {
  console.error("usage: bare-sse-server.ts <event bytes>");
  process.exit(2);
}

/** One `snapshot` event of exactly `bytes` bytes (or the smallest one possible) holding `marker`. */
function snapshotEvent(marker: string, bytes: number): Buffer {
  const head = `event: snapshot\ndata: {"marker":${JSON.stringify(marker)},"pad":"`;
  const tail = `"}\n\n`;
  const pad = Math.max(0, bytes - Buffer.byteLength(head) - Buffer.byteLength(tail));
  return Buffer.from(head + "x".repeat(pad) + tail);
}

const streams = new Set<ServerResponse>();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/stream") {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
    });
    res.write("retry: 2000\n\n");
    res.write(snapshotEvent("initial", eventBytes));
    streams.add(res);
    res.on("close", () => streams.delete(res));
    return;
  }
  if (req.method === "POST" && url.pathname === "/broadcast") {
    // Serialised once, the same bytes written to every stream.
    const event = snapshotEvent(url.searchParams.get("marker") ?? "", eventBytes);
    for (const stream of streams) stream.write(event);
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ streams: streams.size }));
    return;
  }
  res.writeHead(404).end();
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  console.log(`listening http://127.0.0.1:${address.port}`);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    for (const stream of streams) stream.destroy();
    server.close(() => process.exit(0));
  });
}
