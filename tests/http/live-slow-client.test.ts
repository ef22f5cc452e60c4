import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInAt } from "../support/sign-in";
import { openEventStream } from "../support/sse";
import { startVigilProcess, TEST_ADMIN, TEST_INGEST_KEY, type VigilProcess } from "../support/vigil-process";

/** A small bound, so a stalled client passes it within seconds. */
const MAX_QUEUED_BYTES = 64 * 1024;

/** Opens `request` on a raw socket, waits for the response to start, then never reads again. */
async function stalledClient(url: string, request: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  socket.write(request);
  const head = await new Promise<string>((resolve) => socket.once("data", (chunk: Buffer) => resolve(chunk.toString("latin1"))));
  socket.pause();
  expect(head).toMatch(/^HTTP\/1\.1 (200|101)/);
  return { socket, closed };
}

/**
 * Series with long tags, so each dashboard snapshot is most of a megabyte: enough traffic to
 * fill the loopback socket buffers (several MB) behind a client that does not read.
 */
function bulkySamples(batch: number): object[] {
  const tags = Object.fromEntries(Array.from({ length: 15 }, (_, t) => [`tag${t}`, "x".repeat(480)]));
  return Array.from({ length: 50 }, (_, i) => ({ metric: `bulk.m${batch}_${i}`, service: "aaa-bulk", value: Math.random(), tags }));
}

describe("slow live clients", () => {
  let vigil: VigilProcess;

  beforeAll(async () => {
    vigil = await startVigilProcess({ VIGIL_LIVE_MAX_QUEUED_BYTES: String(MAX_QUEUED_BYTES) });
  });
  afterAll(() => vigil?.stop());

  it("a client that stops reading is dropped (SSE and WebSocket); a reading one is not held up", async () => {
    const { cookie } = await signInAt(vigil.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const host = new URL(vigil.url).host;
    const sse = await stalledClient(
      vigil.url,
      `GET /api/admin/monitoring/stream HTTP/1.1\r\nHost: ${host}\r\nAccept: text/event-stream\r\nCookie: ${cookie}\r\n\r\n`,
    );
    const ws = await stalledClient(
      vigil.url,
      `GET /api/admin/monitoring/ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`,
    );
    const healthy = await openEventStream(vigil.url, cookie);
    const received = await healthy.events.take(1);

    // Keep the data changing (a snapshot every debounce) until both stalled clients are dropped.
    const dropped = () => /dropped a slow SSE client/.test(vigil.output()) && /dropped a WebSocket client/.test(vigil.output());
    const deadline = Date.now() + 60_000;
    while (!dropped() && Date.now() < deadline) {
      for (const batch of [0, 1]) {
        const response = await fetch(`${vigil.url}/api/ingest/metrics`, {
          method: "POST",
          headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
          body: JSON.stringify({ samples: bulkySamples(batch) }),
        });
        expect(response.status).toBe(200);
      }
      received.push(...(await healthy.events.collect(300)));
    }
    expect(vigil.output()).toMatch(/dropped a slow SSE client \(\d+ bytes unsent/);
    expect(vigil.output()).toMatch(/dropped a WebSocket client \(\d+ bytes unsent/);

    // The reader still gets dashboard events after the drops, and got every event before them: no gap in its ids.
    const after = await fetch(`${vigil.url}/api/ingest/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ samples: [{ metric: "bulk.after", service: "aaa-bulk", value: 1 }] }),
    });
    expect(after.status).toBe(200);
    received.push(...(await healthy.events.until((e) => (e.event === "snapshot" || e.event === "patch") && e.id !== received.at(-1)?.id, 10_000)));
    await healthy.events.close();
    const seqs = received.slice(1).map((e) => Number(e.id!.split("-")[1])); // the first is the opening snapshot
    expect(seqs.length).toBeGreaterThan(1);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));

    // Once the stalled clients read what was already in flight, they find their connection closed.
    sse.socket.resume();
    ws.socket.resume();
    await Promise.all([sse.closed, ws.closed]);
  }, 120_000);
});
