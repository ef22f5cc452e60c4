import type { RuleView } from "@/lib/rules/rules";

type Described = Pick<RuleView, "aggregation" | "metric" | "denominator" | "window" | "operator" | "threshold" | "for">;

/** "p95 of api.response_time over 1m > 1000 for 30s": the rule in one line, as an on-call reads it. */
export function describeRule(rule: Described): string {
  const of = rule.aggregation === "ratio" && rule.denominator ? `${rule.metric} / ${rule.denominator}` : rule.metric;
  return `${rule.aggregation} of ${of} over ${rule.window} ${rule.operator} ${rule.threshold} for ${rule.for}`;
}
