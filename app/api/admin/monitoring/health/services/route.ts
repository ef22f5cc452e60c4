import { createHealthCheck, listHealthChecks } from "@/lib/checks/health-checks";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";

export const dynamic = "force-dynamic";

/** Service health checks with their last verdict. */
export const GET = apiRoute("monitoring.health.list", "viewer", async ({ ctx }) => ({ checks: await listHealthChecks(ctx) }));

export const POST = apiRoute("monitoring.health.create", "admin", async ({ ctx, actor, request }) =>
  Response.json({ check: await createHealthCheck(ctx, actor!, await readJsonBody(request)) }, { status: 201 }),
);
