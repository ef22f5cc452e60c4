import { boolean, doublePrecision, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** A Prometheus `/metrics` endpoint Vigil pulls from on its own schedule. */
export const scrapeTarget = pgTable(
  "scrape_target",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    intervalSeconds: integer("interval_seconds").notNull().default(15),
    /** Service the samples are filed under; null: the `job` label, else the target's name. */
    service: text("service"),
    enabled: boolean("enabled").notNull().default(true),
    lastScrapeAt: timestamp("last_scrape_at", { withTimezone: true }),
    lastDurationMs: doublePrecision("last_duration_ms"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("scrape_target_name_idx").on(t.name)],
);
