import type { Aggregation, Comparison } from "@/db/schema";
import type { WindowStats } from "@/lib/metrics/aggregate";

export interface RuleSpec {
  name: string;
  metric: string;
  aggregation: Aggregation;
  windowSeconds: number;
  comparison: Comparison;
  threshold: number;
}

export type RuleDecision =
  | { action: "fire"; value: number; reason: string }
  | { action: "resolve"; value: number; reason: string }
  | { action: "none"; reason: string };

export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}

/** "p95 of api.response_time is 1840 over the last 60 s (alert when > 1000)" */
export function describeValue(rule: RuleSpec, value: number): string {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return `${rule.aggregation} of ${rule.metric} is ${shown} over the last ${rule.windowSeconds} s (alert when ${rule.comparison} ${rule.threshold})`;
}

/**
 * Whether an alert should open or close, given the window and whether one is open now.
 * No samples means no evidence either way, so the current state stands.
 */
export function evaluateRule(rule: RuleSpec, stats: WindowStats, alertOpen: boolean): RuleDecision {
  if (stats.value === null || stats.sampleCount === 0) {
    return { action: "none", reason: `no samples of ${rule.metric} in the last ${rule.windowSeconds} s` };
  }
  const breached = compare(stats.value, rule.comparison, rule.threshold);
  const reason = describeValue(rule, stats.value);
  if (breached && !alertOpen) return { action: "fire", value: stats.value, reason };
  if (!breached && alertOpen) return { action: "resolve", value: stats.value, reason };
  return { action: "none", reason };
}
