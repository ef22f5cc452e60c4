import { resolveAlertByHand } from "@/lib/alerts/alert-lifecycle";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";

export const dynamic = "force-dynamic";

/** `{ "notes": "restarted the pool" }` (optional). */
export const POST = apiRoute<{ id: string }>("monitoring.alerts.resolve", "admin", async ({ ctx, actor, params, request, runtime }) => {
  const change = await resolveAlertByHand(ctx, actor!, params.id, await readJsonBody(request, { optional: true }));
  runtime.alertChanged(change);
  return { alert: change.alert };
});
