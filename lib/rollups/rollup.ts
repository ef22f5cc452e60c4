import type { Store } from "@/db";
import type { Sample } from "@/lib/ingest/batch-schema";
import { sketchKeySql } from "./sketch";

/**
 * Rollups: raw samples folded into 1-minute rows, 1-minute rows into 1-hour rows. Every
 * build is an upsert over whole buckets, so rebuilding a span is always safe: the job
 * simply rebuilds the last few minutes on every run and any span marked as backfilled.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Bucket boundaries are absolute (UTC), whatever the session's time zone. */
const ORIGIN = "timestamptz '2000-01-01 00:00:00+00'";
/** Each run rebuilds this many trailing minutes, so samples that were a little late are folded in. */
const TRAILING_MINUTES = 3;
/** Samples older than this when written are marked for backfill: the trailing rebuild may miss them. */
const LATE_AFTER_MS = MINUTE_MS;

export interface RetentionPolicy {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { rawDays: 7, minuteDays: 30, hourDays: 365 };

/** Timestamps go to raw queries as ISO strings: postgres.js's unsafe() does not serialise Dates. */
const iso = (ms: number) => new Date(ms).toISOString();
const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;

/** Rebuilds the 1-minute rollups of every series for the minutes in [from, to). */
export async function rollUpMinutes(store: Store, from: Date, to: Date): Promise<void> {
  await store.query(
    `insert into rollup_1m (series_id, bucket, count, sum, min, max, sketch)
     select series_id, bucket, sum(n)::int, sum(s), min(lo), max(hi), jsonb_object_agg(k, n)
     from (
       select series_id, date_bin('1 minute', ts, ${ORIGIN}) as bucket, ${sketchKeySql("value")} as k,
              count(*) as n, sum(value) as s, min(value) as lo, max(value) as hi
       from sample
       where ts >= $1 and ts < $2
       group by 1, 2, 3
     ) by_key
     group by series_id, bucket
     on conflict (series_id, bucket) do update
       set count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max, sketch = excluded.sketch`,
    [iso(floorTo(from.getTime(), MINUTE_MS)), iso(ceilTo(to.getTime(), MINUTE_MS))],
  );
}

/** Rebuilds the 1-hour rollups for the hours in [from, to) from the 1-minute rollups. */
export async function rollUpHours(store: Store, from: Date, to: Date): Promise<void> {
  await store.query(
    `with minutes as (
       select series_id, date_bin('1 hour', bucket, ${ORIGIN}) as hour, count, sum, min, max, sketch
       from rollup_1m where bucket >= $1 and bucket < $2
     ),
     totals as (
       select series_id, hour, sum(count)::int as n, sum(sum) as s, min(min) as lo, max(max) as hi
       from minutes group by series_id, hour
     ),
     sketches as (
       select series_id, hour, jsonb_object_agg(k, c) as sketch
       from (
         select series_id, hour, e.key as k, sum(e.value::bigint) as c
         from minutes, jsonb_each_text(minutes.sketch) as e
         group by 1, 2, 3
       ) by_key
       group by series_id, hour
     )
     insert into rollup_1h (series_id, bucket, count, sum, min, max, sketch)
     select t.series_id, t.hour, t.n, t.s, t.lo, t.hi, k.sketch
     from totals t join sketches k using (series_id, hour)
     on conflict (series_id, bucket) do update
       set count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max, sketch = excluded.sketch`,
    [iso(floorTo(from.getTime(), HOUR_MS)), iso(ceilTo(to.getTime(), HOUR_MS))],
  );
}

/**
 * Rebuilds both levels for [from, to): what a backfill or a bulk load needs. Long spans go
 * an hour (minutes) or a day (hours) at a time, so no statement groups millions of rows
 * at once or holds its locks for long.
 */
export async function rollUpRange(store: Store, from: Date, to: Date): Promise<void> {
  // BRIN only narrows a scan over page ranges it has summarised. On Postgres autovacuum
  // does that (the index is autosummarize); PGlite has no autovacuum, so do it here.
  if (store.kind === "pglite") await store.query("select brin_summarize_new_values('sample_ts_brin')");
  const end = to.getTime();
  for (let t = floorTo(from.getTime(), MINUTE_MS); t < end; t += HOUR_MS) {
    await rollUpMinutes(store, new Date(t), new Date(Math.min(t + HOUR_MS, end)));
  }
  for (let t = floorTo(from.getTime(), HOUR_MS); t < end; t += DAY_MS) {
    await rollUpHours(store, new Date(t), new Date(Math.min(t + DAY_MS, end)));
  }
}

/**
 * One run of the rollup job: from the trailing minutes (including the current, partial one,
 * so history is never more than a run behind) or from where the last successful run got,
 * whichever is earlier; then every span marked as backfilled. Nothing older than the raw
 * retention is rebuilt: those raw rows are gone, and rebuilding from what is left would
 * overwrite complete rollups with partial ones.
 */
export async function rollUpRecent(store: Store, now: Date, policy: RetentionPolicy = DEFAULT_RETENTION): Promise<{ backfilledSpans: number }> {
  const currentMinute = floorTo(now.getTime(), MINUTE_MS);
  const oldestRebuildable = now.getTime() - policy.rawDays * DAY_MS;
  const [watermark] = await store.query<{ rolled_to: Date | string }>("select rolled_to from rollup_watermark where id = 1");
  const trailing = currentMinute - TRAILING_MINUTES * MINUTE_MS;
  const from = Math.max(oldestRebuildable, Math.min(trailing, watermark ? new Date(watermark.rolled_to).getTime() : trailing));
  await rollUpRange(store, new Date(from), new Date(now.getTime() + 1));
  await store.query(
    `insert into rollup_watermark (id, rolled_to) values (1, $1)
     on conflict (id) do update set rolled_to = excluded.rolled_to`,
    [iso(currentMinute)],
  );

  const marks = await store.query<{ id: string; from_ts: Date | string; to_ts: Date | string }>(
    "select id, from_ts, to_ts from rollup_backfill order by from_ts limit 1000",
  );
  const spans = mergeSpans(
    marks
      .map((m) => ({ from: Math.max(oldestRebuildable, new Date(m.from_ts).getTime()), to: new Date(m.to_ts).getTime() }))
      .filter((span) => span.from < span.to),
  );
  for (const span of spans) await rollUpRange(store, new Date(span.from), new Date(span.to));
  if (marks.length > 0) await store.query("delete from rollup_backfill where id = any($1::uuid[])", [marks.map((m) => m.id)]);
  return { backfilledSpans: spans.length };
}

/** Overlapping or adjacent (within a minute) spans become one, so a burst of late batches is rebuilt once. */
export function mergeSpans(spans: { from: number; to: number }[]): { from: number; to: number }[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  const merged: { from: number; to: number }[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.from <= last.to + MINUTE_MS) last.to = Math.max(last.to, span.to);
    else merged.push({ ...span });
  }
  return merged;
}

/** The span of a written batch that the trailing rebuild may not reach, or null when it is all recent. */
export function lateSpan(samples: readonly Sample[], now: Date): { from: Date; to: Date } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const s of samples) {
    if (s.ts < min) min = s.ts;
    if (s.ts > max) max = s.ts;
  }
  if (!(min < now.getTime() - LATE_AFTER_MS)) return null;
  return { from: new Date(min), to: new Date(max + 1) };
}

export interface RetentionResult {
  raw: number;
  minute: number;
  hour: number;
}

/** Deletes what the policy no longer keeps: raw samples, then 1-minute, then 1-hour rollups. */
export async function enforceRetention(store: Store, now: Date, policy: RetentionPolicy = DEFAULT_RETENTION): Promise<RetentionResult> {
  const cutoff = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const result = {
    raw: await deleteOlder(store, "sample", "ts", cutoff(policy.rawDays)),
    minute: await deleteOlder(store, "rollup_1m", "bucket", cutoff(policy.minuteDays)),
    hour: await deleteOlder(store, "rollup_1h", "bucket", cutoff(policy.hourDays)),
  };
  // PGlite has no autovacuum: without this, deleted rows (and the rollups' upserted ones)
  // would never give their space back and the data directory would only grow.
  // The anomaly watches are rewritten every minute (their detector state), so they leave dead rows too.
  if (store.kind === "pglite") await store.query("vacuum sample, rollup_1m, rollup_1h, anomaly_watch, anomaly_event");
  return result;
}

const DELETE_CHUNK = 50_000;

/** Deletes in chunks so a week of expired samples never holds one long transaction over ingest. */
async function deleteOlder(store: Store, table: string, column: string, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await store.query<{ n: number | string }>(
      `with gone as (
         delete from ${table} where ctid = any(array(select ctid from ${table} where ${column} < $1 limit ${DELETE_CHUNK}))
         returning 1
       ) select count(*) as n from gone`,
      [cutoff.toISOString()],
    );
    const deleted = Number(rows[0]?.n ?? 0);
    total += deleted;
    if (deleted < DELETE_CHUNK) return total;
  }
}
