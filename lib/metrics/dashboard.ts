import { sql } from "drizzle-orm";
import { selectRows } from "@/db";
import type { Aggregation } from "@/db/schema";
import { listRecentAlerts, type AlertView } from "@/lib/alerts/alert-lifecycle";
import type { Ctx } from "@/lib/context";
import { listHealthChecks } from "@/lib/checks/health-checks";
import type { CheckState } from "@/db/schema";
import { listJobs } from "@/lib/jobs/job-monitors";
import type { JobState } from "@/lib/jobs/job-state";
import { aggregateWindow } from "./aggregate";

export type CardState = "ok" | "warning" | "critical" | "no-data";

/** One headline number on the dashboard and when it turns yellow or red. */
export interface CardSpec {
  key: string;
  title: string;
  metric: string;
  aggregation: Aggregation;
  windowSeconds: number;
  unit: string;
  /** Higher is worse (latency) or lower is worse (success rate). */
  worseWhen: "higher" | "lower";
  warning: number;
  critical: number;
  /** A second metric shown as the value's capacity: "85 / 100". */
  capacityMetric?: string;
}

/** The user story's three critical metrics. */
export const DASHBOARD_CARDS: CardSpec[] = [
  {
    key: "payments",
    title: "Payment success rate",
    metric: "payment.success_rate",
    aggregation: "avg",
    windowSeconds: 60,
    unit: "%",
    worseWhen: "lower",
    warning: 97,
    critical: 95,
  },
  {
    key: "api",
    title: "API response time (p95)",
    metric: "api.response_time",
    aggregation: "p95",
    windowSeconds: 60,
    unit: "ms",
    worseWhen: "higher",
    warning: 500,
    critical: 1000,
  },
  {
    key: "db-pool",
    title: "DB connection pool",
    metric: "db.connections.in_use",
    aggregation: "last",
    windowSeconds: 60,
    unit: "",
    worseWhen: "higher",
    warning: 80,
    critical: 95,
    capacityMetric: "db.connections.max",
  },
];

export interface Card {
  key: string;
  title: string;
  metric: string;
  unit: string;
  value: number | null;
  capacity: number | null;
  state: CardState;
  /** Average per 10 s over the last 5 minutes, oldest first. */
  trend: { t: number; value: number }[];
}

export interface LatestValue {
  seriesId: number;
  metric: string;
  service: string;
  unit: string | null;
  tags: Record<string, string>;
  value: number;
  ts: string;
}

export interface DashboardSnapshot {
  generatedAt: string;
  status: "operational" | "degraded" | "outage";
  cards: Card[];
  /** Open alerts and those triggered in the last 24 h. */
  alerts: AlertView[];
  latest: LatestValue[];
  /** HTTP health checks and their last verdict (null until first run). */
  services: { name: string; url: string; state: CheckState | null; reason: string | null; latencyMs: number | null }[];
  /** Heartbeat jobs and their state. */
  jobs: { slug: string; name: string; state: JobState; reason: string; running: boolean }[];
}

/** Percent of capacity when there is one, the raw value otherwise. */
export function cardState(spec: CardSpec, value: number | null, capacity: number | null): CardState {
  if (value === null) return "no-data";
  const v = capacity ? (value / capacity) * 100 : value;
  const worse = (limit: number) => (spec.worseWhen === "higher" ? v >= limit : v <= limit);
  if (worse(spec.critical)) return "critical";
  if (worse(spec.warning)) return "warning";
  return "ok";
}

export function overallStatus(alerts: AlertView[]): DashboardSnapshot["status"] {
  const open = alerts.filter((a) => a.status !== "resolved");
  if (open.some((a) => a.severity === "critical")) return "outage";
  if (open.length > 0) return "degraded";
  return "operational";
}

const TREND_WINDOW_S = 300;
const TREND_STEP_S = 10;

async function loadCard(ctx: Ctx, spec: CardSpec, now: Date): Promise<Card> {
  const from = new Date(now.getTime() - spec.windowSeconds * 1000);
  const [{ value }, capacity, trend] = await Promise.all([
    aggregateWindow(ctx.db, { metric: spec.metric, service: null, aggregation: spec.aggregation, from, to: now }),
    spec.capacityMetric
      ? aggregateWindow(ctx.db, { metric: spec.capacityMetric, service: null, aggregation: "last", from, to: now }).then(
          (r) => r.value,
        )
      : Promise.resolve(null),
    loadTrend(ctx, spec.metric, now),
  ]);
  return {
    key: spec.key,
    title: spec.title,
    metric: spec.metric,
    unit: spec.unit,
    value,
    capacity,
    state: cardState(spec, value, capacity),
    trend,
  };
}

async function loadTrend(ctx: Ctx, metric: string, now: Date): Promise<Card["trend"]> {
  const from = new Date(now.getTime() - TREND_WINDOW_S * 1000);
  const rows = await selectRows<{ t: number; value: number }>(ctx.db, sql`
    select (floor(extract(epoch from s.ts) / ${TREND_STEP_S}) * ${TREND_STEP_S})::float8 as t, avg(s.value)::float8 as value
    from sample s join series on series.id = s.series_id
    where series.name = ${metric} and s.ts > ${from.toISOString()}::timestamptz and s.ts <= ${now.toISOString()}::timestamptz
    group by 1 order by 1`);
  return rows.map((r) => ({ t: Number(r.t) * 1000, value: Number(r.value) }));
}

/** The latest sample of every series that reported in the last `withinSeconds`. */
export async function loadLatestValues(ctx: Ctx, now: Date, withinSeconds = 300, limit = 100): Promise<LatestValue[]> {
  const since = new Date(now.getTime() - withinSeconds * 1000);
  // A lateral top-1 per series walks the (series_id, ts) index once per series instead of scanning samples.
  const rows = await selectRows<{
    series_id: number;
    name: string;
    service: string;
    unit: string | null;
    tags: Record<string, string>;
    value: number;
    ts: string | Date;
  }>(ctx.db, sql`
    select s.id as series_id, s.name, s.service, s.unit, s.tags, l.value, l.ts
    from series s
    cross join lateral (
      select value, ts from sample where series_id = s.id and ts <= ${now.toISOString()}::timestamptz
      order by ts desc limit 1
    ) l
    where l.ts > ${since.toISOString()}::timestamptz
    order by s.service, s.name
    limit ${limit}`);
  return rows.map((r) => ({
    seriesId: r.series_id,
    metric: r.name,
    service: r.service,
    unit: r.unit,
    tags: typeof r.tags === "string" ? (JSON.parse(r.tags) as Record<string, string>) : r.tags,
    value: Number(r.value),
    ts: new Date(r.ts).toISOString(),
  }));
}

export async function loadDashboard(ctx: Ctx): Promise<DashboardSnapshot> {
  const now = ctx.now();
  const [cards, alerts, latest, jobs, checks] = await Promise.all([
    Promise.all(DASHBOARD_CARDS.map((spec) => loadCard(ctx, spec, now))),
    listRecentAlerts(ctx, new Date(now.getTime() - 24 * 3600_000)),
    loadLatestValues(ctx, now),
    listJobs(ctx),
    listHealthChecks(ctx),
  ]);
  return {
    generatedAt: now.toISOString(),
    status: overallStatus(alerts),
    cards,
    alerts,
    latest,
    services: checks.map((c) => ({ name: c.name, url: c.url, state: c.lastState, reason: c.lastReason, latencyMs: c.lastLatencyMs })),
    jobs: jobs.map(({ slug, name, state, reason, running }) => ({ slug, name, state, reason, running })),
  };
}
