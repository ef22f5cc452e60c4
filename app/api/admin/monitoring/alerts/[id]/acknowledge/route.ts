import { acknowledgeAlert } from "@/lib/alerts/alert-lifecycle";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string }>("monitoring.alerts.acknowledge", "admin", async ({ ctx, actor, params, runtime }) => {
  const change = await acknowledgeAlert(ctx, actor!, params.id);
  runtime.alertChanged(change);
  return { alert: change.alert };
});
