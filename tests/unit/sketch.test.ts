import { describe, expect, it } from "vitest";
import { addToSketch, mergeSketches, RELATIVE_ACCURACY, sketchKey, sketchQuantile, type Sketch } from "@/lib/rollups/sketch";

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function sketchOf(values: number[]): Sketch {
  const sketch: Sketch = {};
  for (const v of values) addToSketch(sketch, v);
  return sketch;
}

describe("quantile sketch", () => {
  // A long-tailed latency distribution, deterministic.
  const latencies = Array.from({ length: 20_000 }, (_, i) => 20 + ((i * 7919) % 1000) ** 1.7 / 50);

  it("reads every quantile back within the relative accuracy", () => {
    const sketch = sketchOf(latencies);
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = exactQuantile(latencies, q);
      const estimate = sketchQuantile(sketch, q)!;
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-9);
    }
  });

  it("merges: the quantiles of two halves merged equal those of the whole", () => {
    const merged = mergeSketches(sketchOf(latencies.slice(0, 7000)), sketchOf(latencies.slice(7000)));
    const whole = sketchOf(latencies);
    for (const q of [0.5, 0.95, 0.99]) expect(sketchQuantile(merged, q)).toBe(sketchQuantile(whole, q));
  });

  it("handles negatives and zero, and clamps to exact bounds", () => {
    const values = [-50, -3, 0, 0, 2, 8, 1000];
    const sketch = sketchOf(values);
    expect(sketchKey(0)).toBe("z");
    expect(sketchKey(-3)).toMatch(/^n/);
    expect(sketchQuantile(sketch, 0, { min: -50, max: 1000 })).toBe(-50);
    expect(sketchQuantile(sketch, 1, { min: -50, max: 1000 })).toBe(1000);
    expect(sketchQuantile(sketch, 0.5)).toBe(0);
    expect(Math.abs(sketchQuantile(sketch, 0.2)! + 3) / 3).toBeLessThanOrEqual(RELATIVE_ACCURACY);
  });

  it("says nothing for an empty sketch", () => {
    expect(sketchQuantile({}, 0.95)).toBeNull();
  });
});
