import { describe, expect, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { cardState, pinCardSpec, watches, type CardRule } from "@/lib/metrics/cards";
import { overallStatus } from "@/lib/metrics/dashboard";

const rule = (severity: CardRule["severity"], breached: boolean, alertOpen = false): CardRule => ({
  ruleId: `${severity}-${breached}-${alertOpen}`,
  ruleName: severity,
  severity,
  comparison: ">",
  threshold: 1,
  aggregation: "avg",
  windowSeconds: 60,
  value: 1,
  breached,
  alertOpen,
});

describe("cardState: the colour of the most severe watching rule that is breached or still firing", () => {
  it.each([
    ["no value at all", null, [rule("critical", true)], "no-data"],
    ["data but no rule says what bad is", 5, [], "unwatched"],
    ["every rule satisfied", 5, [rule("warning", false), rule("critical", false)], "ok"],
    ["the warning rule breached", 5, [rule("warning", true), rule("critical", false)], "warning"],
    ["both breached: the worse wins", 5, [rule("warning", true), rule("critical", true)], "critical"],
    ["back under the threshold but the alert still open", 5, [rule("critical", false, true)], "critical"],
    ["an info rule never colours", 5, [rule("info", true)], "ok"],
  ] as const)("%s → %s", (_what, value, rules, state) => expect(cardState(value, rules)).toBe(state));
});

describe("which rules watch a card", () => {
  it.each([
    [{ metric: "a", service: null }, { metric: "a", service: null }, true],
    [{ metric: "a", service: "api" }, { metric: "a", service: null }, true],
    [{ metric: "a", service: null }, { metric: "a", service: "api" }, true],
    [{ metric: "a", service: "db" }, { metric: "a", service: "api" }, false],
    [{ metric: "b", service: null }, { metric: "a", service: null }, false],
  ] as const)("rule %j, card %j → %s", (r, spec, expected) => expect(watches(r, spec)).toBe(expected));
});

describe("a pinned metric as a card", () => {
  it("is titled by its metric and service unless given a title, and can be unpinned", () => {
    const pin = { id: "p1", metric: "queue.depth", service: "jobs", aggregation: "max", windowSeconds: 60, title: null, unit: null } as const;
    expect(pinCardSpec({ ...pin, createdBy: null, createdAt: new Date() })).toMatchObject({
      key: "pin-p1",
      title: "queue.depth (jobs)",
      pinId: "p1",
      unit: "",
    });
  });
});

describe("overallStatus", () => {
  const a = (severity: AlertView["severity"], status: AlertView["status"]) => ({ severity, status }) as AlertView;
  it.each([
    [[], "operational"],
    [[a("critical", "resolved")], "operational"],
    [[a("warning", "firing")], "degraded"],
    [[a("warning", "acknowledged"), a("critical", "firing")], "outage"],
  ] as const)("%j → %s", (alerts, status) => expect(overallStatus([...alerts])).toBe(status));
});
