import { listAlertEvents, loadAlert } from "@/lib/alerts/alert-lifecycle";
import { AppError } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

/** One alert and every step of its life. */
export const GET = apiRoute<{ id: string }>("monitoring.alerts.get", "viewer", async ({ ctx, params }) => {
  const events = await listAlertEvents(ctx, params.id);
  const alert = await loadAlert(ctx, params.id);
  if (!alert) throw new AppError("NOT_FOUND", `no alert ${params.id}`);
  return { alert, events };
});
