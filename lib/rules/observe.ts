import { sql } from "drizzle-orm";
import { selectRows, type Db } from "@/db";
import type { Aggregation } from "@/db/schema";
import type { Observation } from "./engine";
import { EMPTY_STATS, observationFrom, type WindowStats } from "./window-stats";

/** What a rule (or a dashboard card) looks at: a metric's matching series over a trailing window. */
export interface WindowSpec {
  metric: string;
  /** null pools every service's samples. */
  service: string | null;
  /** Exact-match filter on the series' tags. */
  tags: Record<string, string>;
  aggregation: Aggregation;
  /** The metric a `ratio` divides by. */
  denominator: string | null;
  windowSeconds: number;
}

/** The samples one query reads: rules sharing a selector share its rows. */
export interface Selector {
  metric: string;
  service: string | null;
  tags: Record<string, string>;
  windowSeconds: number;
  /** Whether any spec reading it wants a percentile (the one costly aggregate). */
  needsPercentiles: boolean;
}

const PERCENTILES: ReadonlySet<Aggregation> = new Set(["p50", "p90", "p95", "p99"]);

function selectorKey(s: Selector): string {
  return JSON.stringify([s.metric, s.service, Object.entries(s.tags).sort(([a], [b]) => a.localeCompare(b)), s.windowSeconds]);
}

/** The selectors a spec reads: its own, and for a ratio the denominator's. */
export function selectorsOf(spec: WindowSpec): { own: Selector; denominator?: Selector } {
  const own = { metric: spec.metric, service: spec.service, tags: spec.tags, windowSeconds: spec.windowSeconds, needsPercentiles: PERCENTILES.has(spec.aggregation) };
  return spec.aggregation === "ratio" && spec.denominator ? { own, denominator: { ...own, metric: spec.denominator, needsPercentiles: false } } : { own };
}

/**
 * Every spec's value at `now` in one query, whatever their number: the evaluator runs this
 * every second over every active rule, so one round trip, not one per rule.
 */
export async function observeWindows(db: Db, specs: readonly WindowSpec[], now: Date): Promise<Observation[]> {
  const selectors = new Map<string, Selector>();
  const add = (selector: Selector) => {
    const key = selectorKey(selector);
    const known = selectors.get(key);
    selectors.set(key, known ? { ...known, needsPercentiles: known.needsPercentiles || selector.needsPercentiles } : selector);
  };
  for (const spec of specs) {
    const { own, denominator } = selectorsOf(spec);
    add(own);
    if (denominator) add(denominator);
  }
  const stats = await selectorStats(db, [...selectors.values()], now);
  const statsOf = (s: Selector) => stats.get(selectorKey(s)) ?? EMPTY_STATS;
  return specs.map((spec) => {
    const { own, denominator } = selectorsOf(spec);
    return observationFrom(spec.aggregation, spec.windowSeconds, statsOf(own), denominator && statsOf(denominator));
  });
}

interface StatsRow {
  k: number;
  n: number | string;
  sum: number | string | null;
  avg: number | string | null;
  min: number | string | null;
  max: number | string | null;
  last: number | string | null;
  pct: number[] | string | null;
  increase: number | string | null;
}

async function selectorStats(db: Db, selectors: readonly Selector[], now: Date): Promise<Map<string, WindowStats>> {
  if (selectors.length === 0) return new Map();
  const nowIso = now.toISOString();
  const rows = sql.join(
    selectors.map(
      (s, k) =>
        sql`(${k}::int, ${s.metric}::text, ${s.service}::text, ${JSON.stringify(s.tags)}::jsonb, ${new Date(now.getTime() - s.windowSeconds * 1000).toISOString()}::timestamptz, ${s.needsPercentiles}::boolean)`,
    ),
    sql`, `,
  );
  // lag() per series gives each sample's step for `rate` (no step in the window: no rate, not
  // a rate of 0); percentiles sort, so only selectors a percentile rule reads pay for them.
  const result = await selectRows<StatsRow>(db, sql`
    with spec(k, metric, service, tags, from_ts, needs_pct) as (values ${rows}),
    win as (
      select spec.k, spec.needs_pct, sm.ts, sm.value,
             lag(sm.value) over (partition by spec.k, sm.series_id order by sm.ts) as prev
      from spec
      join series se on se.name = spec.metric and (spec.service is null or se.service = spec.service) and se.tags @> spec.tags
      join sample sm on sm.series_id = se.id and sm.ts > spec.from_ts and sm.ts <= ${nowIso}::timestamptz
    )
    select k, count(*) as n, sum(value) as sum, avg(value) as avg, min(value) as min, max(value) as max,
           (array_agg(value order by ts desc))[1] as last,
           percentile_cont(array[0.5, 0.9, 0.95, 0.99]) within group (order by value) filter (where needs_pct) as pct,
           sum(case when prev is null then null when value >= prev then value - prev else value end) as increase
    from win group by k`);
  const byKey = new Map<string, WindowStats>();
  for (const row of result) {
    const [p50, p90, p95, p99] = parsePercentiles(row.pct);
    byKey.set(selectorKey(selectors[Number(row.k)]!), {
      count: Number(row.n),
      sum: num(row.sum),
      avg: num(row.avg),
      min: num(row.min),
      max: num(row.max),
      last: num(row.last),
      p50,
      p90,
      p95,
      p99,
      increase: num(row.increase),
    });
  }
  return byKey;
}

function num(value: number | string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A float8[] as postgres.js and PGlite hand it over: parsed, or (older drivers) as `{1,2}` text. */
function parsePercentiles(value: number[] | string | null): [number | null, number | null, number | null, number | null] {
  if (value === null) return [null, null, null, null];
  const list: (number | string)[] = Array.isArray(value) ? value : value.replace(/[{}]/g, "").split(",");
  return [num(list[0]), num(list[1]), num(list[2]), num(list[3])];
}
