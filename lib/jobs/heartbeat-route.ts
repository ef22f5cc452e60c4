import { apiRoute } from "@/lib/http/api-route";
import { recordHeartbeat, type HeartbeatEvent } from "./job-monitors";

/**
 * POST /api/ingest/heartbeat/{slug}[/start|/fail]: the three routes differ only in the event.
 * 200 means the ping and its samples are committed.
 */
export function heartbeatRoute(event: HeartbeatEvent) {
  return apiRoute<{ slug: string }>(`ingest.heartbeat.${event}`, "ingest", async ({ ctx, runtime, params }) => {
    const { job, samples } = await recordHeartbeat(ctx, params.slug, event);
    await runtime.ingest(samples);
    return { job: { slug: job.slug, state: job.state, reason: job.reason } };
  });
}
