import { describe, expect, it } from "vitest";
import { SCENARIOS, scoreAll, scoreScenario } from "../scenarios/alert-scenarios";

describe("labelled alert scenarios through the production engine", () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s: every labelled incident fires in time, and nothing else fires", (_name, scenario) => {
    const score = scoreScenario(scenario);
    expect(score.missed, scenario.story).toEqual([]);
    expect(score.alerts.filter((a) => !a.incident), scenario.story).toEqual([]);
    expect(score.alerts).toHaveLength(scenario.incidents.length);
  });

  it("a sustained breach fires within `for` + 2 s of its first breaching sample", () => {
    const score = scoreScenario(SCENARIOS.find((s) => s.name === "sustained breach")!);
    expect(Math.max(...score.lateness)).toBeLessThanOrEqual(2_000 + 5_000); // the p95's own crossing, then ≤ 2 s
    const checkout = score.alerts.find((a) => a.rule === "checkout last > 3000 ms")!;
    expect(checkout.firedAt - Date.parse("2026-03-02T03:11:40Z")).toBeLessThanOrEqual(5_000 + 2_000);
  });

  it("over all of them: no critical false positive", () => {
    const all = scoreAll();
    expect(all.criticalAlerts).toBeGreaterThan(0);
    expect(all.criticalFalsePositiveRate).toBe(0);
    expect(all.missed).toBe(0);
  });
});
