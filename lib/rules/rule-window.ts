import type { Db } from "@/db";
import type { Aggregation } from "@/db/schema";
import { aggregateWindow, type WindowStats } from "@/lib/metrics/aggregate";

/** What a rule looks at: one metric (over a denominator, for a ratio), aggregated over a trailing window. */
export interface RuleWindowSpec {
  metric: string;
  service: string | null;
  aggregation: Aggregation;
  denominator: string | null;
  windowSeconds: number;
}

/** The rule's value at `now`, the same for the evaluator and for the dashboard cards it colours. */
export function loadRuleWindow(db: Db, rule: RuleWindowSpec, now: Date): Promise<WindowStats> {
  return aggregateWindow(db, {
    metric: rule.metric,
    service: rule.service,
    aggregation: rule.aggregation,
    denominator: rule.denominator,
    from: new Date(now.getTime() - rule.windowSeconds * 1000),
    to: now,
  });
}
