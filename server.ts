import { createServer, type IncomingMessage } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { CLIENT_ADDRESS_HEADER } from "@/lib/auth/auth-options";
import { loadConfig, type Config } from "@/lib/config";
import { writeDemoHistory } from "@/lib/demo/demo-history";
import { seedDemo, startDemoServices } from "@/lib/demo/demo-services";
import { startSimulatedShop } from "@/lib/demo/simulated-shop";
import { hasUpgradeSession } from "@/lib/live/upgrade-session";
import { LiveSocketGateway } from "@/lib/live/ws-gateway";
import { loadDashboard } from "@/lib/metrics/dashboard";
import { startRuntime, type Runtime } from "@/lib/runtime/runtime";

export interface ServerOptions {
  /** Run the simulated shop against this server. */
  demo?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface RunningServer {
  url: string;
  config: Config;
  close(): Promise<void>;
}

const ROOT = path.dirname(fileURLToPath(import.meta.url));
/** How long shutdown waits for open requests before cutting them. */
const DRAIN_TIMEOUT_MS = 10_000;

function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers["x-forwarded-for"];
  if (trustProxy && typeof forwarded === "string") return forwarded.split(",")[0]!.trim();
  return req.socket.remoteAddress ?? "unknown";
}

/**
 * The simulated shop, its dependencies' health endpoints, the checks and job that watch them,
 * and on a first start a week of the shop's past.
 */
async function startDemo(url: string, runtime: Runtime): Promise<() => void> {
  const { config, ctx, store } = runtime;
  const started = Date.now();
  const services = await startDemoServices(started);
  await seedDemo(ctx, services);
  await writeDemoHistory(store, { now: new Date(started), timeZone: config.timeZone });
  const stopShop = startSimulatedShop(url, config.ingestApiKey, started, { timeZone: config.timeZone });
  return () => {
    stopShop();
    void services.close();
  };
}

/** One process serves the UI, the API and the live stream, and runs the evaluator. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = loadConfig(options.env ?? process.env);
  // next-auth reads these from the environment; the config already settled their values.
  process.env.NEXTAUTH_SECRET = config.sessionSecret;
  process.env.NEXTAUTH_URL = config.publicUrl;

  const runtime = await startRuntime(config);
  const app = next({ dev: false, dir: ROOT, hostname: config.host, port: config.port });
  try {
    await app.prepare();
  } catch (error) {
    // The runtime's loops and connections would otherwise keep a failed start alive.
    await runtime.stop();
    throw error;
  }
  const handle = app.getRequestHandler();

  let closing: Promise<void> | undefined;
  const server = createServer((req, res) => {
    // While shutting down, answer what is in flight but keep no connection alive afterwards.
    if (closing) res.shouldKeepAlive = false;
    // Overwrite whatever the client sent: login throttling trusts this header.
    req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req, config.trustProxy);
    void handle(req, res);
  });
  // The live stream's WebSocket fallback; every other upgrade is Next.js's (only valid after prepare()).
  const liveSockets = new LiveSocketGateway({
    bus: runtime.bus,
    loadSnapshot: () => loadDashboard(runtime.ctx),
    authenticate: (req) => hasUpgradeSession(req, config.sessionSecret),
    heartbeatMs: runtime.bus.settings.heartbeatMs,
    maxQueuedBytes: runtime.bus.settings.maxQueuedBytes,
    maxStreamMs: runtime.bus.settings.maxStreamMs,
    onDrop: (reason) => console.warn(`live: dropped a WebSocket client (${reason})`),
  });
  const nextUpgrade = app.getUpgradeHandler();
  server.on("upgrade", (req, socket, head: Buffer) => {
    if (liveSockets.handles(req)) void liveSockets.handleUpgrade(req, socket, head);
    else void nextUpgrade(req, socket, head);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, resolve);
    });
  } catch (error) {
    // e.g. the port is taken: stop everything already started, then say why.
    await Promise.all([liveSockets.close(), runtime.stop()]);
    await app.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  const stopShop = options.demo ? await startDemo(url, runtime) : () => {};

  const close = () =>
    (closing ??= (async () => {
      stopShop();
      // Stop taking connections, end live streams so they do not hold the server open,
      // let running requests finish, then flush writes and close the store.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      runtime.bus.close();
      // Upgraded sockets are no longer the HTTP server's to close, yet keep it open: end them here.
      const socketsClosed = liveSockets.close();
      // Connections go idle as their last response ends; close each as soon as it does.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timeout = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
      server.closeIdleConnections();
      await Promise.all([drained, socketsClosed]);
      clearInterval(sweep);
      clearTimeout(timeout);
      await runtime.stop();
      await app.close();
    })());
  return { url, config, close };
}
