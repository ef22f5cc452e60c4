import { sql } from "drizzle-orm";
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  time,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { user } from "./auth";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityEnum = pgEnum("severity", SEVERITIES);

export const CHANNELS = ["email", "sms", "slack"] as const;
export type Channel = (typeof CHANNELS)[number];

export const COMPARISONS = [">", ">=", "<", "<=", "==", "!="] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** `ratio`: the window's sum of `metric` over its sum of the rule's `denominator`, in percent. */
export const AGGREGATIONS = ["last", "avg", "min", "max", "sum", "count", "p50", "p90", "p95", "p99", "ratio"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const ALERT_STATUSES = ["firing", "acknowledged", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const alertStatusEnum = pgEnum("alert_status", ALERT_STATUSES);

export const alertRule = pgTable("alert_rule", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  metric: text("metric").notNull(),
  /** null: every service's samples of the metric, pooled. */
  service: text("service"),
  aggregation: text("aggregation").$type<Aggregation>().notNull().default("last"),
  /** The metric a `ratio` divides by (e.g. connections max for connections in use). */
  denominator: text("denominator"),
  windowSeconds: integer("window_seconds").notNull().default(60),
  comparison: text("comparison").$type<Comparison>().notNull(),
  threshold: doublePrecision("threshold").notNull(),
  severity: severityEnum("severity").notNull(),
  channels: jsonb("channels").$type<Channel[]>().notNull().default([]),
  cooldownMinutes: integer("cooldown_minutes").notNull().default(15),
  maxAlertsPerHour: integer("max_alerts_per_hour").notNull().default(4),
  isActive: boolean("is_active").notNull().default(true),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const alertHistory = pgTable(
  "alert_history",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRule.id, { onDelete: "cascade" }),
    metricValue: doublePrecision("metric_value").notNull(),
    severity: severityEnum("severity").notNull(),
    status: alertStatusEnum("status").notNull().default("firing"),
    /** Why it fired, in words an admin reads on a phone: "p95 1840 ms > 1000 ms over 60 s". */
    reason: text("reason").notNull(),
    triggeredAt: timestamp("triggered_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: uuid("acknowledged_by").references(() => user.id, { onDelete: "set null" }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    notificationsSent: jsonb("notifications_sent").$type<unknown[]>().notNull().default([]),
    notificationAttempts: integer("notification_attempts").notNull().default(0),
    resolutionNotes: text("resolution_notes"),
    autoResolved: boolean("auto_resolved").notNull().default(false),
  },
  (t) => [
    // At most one open alert per rule: a second evaluator (or a race) cannot open a duplicate.
    uniqueIndex("alert_history_open_rule_idx").on(t.ruleId).where(sql`${t.resolvedAt} is null`),
    index("alert_history_triggered_idx").on(t.triggeredAt),
  ],
);

export const adminNotificationPreference = pgTable("admin_notification_preference", {
  id: uuid("id").primaryKey().defaultRandom(),
  adminUserId: uuid("admin_user_id")
    .notNull()
    .unique("admin_notification_preference_user_idx")
    .references(() => user.id, { onDelete: "cascade" }),
  emailNotifications: boolean("email_notifications").notNull().default(true),
  smsNotifications: boolean("sms_notifications").notNull().default(false),
  slackNotifications: boolean("slack_notifications").notNull().default(true),
  email: text("email"),
  phone: text("phone"),
  slackChannel: text("slack_channel"),
  criticalAlerts: boolean("critical_alerts").notNull().default(true),
  warningAlerts: boolean("warning_alerts").notNull().default(true),
  infoAlerts: boolean("info_alerts").notNull().default(false),
  quietHoursEnabled: boolean("quiet_hours_enabled").notNull().default(false),
  quietStartTime: time("quiet_start_time"),
  quietEndTime: time("quiet_end_time"),
  timeZone: text("time_zone").notNull().default("UTC"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
