import { doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * One row per distinct (service, metric, tags). Samples point at it by a small integer,
 * so the metadata is written once instead of once per sample.
 */
export const series = pgTable(
  "series",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    /** Canonical identity: service, name and sorted tags; the upsert target. */
    key: text("key").notNull(),
    name: text("name").notNull(),
    service: text("service").notNull(),
    unit: text("unit"),
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("series_key_idx").on(t.key), index("series_name_idx").on(t.name, t.service)],
);

/**
 * Narrow sample rows (4 + 8 + 8 bytes of data). No primary key: two observations of one
 * series in the same millisecond are both real (two requests timed at once). No foreign
 * key either: its per-row lookup and row lock would tax the hottest write path, and a
 * series id only ever comes from the series upsert in the same transaction.
 */
export const sample = pgTable(
  "sample",
  {
    seriesId: integer("series_id").notNull(),
    ts: timestamp("ts", { withTimezone: true, mode: "date" }).notNull(),
    value: doublePrecision("value").notNull(),
  },
  (t) => [
    index("sample_series_ts_idx").on(t.seriesId, t.ts),
    // Rollups and retention scan by time across every series. Samples arrive roughly in
    // time order, so a BRIN index finds a time range for a fraction of a btree's write cost.
    // autosummarize: on Postgres, autovacuum summarises each new range as it fills.
    index("sample_ts_brin").using("brin", t.ts).with({ autosummarize: true }),
  ],
);
