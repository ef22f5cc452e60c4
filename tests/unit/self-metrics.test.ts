import { describe, expect, it } from "vitest";
import { SelfMetrics } from "@/lib/metrics/self-metrics";

describe("SelfMetrics", () => {
  it("buffers samples under the 'vigil' service until drained", () => {
    const metrics = new SelfMetrics();
    metrics.record("vigil.http.response_time", 12, "ms", { route: "health" }, 1000);
    expect(metrics.size).toBe(1);
    expect(metrics.drain()).toEqual([
      { metric: "vigil.http.response_time", service: "vigil", unit: "ms", tags: { route: "health" }, value: 12, ts: 1000 },
    ]);
    expect(metrics.size).toBe(0);
  });

  it("drops new samples rather than grow without bound while the store is down", () => {
    const metrics = new SelfMetrics();
    for (let i = 0; i < 50_010; i++) metrics.record("m", i, "");
    expect(metrics.size).toBe(50_000);
  });

  it("keeps ready-made samples as they are, under the same bound", () => {
    const metrics = new SelfMetrics();
    const sample = { metric: "check.up", service: "checks", tags: { check: "vigil-store" }, value: 1, ts: 5 };
    metrics.add([sample]);
    expect(metrics.drain()).toEqual([sample]);
    for (let i = 0; i < 50_000; i++) metrics.record("m", i, "");
    metrics.add([sample]);
    expect(metrics.size).toBe(50_000);
  });
});
