import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { backtestDraftRule } from "@/lib/rules/backtest";

export const dynamic = "force-dynamic";

/** Backtests a rule that is not saved yet: `{ "rule": {…}, "period": "24h" | "7d" }`. */
export const POST = apiRoute("monitoring.rules.test_draft", "reader", async ({ ctx, request }) => ({
  backtest: await backtestDraftRule(ctx, await readJsonBody(request)),
}));
