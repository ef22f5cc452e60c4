import { and, desc, eq, gte, isNull, or } from "drizzle-orm";
import { anomalyEvent, anomalyWatch, type WatchStat } from "@/db/schema";
import type { Ctx } from "@/lib/context";

/** An anomaly as the API returns it. */
export interface AnomalyView {
  id: string;
  watchId: string;
  metric: string;
  service: string | null;
  stat: WatchStat;
  label: string;
  startedAt: string;
  /** null while the series is still unusual. */
  endedAt: string | null;
  score: number;
  peakScore: number;
  /** At the most unusual minute: the value and what was expected then. */
  value: number | null;
  expected: number | null;
  explanation: string;
}

export const MAX_ANOMALIES = 200;

/** Anomalies that started since `since` or are still open, newest first. */
export async function listAnomalies(ctx: Ctx, options: { since: Date; openOnly?: boolean; limit?: number }): Promise<AnomalyView[]> {
  const when = options.openOnly ? isNull(anomalyEvent.endedAt) : or(gte(anomalyEvent.startedAt, options.since), isNull(anomalyEvent.endedAt));
  const rows = await ctx.db
    .select({ event: anomalyEvent, watch: anomalyWatch })
    .from(anomalyEvent)
    .innerJoin(anomalyWatch, eq(anomalyWatch.id, anomalyEvent.watchId))
    .where(and(when))
    .orderBy(desc(anomalyEvent.startedAt), desc(anomalyEvent.id))
    .limit(Math.min(options.limit ?? MAX_ANOMALIES, MAX_ANOMALIES));
  return rows.map(({ event, watch }) => ({
    id: event.id,
    watchId: watch.id,
    metric: watch.metric,
    service: watch.service,
    stat: watch.stat,
    label: watch.label,
    startedAt: event.startedAt.toISOString(),
    endedAt: event.endedAt?.toISOString() ?? null,
    score: event.score,
    peakScore: event.peakScore,
    value: event.value,
    expected: event.expected,
    explanation: event.explanation,
  }));
}
