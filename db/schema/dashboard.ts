import { sql } from "drizzle-orm";
import { integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { Aggregation } from "./alerts";
import { user } from "./auth";

/**
 * A metric an admin pinned to the dashboard as a card, beside the three the user story names.
 * Pins belong to the team, not to one admin: the dashboard is the shared view of an incident.
 */
export const dashboardPin = pgTable(
  "dashboard_pin",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    metric: text("metric").notNull(),
    /** null: every service's samples of the metric, pooled. */
    service: text("service"),
    aggregation: text("aggregation").$type<Aggregation>().notNull().default("last"),
    windowSeconds: integer("window_seconds").notNull().default(60),
    /** Shown on the card; the metric name when null. */
    title: text("title"),
    unit: text("unit"),
    createdBy: uuid("created_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // One card per metric, service and aggregation: pinning twice is a no-op, not a second card.
  (t) => [uniqueIndex("dashboard_pin_metric_idx").on(t.metric, sql`coalesce(${t.service}, '')`, t.aggregation)],
);
