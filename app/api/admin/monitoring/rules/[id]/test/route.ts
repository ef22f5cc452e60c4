import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { backtestSavedRule } from "@/lib/rules/backtest";

export const dynamic = "force-dynamic";

/** Backtests a saved rule, or the saved rule with the edits in `rule` (before saving them). */
export const POST = apiRoute<{ id: string }>("monitoring.rules.test", "reader", async ({ ctx, params, request }) => ({
  backtest: await backtestSavedRule(ctx, params.id, await readJsonBody(request, { optional: true })),
}));
