import { sql } from "drizzle-orm";
import { boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { DetectorJson } from "@/lib/anomaly/detector";

/** What a watched series is judged by, per 1-minute rollup: its mean, or its p95 (latencies). */
export const WATCH_STATS = ["avg", "p95"] as const;
export type WatchStat = (typeof WATCH_STATS)[number];

/**
 * A series the anomaly detector runs on: a metric (pooled over its tags), one service or
 * all, one statistic per minute. The detector's state lives on the row, so it resumes where
 * it stopped after a restart or on another instance.
 */
export const anomalyWatch = pgTable(
  "anomaly_watch",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    metric: text("metric").notNull(),
    /** null: every service's series of the metric, pooled. */
    service: text("service"),
    stat: text("stat").$type<WatchStat>().notNull().default("avg"),
    /** How explanations name it: "DB connections". */
    label: text("label").notNull(),
    /** Seeded from the dashboard's critical metrics, not added by an admin. */
    isDefault: boolean("is_default").notNull().default(false),
    /** An unwatched series keeps its row (and its learning) so watching it again resumes. */
    isActive: boolean("is_active").notNull().default(true),
    detector: jsonb("detector").$type<DetectorJson>(),
    /** The last 1-minute bucket the detector has judged. */
    judgedTo: timestamp("judged_to", { withTimezone: true }),
    lastValue: doublePrecision("last_value"),
    lastExpected: doublePrecision("last_expected"),
    lastScore: doublePrecision("last_score"),
    /** lib/anomaly/episodes.ts: calm minutes in a row while an anomaly is open, extreme ones while none is. */
    episodeRun: integer("episode_run").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("anomaly_watch_series_idx").on(t.metric, sql`coalesce(${t.service}, '')`, t.stat)],
);

/** One anomalous episode of a watched series, from its first unusual minute until the series is back to normal. */
export const anomalyEvent = pgTable(
  "anomaly_event",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    watchId: uuid("watch_id")
      .notNull()
      .references(() => anomalyWatch.id, { onDelete: "cascade" }),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    /** null while open. */
    endedAt: timestamp("ended_at", { withTimezone: true }),
    /** The latest minute's score while open; the score it ended on after. */
    score: doublePrecision("score").notNull(),
    peakScore: doublePrecision("peak_score").notNull(),
    value: doublePrecision("value"),
    expected: doublePrecision("expected"),
    /** "DB connections 3.4× the usual for Tuesday 14:00", written at the most unusual minute. */
    explanation: text("explanation").notNull(),
    /** `direction`: whether the series went above or below what was expected when the anomaly opened. */
    details: jsonb("details").$type<{ basis: string | null; peakAt: string; direction: "up" | "down" }>().notNull(),
  },
  (t) => [
    index("anomaly_event_started_idx").on(t.startedAt),
    // One open episode per watch.
    uniqueIndex("anomaly_event_open_idx").on(t.watchId).where(sql`${t.endedAt} is null`),
  ],
);
