import type { Observation } from "./engine";
import { selectorsOf, type Selector, type WindowSpec } from "./observe";
import { EMPTY_STATS, observationFrom, type WindowStats } from "./window-stats";

interface MemorySeries {
  metric: string;
  service: string;
  ts: number[];
  values: number[];
}

/** percentile_cont, as Postgres computes it: linear between the two nearest ranks. */
export function percentileCont(sorted: readonly number[], fraction: number): number {
  const at = fraction * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

/** First index whose timestamp is greater than `t` (timestamps ascending). */
function upperBound(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Samples held in memory with the same window semantics as observe.ts's SQL: `rules:replay`
 * and backtests feed the rule engine from here, the live evaluator from the store.
 * Series carry no tags, so a rule with a tag filter matches nothing here.
 */
export class MemoryWindows {
  private readonly series = new Map<string, MemorySeries>();

  /** Adds a sample; call `seal()` after the last, before observing. */
  add(metric: string, service: string, ts: number, value: number): void {
    const key = `${metric}\u0000${service}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { metric, service, ts: [], values: [] }));
    s.ts.push(ts);
    s.values.push(value);
  }

  /** Sorts every series by time (a csv need not be in order). */
  seal(): void {
    for (const s of this.series.values()) {
      if (s.ts.every((t, i) => i === 0 || s.ts[i - 1]! <= t)) continue;
      const order = s.ts.map((_, i) => i).sort((a, b) => s.ts[a]! - s.ts[b]! || a - b);
      s.ts = order.map((i) => s.ts[i]!);
      s.values = order.map((i) => s.values[i]!);
    }
  }

  /** The earliest and latest sample times, or null when empty. */
  span(): { from: number; to: number } | null {
    let from = Infinity;
    let to = -Infinity;
    for (const s of this.series.values()) {
      if (s.ts.length === 0) continue;
      from = Math.min(from, s.ts[0]!);
      to = Math.max(to, s.ts.at(-1)!);
    }
    return from === Infinity ? null : { from, to };
  }

  observe(specs: readonly WindowSpec[], now: number): Observation[] {
    return specs.map((spec) => {
      const { own, denominator } = selectorsOf(spec);
      return observationFrom(spec.aggregation, spec.windowSeconds, this.stats(own, now), denominator && this.stats(denominator, now));
    });
  }

  private stats(selector: Selector, now: number): WindowStats {
    if (Object.keys(selector.tags).length > 0) return EMPTY_STATS;
    const from = now - selector.windowSeconds * 1000;
    const values: number[] = [];
    let sum = 0;
    let increase = 0;
    let steps = 0;
    let last: number | null = null;
    let lastTs = -Infinity;
    for (const s of this.series.values()) {
      if (s.metric !== selector.metric || (selector.service !== null && s.service !== selector.service)) continue;
      const start = upperBound(s.ts, from);
      const end = upperBound(s.ts, now);
      for (let i = start; i < end; i++) {
        const value = s.values[i]!;
        values.push(value);
        sum += value;
        if (i > start) {
          const prev = s.values[i - 1]!;
          increase += value >= prev ? value - prev : value;
          steps++;
        }
      }
      if (end > start && s.ts[end - 1]! >= lastTs) {
        lastTs = s.ts[end - 1]!;
        last = s.values[end - 1]!;
      }
    }
    if (values.length === 0) return EMPTY_STATS;
    let min = Infinity;
    let max = -Infinity;
    for (const value of values) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    // Sorting is the costly part of a step: only for a percentile, as the SQL does.
    const sorted = selector.needsPercentiles ? values.sort((a, b) => a - b) : null;
    return {
      count: values.length,
      sum,
      avg: sum / values.length,
      min,
      max,
      last,
      p50: sorted && percentileCont(sorted, 0.5),
      p90: sorted && percentileCont(sorted, 0.9),
      p95: sorted && percentileCont(sorted, 0.95),
      p99: sorted && percentileCont(sorted, 0.99),
      increase: steps > 0 ? increase : null,
    };
  }
}
