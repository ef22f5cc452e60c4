import { sql } from "drizzle-orm";
import { selectRows } from "@/db";
import { listActiveAlerts, listRecentAlerts, type AlertView } from "@/lib/alerts/alert-lifecycle";
import { listAnomalies, type AnomalyView } from "@/lib/anomaly/events";
import type { Ctx } from "@/lib/context";
import { listHealthChecks } from "@/lib/checks/health-checks";
import type { CheckState } from "@/db/schema";
import { listJobs } from "@/lib/jobs/job-monitors";
import type { JobState } from "@/lib/jobs/job-state";
import { loadCards, type Card } from "./cards";

export type { Card, CardRule, CardSpec, CardState } from "./cards";

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
  /** Anomalies open now on watched series: what no rule may be looking at. */
  anomalies: AnomalyView[];
}

export function overallStatus(alerts: AlertView[]): DashboardSnapshot["status"] {
  const open = alerts.filter((a) => a.status === "firing" || a.status === "acknowledged");
  if (open.some((a) => a.severity === "critical")) return "outage";
  if (open.length > 0) return "degraded";
  return "operational";
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
  // Every open alert, however many came after it: a long list of recent ones must not push a
  // still-firing alert off the banner and the cards.
  const [recent, open] = await Promise.all([listRecentAlerts(ctx, new Date(now.getTime() - 24 * 3600_000)), listActiveAlerts(ctx)]);
  const alerts = [...open, ...recent.filter((a) => !open.some((o) => o.id === a.id))].sort((a, b) => b.triggeredAt.localeCompare(a.triggeredAt));
  const openAlertRuleIds = new Set(open.map((a) => a.ruleId));
  const [cards, latest, jobs, checks, anomalies] = await Promise.all([
    loadCards(ctx, now, openAlertRuleIds),
    loadLatestValues(ctx, now),
    listJobs(ctx),
    listHealthChecks(ctx),
    listAnomalies(ctx, { since: now, openOnly: true, limit: 20 }),
  ]);
  return {
    generatedAt: now.toISOString(),
    status: overallStatus(alerts),
    cards,
    alerts,
    latest,
    services: checks.map((c) => ({ name: c.name, url: c.url, state: c.lastState, reason: c.lastReason, latencyMs: c.lastLatencyMs })),
    jobs: jobs.map(({ slug, name, state, reason, running }) => ({ slug, name, state, reason, running })),
    anomalies,
  };
}
