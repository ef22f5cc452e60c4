import type { LiveMessage } from "./live-bus";
import type { LiveFeed } from "./live-feed";
import { judgeBacklog } from "./slow-client";

/** Wire format of one server-sent event: the id is what EventSource sends back as Last-Event-ID. */
export function formatEvent(message: Pick<LiveMessage, "id" | "type" | "json">): string {
  return `id: ${message.id}\nevent: ${message.type}\ndata: ${message.json}\n\n`;
}

export const HEARTBEAT_COMMENT = ": heartbeat\n\n";

export interface SseStreamOptions {
  signal: AbortSignal;
  heartbeatMs: number;
  maxQueuedBytes: number;
  /**
   * The stream ends after this long: the session was checked when it opened, and a signed-out
   * or expired user must not keep it. EventSource reconnects by itself with Last-Event-ID, so
   * the client loses nothing and its session is checked again.
   */
  maxStreamMs: number;
  /** Told when the client is dropped for not keeping up. */
  onDrop?: (reason: string) => void;
}

/**
 * A text/event-stream body fed by a live feed. It ends when the client goes away or the bus
 * closes at shutdown, and errors (dropping the connection) when the client stops reading and
 * its unsent bytes pass the bound: the queue measures exactly that, since the server only
 * pulls from it as fast as the socket drains.
 */
export function liveEventStream(feed: LiveFeed, options: SseStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let open = true;
        // The opening messages (bounded by the replay buffer) go in full; live ones are judged.
        let opening = true;
        const send = (text: string) => {
          if (!open) return;
          const bytes = encoder.encode(text);
          // High-water mark 0: desiredSize is minus the bytes queued and not yet taken.
          const queuedBytes = -(controller.desiredSize ?? 0);
          const verdict = opening
            ? { drop: false as const }
            : judgeBacklog({ queuedBytes, incomingBytes: bytes.byteLength, maxQueuedBytes: options.maxQueuedBytes });
          if (verdict.drop) {
            cleanup();
            // An AbortError: Next.js treats it as the client going away rather than a server fault.
            controller.error(new DOMException(`slow client: ${verdict.reason}`, "AbortError"));
            options.onDrop?.(verdict.reason);
            return;
          }
          try {
            controller.enqueue(bytes);
          } catch {
            end();
          }
        };
        const heartbeat = setInterval(() => send(HEARTBEAT_COMMENT), options.heartbeatMs);
        const lifetime = setTimeout(() => end(), options.maxStreamMs);
        cleanup = () => {
          if (!open) return;
          open = false;
          clearInterval(heartbeat);
          clearTimeout(lifetime);
          feed.close();
          options.signal.removeEventListener("abort", end);
        };
        const end = () => {
          if (!open) return;
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        };
        options.signal.addEventListener("abort", end);
        // retry: how long EventSource waits before reconnecting by itself.
        send("retry: 2000\n\n");
        feed.start((message) => send(formatEvent(message)), end);
        opening = false;
        if (options.signal.aborted) end();
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
} as const;
