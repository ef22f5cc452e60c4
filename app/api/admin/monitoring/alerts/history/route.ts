import { listAlertHistory } from "@/lib/alerts/alert-lifecycle";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

/** `?status=&severity=&ruleId=&from=&to=&limit=&cursor=`, newest first; `nextCursor` pages on. */
export const GET = apiRoute("monitoring.alerts.history", "viewer", async ({ ctx, request }) =>
  listAlertHistory(ctx, Object.fromEntries(request.nextUrl.searchParams)),
);
