import { z } from "zod";
import { listAnomalies } from "@/lib/anomaly/events";
import { apiRoute } from "@/lib/http/api-route";
import { PERIODS, RESOLUTIONS } from "@/lib/metrics/history";

export const dynamic = "force-dynamic";

const query = z.object({
  period: z.enum(PERIODS).default("7d"),
  state: z.enum(["all", "open"]).default("all"),
});

/** GET ?period=1h|24h|7d|30d&state=all|open — anomaly events, newest first, with their explanations. */
export const GET = apiRoute("monitoring.anomalies.list", "viewer", async ({ request, ctx }) => {
  const params = request.nextUrl.searchParams;
  const q = query.parse({ period: params.get("period") ?? undefined, state: params.get("state") ?? undefined });
  const since = new Date(ctx.now().getTime() - RESOLUTIONS[q.period].spanMs);
  return { anomalies: await listAnomalies(ctx, { since, openOnly: q.state === "open" }) };
});
