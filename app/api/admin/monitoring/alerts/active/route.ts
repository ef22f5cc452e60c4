import { listActiveAlerts } from "@/lib/alerts/alert-lifecycle";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.alerts.active", "viewer", async ({ ctx }) => ({
  alerts: await listActiveAlerts(ctx),
}));
