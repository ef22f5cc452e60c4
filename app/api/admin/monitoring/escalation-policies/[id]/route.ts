import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { deletePolicy, updatePolicy } from "@/lib/notify/escalation-policies";

export const dynamic = "force-dynamic";

export const PUT = apiRoute<{ id: string }>("monitoring.escalation_policies.update", "admin", async ({ ctx, actor, params, request }) => ({
  policy: await updatePolicy(ctx, actor!, params.id, await readJsonBody(request)),
}));

export const DELETE = apiRoute<{ id: string }>("monitoring.escalation_policies.delete", "admin", async ({ ctx, actor, params }) => {
  await deletePolicy(ctx, actor!, params.id);
  return new Response(null, { status: 204 });
});
