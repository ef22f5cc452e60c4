import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { deleteRule, getRule, toRuleView, updateRule } from "@/lib/rules/rules";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>("monitoring.rules.get", "viewer", async ({ ctx, params }) => ({
  rule: toRuleView(await getRule(ctx, params.id)),
}));

export const PUT = apiRoute<{ id: string }>("monitoring.rules.update", "admin", async ({ ctx, actor, params, request, runtime }) => {
  const { rule, closedAlerts } = await updateRule(ctx, actor!, params.id, await readJsonBody(request));
  for (const change of closedAlerts) runtime.alertChanged(change);
  runtime.refreshDashboard();
  return { rule };
});

export const DELETE = apiRoute<{ id: string }>("monitoring.rules.delete", "admin", async ({ ctx, actor, params, runtime }) => {
  await deleteRule(ctx, actor!, params.id);
  runtime.refreshDashboard();
  return new Response(null, { status: 204 });
});
