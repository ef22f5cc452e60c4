import type { RuleView } from "@/lib/rules/rules";

type Described = Pick<RuleView, "kind" | "aggregation" | "metric" | "denominator" | "window" | "operator" | "threshold" | "for">;

const ANOMALY_OPERATOR: Partial<Record<RuleView["operator"], string>> = { ">=": "≥", ">": ">" };

/**
 * "p95 of api.response_time over 1m > 1000 for 30s": the rule in one line, as an on-call reads it.
 * An anomaly rule: "anomaly score of p95 of api.response_time ≥ 0.8 for 2m" (no window: the detector judges each minute).
 */
export function describeRule(rule: Described): string {
  if (rule.kind === "anomaly") {
    return `anomaly score of ${rule.aggregation} of ${rule.metric} ${ANOMALY_OPERATOR[rule.operator] ?? rule.operator} ${rule.threshold} for ${rule.for}`;
  }
  const of = rule.aggregation === "ratio" && rule.denominator ? `${rule.metric} / ${rule.denominator}` : rule.metric;
  return `${rule.aggregation} of ${of} over ${rule.window} ${rule.operator} ${rule.threshold} for ${rule.for}`;
}
