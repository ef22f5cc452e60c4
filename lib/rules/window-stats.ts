import type { Aggregation } from "@/db/schema";
import type { Observation } from "./engine";

/**
 * Everything any aggregation needs from one selector's window, computed once however many
 * rules share the selector. The SQL (observe.ts) and the in-memory windows of replays and
 * backtests (memory-windows.ts) both produce this, so the rule engine sees the same numbers
 * from either. Percentiles are null where no rule reading the selector wants one.
 */
export interface WindowStats {
  count: number;
  sum: number | null;
  avg: number | null;
  min: number | null;
  max: number | null;
  last: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  /** Sum over series of each step's increase, a drop counted as a counter reset; null with no step in the window. */
  increase: number | null;
}

export const EMPTY_STATS: WindowStats = {
  count: 0,
  sum: null,
  avg: null,
  min: null,
  max: null,
  last: null,
  p50: null,
  p90: null,
  p95: null,
  p99: null,
  increase: null,
};

/** The rule's value from its selector's stats (and the denominator's, for a ratio). */
export function observationFrom(
  aggregation: Aggregation,
  windowSeconds: number,
  stats: WindowStats,
  denominator?: WindowStats,
): Observation {
  const sampleCount = stats.count;
  // An empty window counts 0; every other aggregate of nothing is no data.
  if (aggregation === "count") return { value: sampleCount, sampleCount };
  if (sampleCount === 0) return { value: null, sampleCount };
  switch (aggregation) {
    case "rate":
      return { value: stats.increase === null ? null : stats.increase / windowSeconds, sampleCount };
    case "ratio": {
      const below = denominator?.sum ?? null;
      // Nothing to divide by is no data, not infinity.
      return { value: stats.sum === null || !below ? null : (stats.sum / below) * 100, sampleCount };
    }
    default:
      return { value: stats[aggregation], sampleCount };
  }
}
