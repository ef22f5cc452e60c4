import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startSimulatedShop } from "@/lib/demo/simulated-shop";

/** A stand-in Vigil on loopback that records what the demo shop posts. */
async function recordingServer(status: number) {
  const requests: { url: string; headers: IncomingMessage["headers"]; body: { samples: unknown[] } }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      requests.push({ url: req.url ?? "", headers: req.headers, body: (body ? JSON.parse(body) : { samples: [] }) as { samples: unknown[] } });
      res.writeHead(status, { "content-type": "application/json" }).end('{"accepted":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("startSimulatedShop", () => {
  afterEach(() => vi.restoreAllMocks());

  it("posts a batch a second to the ingest route with the key, until stopped", async () => {
    const server = await recordingServer(200);
    const lines: string[] = [];
    const stop = startSimulatedShop(server.url, "vgl_demo_key", Date.now(), { log: (line) => lines.push(line), timeZone: "UTC" });
    await vi.waitFor(() => expect(server.requests.length).toBeGreaterThanOrEqual(1), { timeout: 3000 });
    stop();
    const count = server.requests.length;
    const metrics = server.requests.find((r) => r.url === "/api/ingest/metrics")!;
    expect(metrics.headers.authorization).toBe("Bearer vgl_demo_key");
    expect(metrics.body.samples.length).toBeGreaterThan(10);
    // The first second also starts the demo's heartbeat job.
    expect(server.requests.map((r) => r.url)).toContain("/api/ingest/heartbeat/invoice-sync/start");
    expect(lines).toEqual([expect.stringMatching(/^demo: traffic follows the clock in UTC; incidents every 15 min/)]);
    await new Promise((r) => setTimeout(r, 1200));
    expect(server.requests.length).toBe(count);
    await server.close();
  });

  it("says when an incident starts", async () => {
    const server = await recordingServer(200);
    const lines: string[] = [];
    // As if the demo had run for 10 min 29.5 s: the pool incident starts within the first tick.
    const stop = startSimulatedShop(server.url, "k", Date.now() - 629_500, { log: (line) => lines.push(line) });
    await vi.waitFor(() => expect(lines).toContainEqual(expect.stringMatching(/incident started: pool-exhaustion for 1\d\d s/)), { timeout: 3000 });
    stop();
    await server.close();
  });

  it("follows the clock for the job's pings, failing it while the database pool is exhausted", async () => {
    const server = await recordingServer(200);
    // As if the demo had run for 11 min 2.5 s: the job's 3 s mark (its finish) falls in the first tick.
    const stop = startSimulatedShop(server.url, "k", Date.now() - 662_500, { log: () => {} });
    await vi.waitFor(() => expect(server.requests.map((r) => r.url)).toContain("/api/ingest/heartbeat/invoice-sync/fail"), { timeout: 3000 });
    stop();
    await server.close();
  });

  it("logs a refused batch and keeps going", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const server = await recordingServer(503);
    const stop = startSimulatedShop(server.url, "k", Date.now(), { log: () => {} });
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith(expect.stringMatching(/\/api\/ingest\/metrics answered 503/)), { timeout: 3000 });
    stop();
    await server.close();
  });

  it("logs an unreachable server", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const stop = startSimulatedShop("http://127.0.0.1:1", "k", Date.now(), { log: () => {} });
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith("demo workload: /api/ingest/metrics failed", expect.any(Error)), { timeout: 3000 });
    stop();
  });
});
