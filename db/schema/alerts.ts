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

/**
 * `ratio`: the window's sum of `metric` over its sum of the rule's `denominator`, in percent.
 * `rate`: per second, the increase of a cumulative counter over the window (resets counted as
 * starting again from zero), summed over the matching series.
 */
export const AGGREGATIONS = ["last", "avg", "min", "max", "sum", "count", "rate", "p50", "p90", "p95", "p99", "ratio"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** `pending`: breached, waiting out the rule's `for` before it fires. */
export const ALERT_STATUSES = ["pending", "firing", "acknowledged", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const alertStatusEnum = pgEnum("alert_status", ALERT_STATUSES);

export const NO_DATA_POLICIES = ["ok", "alert", "keep"] as const;
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

/** Whether a firing alert was announced, or why not yet (lib/rules/engine.ts). */
export const NOTIFY_STATES = ["notified", "silenced", "inhibited", "cooldown", "rate_limited"] as const;
export type NotifyState = (typeof NOTIFY_STATES)[number];

/**
 * `threshold`: the window's aggregate against `threshold`. `anomaly`: the anomaly score of the
 * watched series (metric, service, `aggregation` avg or p95) against a minimum score in
 * `threshold`, 0 to 1; the score is 0 unless the detector has an anomaly open.
 */
export const RULE_KINDS = ["threshold", "anomaly"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const alertRule = pgTable("alert_rule", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  kind: text("kind").$type<RuleKind>().notNull().default("threshold"),
  metric: text("metric").notNull(),
  /** null: every service's samples of the metric, pooled. */
  service: text("service"),
  aggregation: text("aggregation").$type<Aggregation>().notNull().default("last"),
  /** The metric a `ratio` divides by (e.g. connections max for connections in use). */
  denominator: text("denominator"),
  windowSeconds: integer("window_seconds").notNull().default(60),
  /** Exact-match filter on the series' tags. */
  tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
  /** Fewer samples in the window than this and the rule says nothing. */
  minSamples: integer("min_samples").notNull().default(1),
  comparison: text("comparison").$type<Comparison>().notNull(),
  threshold: doublePrecision("threshold").notNull(),
  /** Hysteresis: a firing alert resolves only once the value is past this, not just back past the threshold. */
  clearThreshold: doublePrecision("clear_threshold"),
  forSeconds: integer("for_seconds").notNull().default(0),
  keepFiringForSeconds: integer("keep_firing_for_seconds").notNull().default(0),
  noData: text("no_data").$type<NoDataPolicy>().notNull().default("keep"),
  severity: severityEnum("severity").notNull(),
  channels: jsonb("channels").$type<Channel[]>().notNull().default([]),
  cooldownMinutes: integer("cooldown_minutes").notNull().default(15),
  maxAlertsPerHour: integer("max_alerts_per_hour").notNull().default(4),
  isActive: boolean("is_active").notNull().default(true),
  /** Carried on the alert and matched by silences: team=payments, … */
  labels: jsonb("labels").$type<Record<string, string>>().notNull().default({}),
  runbookUrl: text("runbook_url"),
  /** Rules whose firing explains this one's: while one fires, this rule's alerts are inhibited. */
  dependsOn: jsonb("depends_on").$type<string[]>().notNull().default([]),
  /** Overrides the escalation policy of the rule's severity; null: the severity's default. */
  escalationPolicyId: uuid("escalation_policy_id").references(() => escalationPolicy.id, { onDelete: "set null" }),
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
    /** The rule and its label set: one open alert per fingerprint. */
    fingerprint: text("fingerprint").notNull().default(""),
    labels: jsonb("labels").$type<Record<string, string>>().notNull().default({}),
    /** The latest value the rule saw while the alert was open; null for a no-data alert. */
    metricValue: doublePrecision("metric_value"),
    severity: severityEnum("severity").notNull(),
    status: alertStatusEnum("status").notNull().default("firing"),
    /** Why it fired, in words an admin reads on a phone: "p95 1840 ms > 1000 ms over 60 s". */
    reason: text("reason").notNull(),
    /** When the breach began (the alert went pending). */
    triggeredAt: timestamp("triggered_at", { withTimezone: true }).notNull().defaultNow(),
    firedAt: timestamp("fired_at", { withTimezone: true }),
    notifyState: text("notify_state").$type<NotifyState>(),
    /** The silence, or the rule it depends on, holding the announcement back. */
    heldBy: text("held_by"),
    notifiedAt: timestamp("notified_at", { withTimezone: true }),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: uuid("acknowledged_by").references(() => user.id, { onDelete: "set null" }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: uuid("resolved_by").references(() => user.id, { onDelete: "set null" }),
    notificationsSent: jsonb("notifications_sent").$type<unknown[]>().notNull().default([]),
    notificationAttempts: integer("notification_attempts").notNull().default(0),
    resolutionNotes: text("resolution_notes"),
    autoResolved: boolean("auto_resolved").notNull().default(false),
  },
  (t) => [
    // At most one open alert per fingerprint: a second evaluator (or a race) cannot open a duplicate.
    uniqueIndex("alert_history_open_fingerprint_idx").on(t.ruleId, t.fingerprint).where(sql`${t.resolvedAt} is null`),
    index("alert_history_triggered_idx").on(t.triggeredAt),
    index("alert_history_rule_notified_idx").on(t.ruleId, t.notifiedAt),
  ],
);

/** Each step of an alert's life, with who took it: pending, firing, announced or held, acknowledged, resolved. */
export const alertEvent = pgTable(
  "alert_event",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    alertId: uuid("alert_id")
      .notNull()
      .references(() => alertHistory.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull(),
    fromStatus: text("from_status").notNull(),
    toStatus: text("to_status").notNull(),
    /** null: the evaluator. */
    actorId: uuid("actor_id").references(() => user.id, { onDelete: "set null" }),
    value: doublePrecision("value"),
    note: text("note").notNull(),
  },
  (t) => [index("alert_event_alert_idx").on(t.alertId, t.at)],
);

/** What a silence matches; every field given must match (lib/rules/engine.ts silenceMatches). */
export interface SilenceMatcherColumn {
  ruleId?: string;
  metric?: string;
  service?: string;
  labels?: Record<string, string>;
}

/** A maintenance window: matching alerts still fire and show, but nobody is paged. */
export const silence = pgTable(
  "silence",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    matcher: jsonb("matcher").$type<SilenceMatcherColumn>().notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    reason: text("reason").notNull(),
    createdBy: uuid("created_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("silence_ends_idx").on(t.endsAt)],
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
  /** Critical alerts are sent during quiet hours; warnings wait for the digest. */
  criticalBreaksQuietHours: boolean("critical_breaks_quiet_hours").notNull().default(true),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One step of an escalation: `afterSeconds` past the announcement, page `userIds` (null: every
 * admin whose preferences take the alert's severity) on `channels` (null: the rule's channels).
 */
export interface EscalationTier {
  afterSeconds: number;
  userIds: string[] | null;
  channels: Channel[] | null;
}

/** Who is paged, when, until someone acknowledges. The default for a severity, or a rule's own. */
export const escalationPolicy = pgTable(
  "escalation_policy",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** The policy for every rule of this severity that names none; null: used only where a rule names it. */
    severity: severityEnum("severity"),
    tiers: jsonb("tiers").$type<EscalationTier[]>().notNull(),
    /** How many more times the tiers run again from the first while nobody acknowledges. */
    repeat: integer("repeat").notNull().default(0),
    /** From the start of one round to the start of the next. */
    repeatAfterSeconds: integer("repeat_after_seconds").notNull().default(900),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("escalation_policy_severity_idx").on(t.severity).where(sql`${t.severity} is not null`)],
);

export const DELIVERY_KINDS = ["fired", "escalation", "resolved", "digest"] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];
export const deliveryKindEnum = pgEnum("delivery_kind", DELIVERY_KINDS);

/**
 * planned → sending → sent | retrying (→ sending) | failed. The others are decided at planning and
 * never sent: held (quiet hours; then digested), rate_limited, deduplicated, not_configured,
 * silenced and inhibited (an escalation stopped by a silence or a failing dependency).
 */
export const DELIVERY_STATES = [
  "planned",
  "sending",
  "retrying",
  "sent",
  "failed",
  "held",
  "digested",
  "rate_limited",
  "deduplicated",
  "not_configured",
  "silenced",
  "inhibited",
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export const deliveryStateEnum = pgEnum("delivery_state", DELIVERY_STATES);

export const channelEnum = pgEnum("channel", CHANNELS);

/**
 * Every planned message is a row, written before it is sent and marked after: the row, claimed
 * atomically, is what makes a retried step, a restart or a second instance send it once.
 */
export const notificationDelivery = pgTable(
  "notification_delivery",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** null for a digest, which carries several alerts (the held rows point at it). */
    alertId: uuid("alert_id").references(() => alertHistory.id, { onDelete: "cascade" }),
    /** null for the team's default Slack channel. */
    recipientId: uuid("recipient_id").references(() => user.id, { onDelete: "set null" }),
    channel: channelEnum("channel").notNull(),
    /** The address, phone number or Slack channel it went to. */
    target: text("target").notNull(),
    kind: deliveryKindEnum("kind").notNull(),
    /** The escalation round and tier (0, 0 for the first page). */
    round: integer("round").notNull().default(0),
    tier: integer("tier").notNull().default(0),
    state: deliveryStateEnum("state").notNull(),
    /** Why it was held, skipped or failed, in words. */
    reason: text("reason"),
    /** One row per message that should exist: planning twice inserts nothing new. */
    dedupKey: text("dedup_key").notNull(),
    attempts: integer("attempts").notNull().default(0),
    providerMessageId: text("provider_message_id"),
    /** Held rows: when the quiet hours end and the digest is due. */
    dueAt: timestamp("due_at", { withTimezone: true }),
    /** Held rows: the digest delivery that carried them. */
    digestId: uuid("digest_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    claimedAt: timestamp("claimed_at", { withTimezone: true }),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("notification_delivery_dedup_idx").on(t.dedupKey),
    index("notification_delivery_alert_idx").on(t.alertId, t.createdAt),
    index("notification_delivery_due_idx").on(t.state, t.dueAt),
    index("notification_delivery_target_idx").on(t.channel, t.target, t.sentAt),
  ],
);
