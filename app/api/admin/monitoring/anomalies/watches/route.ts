import { listWatches, watchSeries } from "@/lib/anomaly/watches";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.anomalies.watches.list", "viewer", async ({ ctx }) => ({ watches: await listWatches(ctx) }));

/** { metric, service?, stat?: "avg" | "p95", label? } — watching what is already watched returns it with 200. */
export const POST = apiRoute("monitoring.anomalies.watches.create", "admin", async ({ ctx, actor, request }) => {
  const { watch, created } = await watchSeries(ctx, actor!, await readJsonBody(request));
  return Response.json({ watch }, { status: created ? 201 : 200 });
});
