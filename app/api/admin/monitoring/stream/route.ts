import { apiRoute } from "@/lib/http/api-route";
import { openLiveFeed } from "@/lib/live/live-feed";
import { liveEventStream, SSE_HEADERS } from "@/lib/live/sse-stream";
import { loadDashboard } from "@/lib/metrics/dashboard";

export const dynamic = "force-dynamic";

/**
 * Live dashboard: a snapshot at once (or, with Last-Event-ID / ?lastEventId=, the events
 * missed since), then every change: snapshots within ~250 ms of new data, alerts at once.
 */
export const GET = apiRoute("monitoring.stream", "viewer", async ({ ctx, runtime, request }) => {
  const lastEventId = request.headers.get("last-event-id") ?? request.nextUrl.searchParams.get("lastEventId");
  const feed = await openLiveFeed(runtime.bus, lastEventId, () => loadDashboard(ctx));
  const { heartbeatMs, maxQueuedBytes, maxStreamMs } = runtime.bus.settings;
  const stream = liveEventStream(feed, {
    signal: request.signal,
    heartbeatMs,
    maxQueuedBytes,
    maxStreamMs,
    onDrop: (reason) => console.warn(`live: dropped a slow SSE client (${reason})`),
  });
  return new Response(stream, { headers: SSE_HEADERS });
});
