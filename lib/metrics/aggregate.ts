import { and, eq, gt, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { sample, series, type Aggregation } from "@/db/schema";

/** SQL for one aggregation over `sample.value`; identical on Postgres and PGlite. */
export function aggregateSql(aggregation: Aggregation): SQL<number | null> {
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
  from: Date;
  to: Date;
}

/** Aggregates one metric over (from, to]. */
export async function aggregateWindow(db: Db, q: WindowQuery): Promise<{ value: number | null; sampleCount: number }> {
  const [row] = await db
    .select({ value: aggregateSql(q.aggregation).mapWith(nullableNumber), sampleCount: sql<number>`count(*)`.mapWith(Number) })
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

function nullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
