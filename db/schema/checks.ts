import { boolean, doublePrecision, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export const CHECK_STATES = ["healthy", "warning", "down"] as const;
export type CheckState = (typeof CHECK_STATES)[number];

export const HTTP_METHODS = ["GET", "HEAD", "POST"] as const;

/** An HTTP endpoint Vigil probes on a schedule (the mockup's "Service Health"), with its last result. */
export const healthCheck = pgTable(
  "health_check",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    method: text("method").$type<(typeof HTTP_METHODS)[number]>().notNull().default("GET"),
    expectedStatus: integer("expected_status").notNull().default(200),
    timeoutMs: integer("timeout_ms").notNull().default(5000),
    intervalSeconds: integer("interval_seconds").notNull().default(30),
    /** e.g. `status == "ok"`, evaluated against the JSON body. */
    bodyCondition: text("body_condition"),
    /** Slower than this is a warning, not healthy. */
    warningLatencyMs: integer("warning_latency_ms"),
    enabled: boolean("enabled").notNull().default(true),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
    lastState: text("last_state").$type<CheckState>(),
    lastReason: text("last_reason"),
    lastLatencyMs: doublePrecision("last_latency_ms"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("health_check_name_idx").on(t.name)],
);
