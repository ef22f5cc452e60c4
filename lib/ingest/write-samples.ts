import { sql } from "drizzle-orm";
import type { Store } from "@/db";
import { series } from "@/db/schema";
import type { Sample } from "./batch-schema";

/** Canonical series identity: tags sorted so {a,b} and {b,a} are one series. */
export function seriesKey(service: string, metric: string, tags: Record<string, string>): string {
  const tagPart = Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(",");
  return `${service}|${metric}|${tagPart}`;
}

/**
 * Series ids by key. Ids never change once assigned, so the cache never goes stale;
 * it only saves the upsert round trip for series already seen.
 */
export class SeriesCache {
  private readonly ids = new Map<string, number>();
  get(key: string): number | undefined {
    return this.ids.get(key);
  }
  set(key: string, id: number): void {
    this.ids.set(key, id);
  }
}

/**
 * Writes samples in one statement, so a batch is all-or-nothing, and returns how many were
 * written. Resolves only after commit: the ingest route's 2xx promise rests on this.
 */
export async function writeSamples(
  store: Store,
  cache: SeriesCache,
  samples: readonly Sample[],
  /** A span the rollup job must rebuild because these samples arrived after it passed them. */
  backfill: { from: Date; to: Date } | null = null,
): Promise<number> {
  if (samples.length === 0) return 0;
  const seriesIds = await resolveSeriesIds(store, cache, samples);
  await store.query(
    // unnest keeps the statement at three parameters whatever the batch size: several times
    // faster than a VALUES list, and no parameter-count limit to chunk around. The backfill
    // mark rides in the same statement: no extra round trip, and never a mark without its
    // samples or samples without their mark.
    `with mark as (
       insert into rollup_backfill (from_ts, to_ts) select $4::timestamptz, $5::timestamptz where $4::timestamptz is not null
     )
     insert into sample (series_id, ts, value)
     select s, to_timestamp(t), v from unnest($1::int[], $2::float8[], $3::float8[]) as u(s, t, v)`,
    [
      seriesIds,
      samples.map((s) => s.ts / 1000),
      samples.map((s) => s.value),
      backfill?.from.toISOString() ?? null,
      backfill?.to.toISOString() ?? null,
    ],
  );
  return samples.length;
}

/** Series id for each sample, creating unknown series first (outside the sample write: an orphan series is harmless). */
async function resolveSeriesIds(store: Store, cache: SeriesCache, samples: readonly Sample[]): Promise<number[]> {
  const keys = samples.map((s) => seriesKey(s.service, s.metric, s.tags));
  const missing = new Map<string, Sample>();
  keys.forEach((key, i) => {
    if (cache.get(key) === undefined && !missing.has(key)) missing.set(key, samples[i]!);
  });
  if (missing.size > 0) {
    const rows = await store.db
      .insert(series)
      .values([...missing].map(([key, s]) => ({ key, name: s.metric, service: s.service, unit: s.unit, tags: s.tags })))
      // DO UPDATE (not DO NOTHING) so RETURNING also yields rows that already existed.
      .onConflictDoUpdate({ target: series.key, set: { unit: sql`coalesce(excluded.unit, ${series.unit})` } })
      .returning({ id: series.id, key: series.key });
    for (const row of rows) cache.set(row.key, row.id);
  }
  return keys.map((key) => cache.get(key)!);
}
