import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { LiveBus } from "@/lib/live/live-bus";
import { DEFAULT_LIVE_SETTINGS } from "@/lib/live/live-settings";
import { formatFrame, isSameOrigin, LIVE_WS_PATH, LiveSocketGateway } from "@/lib/live/ws-gateway";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

const snapshot: DashboardSnapshot = { generatedAt: "2026-01-05T10:00:00.000Z", status: "operational", cards: [], alerts: [], latest: [], services: [], jobs: [], anomalies: [] };
const alert = (reason = "slow") => ({ id: "a1", ruleName: "slow", status: "firing", reason }) as AlertView;
const SESSION = "session=ok";

interface Frame {
  id: string;
  event: string;
  data: unknown;
}

/** A gateway on a real HTTP server, as server.ts wires it (sessions faked: a cookie says yes). */
async function startGateway(options: { heartbeatMs?: number; maxQueuedBytes?: number; maxStreamMs?: number } = {}) {
  const bus = new LiveBus({ bootId: "boot1", settings: DEFAULT_LIVE_SETTINGS });
  const onDrop = vi.fn();
  const gateway = new LiveSocketGateway({
    bus,
    loadSnapshot: async () => snapshot,
    authenticate: async (req) => req.headers.cookie === SESSION,
    heartbeatMs: options.heartbeatMs ?? 60_000,
    maxQueuedBytes: options.maxQueuedBytes ?? 1 << 20,
    maxStreamMs: options.maxStreamMs ?? 600_000,
    onDrop,
  });
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head: Buffer) => {
    if (gateway.handles(req)) void gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const open: WebSocket[] = [];
  return {
    bus,
    gateway,
    onDrop,
    port,
    url: (query = "") => `ws://127.0.0.1:${port}${LIVE_WS_PATH}${query}`,
    /** Connects with a session; collects frames. */
    async client(query = "", init: { autoPong?: boolean } = {}) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${LIVE_WS_PATH}${query}`, { headers: { cookie: SESSION }, ...init });
      open.push(ws);
      const frames: Frame[] = [];
      ws.on("message", (data) => frames.push(JSON.parse(String(data)) as Frame));
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      return { ws, frames };
    },
    async stop() {
      for (const ws of open) ws.terminate();
      await gateway.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

let running: Awaited<ReturnType<typeof startGateway>> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("live WebSocket gateway", () => {
  it("frames are {id, event, data} around the data serialised once", () => {
    expect(formatFrame({ id: "boot1-3", type: "alert", json: '{"a":1}' })).toBe('{"id":"boot1-3","event":"alert","data":{"a":1}}');
  });

  it("refuses an upgrade without a session: 401, socket closed", async () => {
    running = await startGateway();
    const ws = new WebSocket(running.url());
    const status = await new Promise<number | undefined>((resolve) => ws.once("unexpected-response", (_req, res) => resolve(res.statusCode)));
    expect(status).toBe(401);
    expect(running.bus.subscriberCount).toBe(0);
  });

  it("refuses a handshake from another site's page even with the session cookie: 403", async () => {
    running = await startGateway();
    const ws = new WebSocket(running.url(), { headers: { cookie: SESSION, origin: "http://evil.example:3000" } });
    const status = await new Promise<number | undefined>((resolve) => ws.once("unexpected-response", (_req, res) => resolve(res.statusCode)));
    expect(status).toBe(403);
    expect(running.bus.subscriberCount).toBe(0);
  });

  it("takes a handshake from its own pages (Origin matches Host) and from clients without an Origin", () => {
    expect(isSameOrigin({ headers: { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" } })).toBe(true);
    expect(isSameOrigin({ headers: { host: "127.0.0.1:3000" } })).toBe(true);
    expect(isSameOrigin({ headers: { origin: "http://127.0.0.1:4000", host: "127.0.0.1:3000" } })).toBe(false);
    expect(isSameOrigin({ headers: { origin: "not a url", host: "127.0.0.1:3000" } })).toBe(false);
  });

  it("closes a connection after its lifetime with 4000, so the client reconnects and is checked again", async () => {
    running = await startGateway({ maxStreamMs: 50 });
    const ws = new WebSocket(running.url(), { headers: { cookie: SESSION } });
    const code = await new Promise<number>((resolve) => ws.once("close", (c) => resolve(c)));
    expect(code).toBe(4000);
    expect(running.bus.subscriberCount).toBe(0);
  });

  it("sends a snapshot on connect, then each event as it is published", async () => {
    running = await startGateway();
    running.bus.publish({ type: "alert", data: alert() });
    const { frames } = await running.client();
    running.bus.publish({ type: "alert", data: alert("slower") });
    await vi.waitFor(() => expect(frames).toHaveLength(2));
    expect(frames[0]).toEqual({ id: "boot1-1", event: "snapshot", data: snapshot });
    expect(frames[1]).toEqual({ id: "boot1-2", event: "alert", data: alert("slower") });
  });

  it("?lastEventId= resumes with the missed events, no snapshot", async () => {
    running = await startGateway();
    const seen = running.bus.publish({ type: "alert", data: alert("one") });
    running.bus.publish({ type: "alert", data: alert("two") });
    const { frames } = await running.client(`?lastEventId=${seen.id}`);
    await vi.waitFor(() => expect(frames).toHaveLength(1));
    expect(frames[0]).toMatchObject({ id: "boot1-2", event: "alert", data: { reason: "two" } });

    const { frames: fresh } = await running.client("?lastEventId=otherboot-1");
    await vi.waitFor(() => expect(fresh.length).toBeGreaterThan(0));
    expect(fresh[0]).toMatchObject({ id: "boot1-2", event: "snapshot" });
  });

  it("pings on the heartbeat and drops a client that stops answering", async () => {
    running = await startGateway({ heartbeatMs: 40 });
    const { ws } = await running.client();
    const pinged = new Promise((resolve) => ws.once("ping", resolve));
    await pinged;
    const { ws: silent } = await running.client("", { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.once("close", resolve));
    expect(await closed).toBe(1006); // cut, no close frame
    expect(running.onDrop).toHaveBeenCalledWith("no pong within one heartbeat");
    expect(ws.readyState).toBe(WebSocket.OPEN); // the answering one stays
  });

  it("drops a client that never reads once its unsent bytes pass the bound; the others get everything", async () => {
    running = await startGateway({ maxQueuedBytes: 256 * 1024 });
    const { frames } = await running.client();
    await vi.waitFor(() => expect(frames).toHaveLength(1));

    // A client that completes the handshake and then never reads another byte.
    const stalled = connect(running.port, "127.0.0.1");
    stalled.write(
      `GET ${LIVE_WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\nCookie: ${SESSION}\r\n\r\n`,
    );
    await new Promise((resolve) => stalled.once("data", resolve));
    stalled.pause();
    const stalledClosed = new Promise((resolve) => stalled.once("close", resolve));
    await vi.waitFor(() => expect(running!.bus.subscriberCount).toBe(2));

    const big = alert("x".repeat(64 * 1024));
    let published = 0;
    // Kernel buffers on loopback take a few MB before the server's own queue grows.
    while (running.onDrop.mock.calls.length === 0 && published < 1000) {
      running.bus.publish({ type: "alert", data: big });
      published++;
      await new Promise((r) => setImmediate(r));
    }
    expect(running.onDrop).toHaveBeenCalledOnce();
    expect(running.onDrop.mock.calls[0]![0]).toMatch(/bound/);
    expect(running.bus.subscriberCount).toBe(1);
    stalled.resume();
    await stalledClosed;
    await vi.waitFor(() => expect(frames).toHaveLength(1 + published), { timeout: 10_000 });
  });

  it("says 1001 to every client at shutdown, and refuses new ones", async () => {
    running = await startGateway();
    const { ws } = await running.client();
    const code = new Promise<number>((resolve) => ws.once("close", resolve));
    await running.gateway.close();
    expect(await code).toBe(1001);
    const late = new WebSocket(running.url(), { headers: { cookie: SESSION } });
    const status = await new Promise<number | undefined>((resolve) => late.once("unexpected-response", (_req, res) => resolve(res.statusCode)));
    expect(status).toBe(503);
  });

  it("ends its clients with 1001 when the bus closes", async () => {
    running = await startGateway();
    const { ws } = await running.client();
    const code = new Promise<number>((resolve) => ws.once("close", resolve));
    running.bus.close();
    expect(await code).toBe(1001);
  });
});
