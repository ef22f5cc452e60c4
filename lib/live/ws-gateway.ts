import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import type { LiveBus, LiveMessage } from "./live-bus";
import { openLiveFeed, type LiveFeed } from "./live-feed";
import { judgeBacklog } from "./slow-client";

/** The WebSocket fallback of the SSE stream: the same events, one JSON text frame each. */
export const LIVE_WS_PATH = "/api/admin/monitoring/ws";

/** Close codes sent to clients. A dropped slow or silent client gets no close frame (1006). */
export const WS_CLOSE = { shuttingDown: 1001, recheckSession: 4000 } as const;

/** `{"id":"<id>","event":"<type>","data":<data>}`, built around the data serialised once. */
export function formatFrame(message: Pick<LiveMessage, "id" | "type" | "json">): string {
  return `{"id":${JSON.stringify(message.id)},"event":${JSON.stringify(message.type)},"data":${message.json}}`;
}

export interface LiveSocketOptions {
  bus: LiveBus;
  loadSnapshot: () => Promise<DashboardSnapshot>;
  /** Whether the upgrade request carries a session. */
  authenticate: (req: IncomingMessage) => Promise<boolean>;
  heartbeatMs: number;
  maxQueuedBytes: number;
  /** A connection is closed after this long (code 4000) so the client reconnects and its session is checked again. */
  maxStreamMs: number;
  onDrop?: (reason: string) => void;
}

/** The refusals an upgrade can get, in the API's error shape. */
const REFUSALS = {
  401: { code: "UNAUTHORIZED", text: "Unauthorized" },
  403: { code: "FORBIDDEN", text: "Forbidden" },
  503: { code: "UNAVAILABLE", text: "Service Unavailable" },
} as const;

function refuse(socket: Duplex, status: keyof typeof REFUSALS, reason: string): void {
  const { code, text } = REFUSALS[status];
  const body = JSON.stringify({ error: { code, message: reason } });
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * True when the handshake comes from a page of this server (Origin's host is the Host the
 * client dialled), or from a non-browser client, which sends no Origin and cannot carry a
 * victim's cookie anyway.
 */
export function isSameOrigin(req: Pick<IncomingMessage, "headers">): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Serves the live stream over WebSocket for clients that cannot use SSE. Upgrades are
 * checked for a session first; `?lastEventId=` resumes exactly as for SSE.
 */
export class LiveSocketGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  private closing = false;

  constructor(private readonly options: LiveSocketOptions) {}

  handles(req: IncomingMessage): boolean {
    return new URL(req.url ?? "/", "http://vigil").pathname === LIVE_WS_PATH;
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => {}); // a client vanishing mid-handshake is not our error
    if (this.closing) return refuse(socket, 503, "shutting down");
    // Browsers send the session cookie on a WebSocket handshake from any same-site page (a
    // sibling subdomain, another port) and, unlike fetch, CORS does not guard it: only pages
    // served by Vigil itself may open the stream.
    if (!isSameOrigin(req)) return refuse(socket, 403, "cross-origin WebSocket refused");
    let authenticated = false;
    try {
      authenticated = await this.options.authenticate(req);
    } catch (error) {
      console.error("live: WebSocket session check failed", error);
    }
    if (!authenticated) return refuse(socket, 401, "sign in first");

    const lastEventId = new URL(req.url ?? "/", "http://vigil").searchParams.get("lastEventId");
    let feed: LiveFeed;
    try {
      feed = await openLiveFeed(this.options.bus, lastEventId, this.options.loadSnapshot);
    } catch (error) {
      console.error("live: WebSocket snapshot failed", error);
      return refuse(socket, 503, "live stream unavailable");
    }
    if (socket.destroyed || this.closing) {
      feed.close();
      return void socket.destroy();
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, feed));
  }

  /** Says goodbye (1001) to every client and cuts those that do not answer within a second. */
  async close(): Promise<void> {
    this.closing = true;
    const clients = [...this.wss.clients];
    for (const ws of clients) ws.close(WS_CLOSE.shuttingDown, "server shutting down");
    const closed = Promise.all(clients.map((ws) => (ws.readyState === WebSocket.CLOSED ? undefined : new Promise((r) => ws.once("close", r)))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private serve(ws: WebSocket, feed: LiveFeed): void {
    const { heartbeatMs, maxQueuedBytes } = this.options;
    let open = true;
    let answered = true;
    let opening = true;
    const stop = () => {
      if (!open) return;
      open = false;
      clearInterval(ping);
      clearTimeout(lifetime);
      feed.close();
    };
    // The session was checked at the upgrade only; a signed-out or expired user must not keep
    // the stream. The client resumes with ?lastEventId=, so the reconnect loses nothing.
    const lifetime = setTimeout(() => {
      stop();
      ws.close(WS_CLOSE.recheckSession, "reconnect to recheck the session");
    }, this.options.maxStreamMs);
    // terminate, not close: a close frame would wait behind everything still unsent.
    const drop = (reason: string) => {
      stop();
      ws.terminate();
      this.options.onDrop?.(reason);
    };
    const ping = setInterval(() => {
      if (!answered) return drop("no pong within one heartbeat");
      answered = false;
      ws.ping();
    }, heartbeatMs);
    ws.on("pong", () => (answered = true));
    ws.on("close", stop);
    ws.on("error", stop);
    ws.on("message", () => {}); // nothing to hear from clients yet

    feed.start(
      (message) => {
        if (!open || ws.readyState !== WebSocket.OPEN) return;
        const frame = formatFrame(message);
        if (!opening) {
          const verdict = judgeBacklog({ queuedBytes: ws.bufferedAmount, incomingBytes: Buffer.byteLength(frame), maxQueuedBytes });
          if (verdict.drop) return drop(verdict.reason);
        }
        ws.send(frame);
      },
      () => {
        stop();
        ws.close(WS_CLOSE.shuttingDown, "server shutting down");
      },
    );
    opening = false;
  }
}
