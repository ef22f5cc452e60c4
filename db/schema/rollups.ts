import { doublePrecision, index, integer, jsonb, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";
import type { Sketch } from "@/lib/rollups/sketch";

/**
 * One row per series per time bucket: count, sum, min, max and a mergeable quantile sketch,
 * so an average, an extreme or a percentile over any longer span is computed from these
 * rows instead of the raw samples.
 */
function rollupColumns() {
  return {
    seriesId: integer("series_id").notNull(),
    bucket: timestamp("bucket", { withTimezone: true, mode: "date" }).notNull(),
    count: integer("count").notNull(),
    sum: doublePrecision("sum").notNull(),
    min: doublePrecision("min").notNull(),
    max: doublePrecision("max").notNull(),
    sketch: jsonb("sketch").$type<Sketch>().notNull(),
  };
}

export const rollup1m = pgTable("rollup_1m", rollupColumns(), (t) => [
  primaryKey({ columns: [t.seriesId, t.bucket] }),
  // Retention deletes by age across all series; BRIN costs almost nothing to keep up.
  index("rollup_1m_bucket_brin").using("brin", t.bucket),
]);

export const rollup1h = pgTable("rollup_1h", rollupColumns(), (t) => [
  primaryKey({ columns: [t.seriesId, t.bucket] }),
  index("rollup_1h_bucket_brin").using("brin", t.bucket),
]);

/**
 * Spans of raw samples that arrived after the rollup job had passed them (a backfill, a
 * client that buffered through an outage). The next rollup run rebuilds them and deletes
 * the row, so late data is never silently missing from history.
 */
export const rollupBackfill = pgTable("rollup_backfill", {
  id: uuid("id").primaryKey().defaultRandom(),
  fromTs: timestamp("from_ts", { withTimezone: true, mode: "date" }).notNull(),
  toTs: timestamp("to_ts", { withTimezone: true, mode: "date" }).notNull(),
});

/**
 * How far the rollup job got on its last successful run (one row). The next run starts
 * there if that is earlier than its usual trailing window, so a stalled or failed job
 * leaves no permanent hole in history.
 */
export const rollupWatermark = pgTable("rollup_watermark", {
  id: integer("id").primaryKey(),
  rolledTo: timestamp("rolled_to", { withTimezone: true, mode: "date" }).notNull(),
});
