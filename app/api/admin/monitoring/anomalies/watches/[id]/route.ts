import { unwatchSeries } from "@/lib/anomaly/watches";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

/** Stops watching; the detector's learning is kept, so watching the series again resumes it. */
export const DELETE = apiRoute<{ id: string }>("monitoring.anomalies.watches.delete", "admin", async ({ ctx, actor, params }) => {
  await unwatchSeries(ctx, actor!, params.id);
  return new Response(null, { status: 204 });
});
