import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { createPolicy, listPolicies } from "@/lib/notify/escalation-policies";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.escalation_policies.list", "viewer", async ({ ctx }) => ({ policies: await listPolicies(ctx) }));

export const POST = apiRoute("monitoring.escalation_policies.create", "admin", async ({ ctx, actor, request }) =>
  Response.json({ policy: await createPolicy(ctx, actor!, await readJsonBody(request)) }, { status: 201 }),
);
