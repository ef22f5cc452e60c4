import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { createRule, listRules } from "@/lib/rules/rules";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.rules.list", "viewer", async ({ ctx }) => ({ rules: await listRules(ctx) }));

export const POST = apiRoute("monitoring.rules.create", "admin", async ({ ctx, actor, request, runtime }) => {
  const rule = await createRule(ctx, actor!, await readJsonBody(request));
  runtime.refreshDashboard(); // a rule on a card's metric changes its colour
  return Response.json({ rule }, { status: 201 });
});
