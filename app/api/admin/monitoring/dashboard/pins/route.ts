import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { listPins, pinMetric } from "@/lib/metrics/pins";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.dashboard.pins.list", "viewer", async ({ ctx }) => ({ pins: await listPins(ctx) }));

export const POST = apiRoute("monitoring.dashboard.pins.create", "admin", async ({ ctx, actor, request, runtime }) => {
  const { pin, created } = await pinMetric(ctx, actor!, await readJsonBody(request));
  runtime.refreshDashboard();
  return Response.json({ pin }, { status: created ? 201 : 200 });
});
