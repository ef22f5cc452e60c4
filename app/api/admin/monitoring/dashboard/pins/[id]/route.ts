import { apiRoute } from "@/lib/http/api-route";
import { unpinMetric } from "@/lib/metrics/pins";

export const dynamic = "force-dynamic";

export const DELETE = apiRoute<{ id: string }>("monitoring.dashboard.pins.delete", "admin", async ({ ctx, actor, params, runtime }) => {
  await unpinMetric(ctx, actor!, params.id);
  runtime.refreshDashboard();
  return new Response(null, { status: 204 });
});
