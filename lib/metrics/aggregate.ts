import { and, eq, gt, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { sample, series, type Aggregation } from "@/db/schema";

/** SQL for one aggregation over `sample.value`; identical on Postgres and PGlite. A ratio is two sums, see aggregateWindow. */
export function aggregateSql(aggregation: Exclude<Aggregation, "ratio">): SQL<number | null> {
  switch (aggregation) {
    case "last":
      return sql`(array_agg(${sample.value} order by ${sample.ts} desc))[1]`;
    case "avg":
      return sql`avg(${sample.value})`;
    case "min":
      return sql`min(${sample.value})`;
    case "max":
      return sql`max(${sample.value})`;
    case "sum":
      return sql`sum(${sample.value})`;
    case "count":
      return sql`count(*)`;
    case "p50":
    case "p90":
    case "p95":
    case "p99": {
      const fraction = Number(aggregation.slice(1)) / 100;
      return sql`percentile_cont(${sql.raw(String(fraction))}) within group (order by ${sample.value})`;
    }
  }
}

export interface WindowQuery {
  metric: string;
  /** null pools every service's samples. */
  service: string | null;
  aggregation: Aggregation;
  /** The metric a `ratio` divides by. */
  denominator?: string | null;
  from: Date;
  to: Date;
}

export interface WindowStats {
  /** null when the window holds no samples (or, for a ratio, nothing to divide by). */
  value: number | null;
  /** Samples of the metric itself (the numerator, for a ratio). */
  sampleCount: number;
}

/** Aggregates one metric over (from, to]. */
export async function aggregateWindow(db: Db, q: WindowQuery): Promise<WindowStats> {
  if (q.aggregation === "ratio") return ratioWindow(db, q);
  const aggregation = q.aggregation;
  const [row] = await db
    .select({ value: aggregateSql(aggregation).mapWith(nullableNumber), sampleCount: sql<number>`count(*)`.mapWith(Number) })
    .from(sample)
    .innerJoin(series, eq(series.id, sample.seriesId))
    .where(
      and(
        eq(series.name, q.metric),
        q.service === null ? undefined : eq(series.service, q.service),
        gt(sample.ts, q.from),
        lte(sample.ts, q.to),
      ),
    );
  return { value: row?.value ?? null, sampleCount: row?.sampleCount ?? 0 };
}

/** sum(metric) / sum(denominator) × 100 over the window, in one pass over both series. */
async function ratioWindow(db: Db, q: WindowQuery): Promise<WindowStats> {
  if (!q.denominator) throw new Error(`a ratio of ${q.metric} needs a denominator metric`);
  const isNumerator = sql`${series.name} = ${q.metric}`;
  const [row] = await db
    .select({
      numerator: sql`sum(${sample.value}) filter (where ${isNumerator})`.mapWith(nullableNumber),
      denominator: sql`sum(${sample.value}) filter (where not ${isNumerator})`.mapWith(nullableNumber),
      sampleCount: sql<number>`count(*) filter (where ${isNumerator})`.mapWith(Number),
    })
    .from(sample)
    .innerJoin(series, eq(series.id, sample.seriesId))
    .where(
      and(
        inArray(series.name, [q.metric, q.denominator]),
        q.service === null ? undefined : eq(series.service, q.service),
        gt(sample.ts, q.from),
        lte(sample.ts, q.to),
      ),
    );
  const numerator = row?.numerator ?? null;
  const denominator = row?.denominator ?? null;
  const value = numerator === null || !denominator ? null : (numerator / denominator) * 100;
  return { value, sampleCount: row?.sampleCount ?? 0 };
}

function nullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
