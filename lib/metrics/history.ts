import { sql, type SQL } from "drizzle-orm";
import { selectRows } from "@/db";
import type { Ctx } from "@/lib/context";
import { mergeSketches, sketchQuantile, type Sketch } from "@/lib/rollups/sketch";

export const PERIODS = ["1h", "24h", "7d", "30d"] as const;
export type Period = (typeof PERIODS)[number];
export type HistorySource = "raw" | "rollup_1m" | "rollup_1h";

export interface Resolution {
  source: HistorySource;
  spanMs: number;
  stepSeconds: number;
}

/**
 * Where each period reads from and how finely: the coarsest source that still gives a
 * few hundred points, so a month costs about as much to draw as an hour.
 */
export const RESOLUTIONS: Record<Period, Resolution> = {
  "1h": { source: "raw", spanMs: 3_600_000, stepSeconds: 15 }, // 240 points
  "24h": { source: "rollup_1m", spanMs: 86_400_000, stepSeconds: 300 }, // 288
  "7d": { source: "rollup_1h", spanMs: 7 * 86_400_000, stepSeconds: 3600 }, // 168
  "30d": { source: "rollup_1h", spanMs: 30 * 86_400_000, stepSeconds: 3 * 3600 }, // 240
};

export interface HistoryQuery {
  metric: string;
  /** null pools every service's series of the metric. */
  service: string | null;
  /** Exact-match tag filter; a series matches when it has all of these. */
  tags?: Record<string, string>;
  period: Period;
}

/** One time bucket. Empty buckets are kept (count 0, values null) so charts show gaps as gaps. */
export interface HistoryPoint {
  t: number;
  count: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  sum: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface History {
  metric: string;
  service: string | null;
  period: Period;
  source: HistorySource;
  stepSeconds: number;
  from: number;
  to: number;
  points: HistoryPoint[];
}

const ORIGIN = sql.raw("timestamptz '2000-01-01 00:00:00+00'");

export async function loadHistory(ctx: Ctx, q: HistoryQuery): Promise<History> {
  return loadHistoryAt(ctx, q, RESOLUTIONS[q.period]);
}

/** The same, at a resolution other than the period's own (the trends page's hour-of-day profile). */
export async function loadHistoryAt(ctx: Ctx, q: HistoryQuery, resolution: Resolution): Promise<History> {
  const { source, spanMs, stepSeconds } = resolution;
  const stepMs = stepSeconds * 1000;
  const to = ctx.now().getTime();
  const from = Math.floor((to - spanMs) / stepMs) * stepMs + stepMs;
  const points = await loadBuckets(ctx, q, { source, from, to: to + 1, stepSeconds });
  return { metric: q.metric, service: q.service, period: q.period, source, stepSeconds, from, to, points };
}

/**
 * Every bucket of `stepSeconds` starting in [from, to), empty ones included, from one source:
 * the history's charts, and the anomaly detector reading its 1-minute rollups.
 */
export async function loadBuckets(
  ctx: Ctx,
  q: Omit<HistoryQuery, "period">,
  { source, from, to, stepSeconds }: { source: HistorySource; from: number; to: number; stepSeconds: number },
): Promise<HistoryPoint[]> {
  const stepMs = stepSeconds * 1000;
  const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  const step = `${stepSeconds} seconds`;
  const buckets = source === "raw" ? await rawBuckets(ctx, q, range, step) : await rollupBuckets(ctx, q, source, range, step);
  const byTime = new Map(buckets.map((b) => [b.t, b]));
  const points: HistoryPoint[] = [];
  for (let t = Math.ceil(from / stepMs) * stepMs; t < to; t += stepMs) points.push(byTime.get(t) ?? emptyPoint(t));
  return points;
}

function emptyPoint(t: number): HistoryPoint {
  return { t, count: 0, avg: null, min: null, max: null, sum: null, p50: null, p95: null, p99: null };
}

function seriesFilter(q: Omit<HistoryQuery, "period">): SQL {
  const service = q.service === null ? sql`` : sql` and series.service = ${q.service}`;
  const tags = q.tags && Object.keys(q.tags).length > 0 ? sql` and series.tags @> ${JSON.stringify(q.tags)}::jsonb` : sql``;
  return sql`series.name = ${q.metric}${service}${tags}`;
}

/** ISO strings, not Dates: inside a raw `sql` template drizzle has no column to map a Date for postgres.js. */
interface Range {
  from: string;
  to: string;
}

type Num = number | string | null;
const num = (v: Num): number | null => (v === null ? null : Number(v));

/** The last hour straight from raw samples: exact percentiles. */
async function rawBuckets(ctx: Ctx, q: Omit<HistoryQuery, "period">, range: Range, step: string): Promise<HistoryPoint[]> {
  const rows = await selectRows<{ t: Date | string; n: Num; s: Num; lo: Num; hi: Num; p50: Num; p95: Num; p99: Num }>(
    ctx.db,
    sql`select date_bin(${step}::interval, sample.ts, ${ORIGIN}) as t, count(*) as n, sum(sample.value) as s,
               min(sample.value) as lo, max(sample.value) as hi,
               percentile_cont(0.5) within group (order by sample.value) as p50,
               percentile_cont(0.95) within group (order by sample.value) as p95,
               percentile_cont(0.99) within group (order by sample.value) as p99
        from sample join series on series.id = sample.series_id
        where ${seriesFilter(q)} and sample.ts >= ${range.from} and sample.ts < ${range.to}
        group by 1`,
  );
  return rows.map((r) => {
    const count = Number(r.n);
    const sum = num(r.s);
    return {
      t: new Date(r.t).getTime(),
      count,
      sum,
      avg: sum === null || count === 0 ? null : sum / count,
      min: num(r.lo),
      max: num(r.hi),
      p50: num(r.p50),
      p95: num(r.p95),
      p99: num(r.p99),
    };
  });
}

/**
 * Longer periods from rollups: the rows come back as they are and merge here (totals add
 * up, sketches merge, percentiles read off the merged sketch). Merging in SQL would mean
 * expanding every sketch into rows; the rows are few, so JavaScript is the cheaper place.
 */
async function rollupBuckets(ctx: Ctx, q: Omit<HistoryQuery, "period">, source: Exclude<HistorySource, "raw">, range: Range, step: string) {
  const rows = await selectRows<{ t: Date | string; n: Num; s: Num; lo: Num; hi: Num; sketch: Sketch | string }>(
    ctx.db,
    sql`select date_bin(${step}::interval, r.bucket, ${ORIGIN}) as t, r.count as n, r.sum as s, r.min as lo, r.max as hi, r.sketch
        from ${sql.raw(source)} r join series on series.id = r.series_id
        where ${seriesFilter(q)} and r.bucket >= ${range.from} and r.bucket < ${range.to}`,
  );
  const buckets = new Map<number, { count: number; sum: number; min: number; max: number; sketch: Sketch }>();
  for (const row of rows) {
    const t = new Date(row.t).getTime();
    const sketch = typeof row.sketch === "string" ? (JSON.parse(row.sketch) as Sketch) : row.sketch;
    const bucket = buckets.get(t);
    if (!bucket) {
      buckets.set(t, { count: Number(row.n), sum: Number(row.s), min: Number(row.lo), max: Number(row.hi), sketch: { ...sketch } });
      continue;
    }
    bucket.count += Number(row.n);
    bucket.sum += Number(row.s);
    bucket.min = Math.min(bucket.min, Number(row.lo));
    bucket.max = Math.max(bucket.max, Number(row.hi));
    mergeSketches(bucket.sketch, sketch);
  }
  return [...buckets].map(([t, b]): HistoryPoint => {
    const bounds = { min: b.min, max: b.max };
    return {
      t,
      count: b.count,
      sum: b.sum,
      avg: b.count === 0 ? null : b.sum / b.count,
      min: b.min,
      max: b.max,
      p50: sketchQuantile(b.sketch, 0.5, bounds),
      p95: sketchQuantile(b.sketch, 0.95, bounds),
      p99: sketchQuantile(b.sketch, 0.99, bounds),
    };
  });
}

/**
 * The same 7-day question answered from raw rows: what the benchmark compares the rollup
 * path against. Not used by the API.
 */
export async function loadHistoryFromRaw(ctx: Ctx, q: HistoryQuery): Promise<HistoryPoint[]> {
  return (await loadHistoryAt(ctx, q, { ...RESOLUTIONS[q.period], source: "raw" })).points;
}
