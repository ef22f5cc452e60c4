import { loadAlertWithEvents } from "@/lib/alerts/alert-lifecycle";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

/** One alert and every step of its life. */
export const GET = apiRoute<{ id: string }>("monitoring.alerts.get", "viewer", async ({ ctx, params }) => loadAlertWithEvents(ctx, params.id));
