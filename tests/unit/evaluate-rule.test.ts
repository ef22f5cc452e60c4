import { describe, expect, it } from "vitest";
import type { Comparison } from "@/db/schema";
import { compare, evaluateRule, type RuleSpec } from "@/lib/rules/evaluate-rule";

const rule: RuleSpec = {
  name: "slow api",
  metric: "api.response_time",
  aggregation: "p95",
  windowSeconds: 60,
  comparison: ">",
  threshold: 1000,
};

describe("compare", () => {
  it.each<[number, Comparison, number, boolean]>([
    [2, ">", 1, true],
    [1, ">", 1, false],
    [1, ">=", 1, true],
    [0, ">=", 1, false],
    [0, "<", 1, true],
    [1, "<", 1, false],
    [1, "<=", 1, true],
    [2, "<=", 1, false],
    [1, "==", 1, true],
    [2, "==", 1, false],
    [2, "!=", 1, true],
    [1, "!=", 1, false],
  ])("%d %s %d is %s", (value, op, threshold, expected) => expect(compare(value, op, threshold)).toBe(expected));
});

describe("evaluateRule", () => {
  it.each([
    { name: "breach with no open alert fires", value: 1840, count: 10, open: false, action: "fire" },
    { name: "breach with an open alert stays", value: 1840, count: 10, open: true, action: "none" },
    { name: "clear with an open alert resolves", value: 200, count: 10, open: true, action: "resolve" },
    { name: "clear with nothing open stays", value: 200, count: 10, open: false, action: "none" },
    { name: "exactly the threshold is not a breach of >", value: 1000, count: 10, open: false, action: "none" },
    { name: "no samples changes nothing, even with an alert open", value: null, count: 0, open: true, action: "none" },
  ])("$name", ({ value, count, open, action }) => {
    const decision = evaluateRule(rule, { value, sampleCount: count }, open);
    expect(decision.action).toBe(action);
  });

  it("says why, with the numbers", () => {
    expect(evaluateRule(rule, { value: 1840.456, sampleCount: 3 }, false)).toEqual({
      action: "fire",
      value: 1840.456,
      reason: "p95 of api.response_time is 1840.46 over the last 60 s (alert when > 1000)",
    });
    expect(evaluateRule(rule, { value: null, sampleCount: 0 }, false).reason).toBe("no samples of api.response_time in the last 60 s");
  });
});
