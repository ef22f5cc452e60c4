import { deleteHealthCheck, updateHealthCheck } from "@/lib/checks/health-checks";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";

export const dynamic = "force-dynamic";

export const PUT = apiRoute<{ id: string }>("monitoring.health.update", "admin", async ({ ctx, actor, params, request }) => ({
  check: await updateHealthCheck(ctx, actor!, params.id, await readJsonBody(request)),
}));

export const DELETE = apiRoute<{ id: string }>("monitoring.health.delete", "admin", async ({ ctx, actor, params }) => {
  await deleteHealthCheck(ctx, actor!, params.id);
  return new Response(null, { status: 204 });
});
