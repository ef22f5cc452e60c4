import { doublePrecision, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export const JOB_OUTCOMES = ["success", "fail"] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/**
 * A job that reports by heartbeat (a cron script, a Celery beat task): what it promised
 * (period, grace, run-time bounds) and what it last did. Each run is also written as samples.
 */
export const jobMonitor = pgTable(
  "job_monitor",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    periodSeconds: integer("period_seconds").notNull(),
    graceSeconds: integer("grace_seconds").notNull().default(300),
    minRuntimeSeconds: integer("min_runtime_seconds"),
    maxRuntimeSeconds: integer("max_runtime_seconds"),
    lastStartedAt: timestamp("last_started_at", { withTimezone: true }),
    lastFinishedAt: timestamp("last_finished_at", { withTimezone: true }),
    lastOutcome: text("last_outcome").$type<JobOutcome>(),
    lastDurationMs: doublePrecision("last_duration_ms"),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("job_monitor_slug_idx").on(t.slug)],
);
