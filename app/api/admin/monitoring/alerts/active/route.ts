import { listActiveAlerts } from "@/lib/alerts/alert-lifecycle";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

/** Firing and acknowledged alerts; `?include=pending` adds breaches still waiting out their `for`. */
export const GET = apiRoute("monitoring.alerts.active", "viewer", async ({ ctx, request }) => ({
  alerts: await listActiveAlerts(ctx, { includePending: request.nextUrl.searchParams.get("include") === "pending" }),
}));
