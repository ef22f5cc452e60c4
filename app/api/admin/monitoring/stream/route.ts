import { apiRoute } from "@/lib/http/api-route";
import { liveEventStream } from "@/lib/live/sse-stream";
import { loadDashboard } from "@/lib/metrics/dashboard";

export const dynamic = "force-dynamic";

/** Live dashboard: a snapshot at once, then every change (snapshots within ~250 ms of new data, alerts at once). */
export const GET = apiRoute("monitoring.stream", "viewer", async ({ ctx, runtime, request }) => {
  const first = await loadDashboard(ctx);
  const stream = liveEventStream(runtime.bus, { type: "snapshot", data: first }, request.signal);
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
});
