import { z } from "zod";
import { MAX_NAME_LENGTH } from "@/lib/ingest/batch-schema";
import { apiRoute } from "@/lib/http/api-route";
import { loadHistory, PERIODS } from "@/lib/metrics/history";

export const dynamic = "force-dynamic";

const query = z.object({
  metric: z.string().min(1).max(MAX_NAME_LENGTH),
  service: z.string().min(1).max(MAX_NAME_LENGTH).optional(),
  period: z.enum(PERIODS).default("24h"),
  /** Repeatable `tag=key:value`, exact match. */
  tag: z
    .array(z.string().regex(/^[^:]+:.*$/, "expected key:value"))
    .default([])
    .transform((pairs) => Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)]))),
});

/** GET ?metric=&service=&period=1h|24h|7d|30d&tag=key:value — a few hundred points from raw rows or rollups. */
export const GET = apiRoute("monitoring.history", "viewer", ({ request, ctx }) => {
  const params = request.nextUrl.searchParams;
  const q = query.parse({
    metric: params.get("metric") ?? undefined,
    service: params.get("service") ?? undefined,
    period: params.get("period") ?? undefined,
    tag: params.getAll("tag"),
  });
  return loadHistory(ctx, { metric: q.metric, service: q.service ?? null, tags: q.tag, period: q.period });
});
