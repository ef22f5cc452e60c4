import type { Ctx } from "@/lib/context";
import { listRecentAlerts } from "@/lib/alerts/alert-lifecycle";
import { listAnomalies, type AnomalyView } from "@/lib/anomaly/events";
import { loadHistory, loadHistoryAt, RESOLUTIONS, type History, type HistoryPoint, type Period } from "./history";

export const TREND_PERIODS = ["24h", "7d", "30d"] as const satisfies readonly Period[];
export type TrendPeriod = (typeof TREND_PERIODS)[number];

type Stat = "avg" | "max" | "sum" | "p50" | "p95" | "p99";

interface LineSpec {
  label: string;
  metric: string;
  stat: Stat;
  unit: string;
}

interface ChartSpec {
  key: string;
  title: string;
  lines: LineSpec[];
}

/** The seed's trends screen: what each chart draws. Metrics not reported yet just draw gaps. */
export const TREND_CHARTS: ChartSpec[] = [
  { key: "payments", title: "Payment success rate", lines: [{ label: "success rate", metric: "payment.success_rate", stat: "avg", unit: "%" }] },
  {
    key: "api",
    title: "API response times",
    lines: (["p50", "p95", "p99"] as const).map((stat) => ({ label: stat, metric: "api.response_time", stat, unit: "ms" })),
  },
  {
    key: "database",
    title: "Database performance",
    lines: [
      { label: "query time p95", metric: "db.query.duration", stat: "p95", unit: "ms" },
      { label: "connections in use", metric: "db.connections.in_use", stat: "avg", unit: "" },
      { label: "slow queries", metric: "db.queries.slow", stat: "sum", unit: "" },
    ],
  },
];

const USER_ACTIVITY_METRIC = "users.signed_in";

/** An alert that fired on one of the chart's metrics, drawn where it fired. */
export interface AlertMarker {
  alertId: string;
  ruleName: string;
  severity: "critical" | "warning" | "info";
  t: number;
  /** null while open. */
  endT: number | null;
}

/** An anomaly on one of the chart's metrics, drawn where it started. */
export interface AnomalyMarker {
  anomalyId: string;
  explanation: string;
  score: number;
  t: number;
  endT: number | null;
}

export interface TrendChart {
  key: string;
  title: string;
  lines: { label: string; unit: string }[];
  /** One row per time bucket: `t` plus a value (or null) per line label. */
  points: Record<string, number | null>[];
  alerts: AlertMarker[];
  anomalies: AnomalyMarker[];
}

export interface Trends {
  period: TrendPeriod;
  timeZone: string;
  stepSeconds: number;
  charts: TrendChart[];
  /** Average signed-in users for each hour of the day (0–23) in `timeZone`, over the period. */
  userActivityByHour: { hour: number; users: number | null }[];
  /** Every anomaly of the period on any watched series (not only the charts'), newest first. */
  anomalies: AnomalyView[];
}

/** Markers beyond this many per chart would hide the lines; the newest are kept. */
const MAX_MARKERS = 100;

export async function loadTrends(ctx: Ctx, period: TrendPeriod, timeZone: string): Promise<Trends> {
  const metrics = [...new Set(TREND_CHARTS.flatMap((c) => c.lines.map((l) => l.metric)))];
  const histories = new Map<string, History>();
  await Promise.all(
    metrics.map(async (metric) => histories.set(metric, await loadHistory(ctx, { metric, service: null, period }))),
  );
  const since = new Date(ctx.now().getTime() - RESOLUTIONS[period].spanMs);
  const [alerts, anomalies] = await Promise.all([listRecentAlerts(ctx, since, 500), listAnomalies(ctx, { since })]);
  const charts = TREND_CHARTS.map((chart): TrendChart => {
    const metrics = new Set(chart.lines.map((l) => l.metric));
    const first = histories.get(chart.lines[0]!.metric)!;
    const points = first.points.map((p, i) => {
      const row: Record<string, number | null> = { t: p.t };
      for (const line of chart.lines) row[line.label] = histories.get(line.metric)!.points[i]?.[line.stat] ?? null;
      return row;
    });
    const endOf = (iso: string | null) => (iso === null ? null : Date.parse(iso));
    return {
      key: chart.key,
      title: chart.title,
      lines: chart.lines.map(({ label, unit }) => ({ label, unit })),
      points,
      alerts: alerts
        .filter((a) => metrics.has(a.metric) && a.firedAt !== null)
        .slice(0, MAX_MARKERS)
        .map((a) => ({ alertId: a.id, ruleName: a.ruleName, severity: a.severity, t: Date.parse(a.firedAt!), endT: endOf(a.resolvedAt) })),
      anomalies: anomalies
        .filter((a) => metrics.has(a.metric))
        .slice(0, MAX_MARKERS)
        .map((a) => ({ anomalyId: a.id, explanation: a.explanation, score: a.peakScore, t: Date.parse(a.startedAt), endT: endOf(a.endedAt) })),
    };
  });
  // Hour by hour whatever the period: the profile needs every hour of the day, and coarser
  // chart steps (3 h for 30 days) would leave two hours in three empty.
  const users = await loadHistoryAt(
    ctx,
    { metric: USER_ACTIVITY_METRIC, service: null, period },
    { source: "rollup_1h", spanMs: RESOLUTIONS[period].spanMs, stepSeconds: 3600 },
  );
  return { period, timeZone, stepSeconds: RESOLUTIONS[period].stepSeconds, charts, userActivityByHour: byHourOfDay(users.points, timeZone), anomalies };
}

/** Count-weighted average per local hour of day. */
export function byHourOfDay(points: readonly HistoryPoint[], timeZone: string): { hour: number; users: number | null }[] {
  const hourOf = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" });
  const sums = Array.from({ length: 24 }, () => ({ sum: 0, count: 0 }));
  for (const p of points) {
    if (p.count === 0 || p.sum === null) continue;
    const bucket = sums[Number(hourOf.format(p.t)) % 24]!;
    bucket.sum += p.sum;
    bucket.count += p.count;
  }
  return sums.map((b, hour) => ({ hour, users: b.count === 0 ? null : b.sum / b.count }));
}
