import { z } from "zod";
import { apiRoute } from "@/lib/http/api-route";
import { loadTrends, TREND_PERIODS } from "@/lib/metrics/trends";
import { isTimeZone } from "@/lib/time-zone";

export const dynamic = "force-dynamic";

const query = z.object({
  period: z.enum(TREND_PERIODS).default("7d"),
  tz: z.string().refine(isTimeZone, "unknown time zone").default("UTC"),
});

/** GET ?period=24h|7d|30d&tz=Area/City — the trends screen's charts, from rollups. */
export const GET = apiRoute("monitoring.trends", "viewer", ({ request, ctx }) => {
  const params = request.nextUrl.searchParams;
  const q = query.parse({ period: params.get("period") ?? undefined, tz: params.get("tz") ?? undefined });
  return loadTrends(ctx, q.period, q.tz);
});
