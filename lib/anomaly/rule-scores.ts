import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { anomalyEvent, anomalyWatch } from "@/db/schema";
import type { Observation } from "@/lib/rules/engine";

/** A watch that has judged nothing for this long is not keeping up: its rules see no data. */
const STALE_AFTER_MS = 3 * 60_000;

export interface AnomalyRuleSpec {
  metric: string;
  service: string | null;
  /** The watched statistic: avg or p95. */
  aggregation: string;
}

const keyOf = (metric: string, service: string | null, stat: string) => JSON.stringify([metric, service, stat]);

/**
 * What each anomaly rule sees: the peak score of its series' open anomaly, or 0 when the
 * detector has none open. The peak, not the latest minute's score: the detector's surprise
 * fades as it gets used to a spike, and the alert should last as long as the anomaly does,
 * not end while the anomaly is still open. One query for every rule; the reason carries the
 * anomaly's explanation.
 */
export async function observeAnomalyScores(db: Db, rules: readonly AnomalyRuleSpec[], now: Date): Promise<Observation[]> {
  if (rules.length === 0) return [];
  const rows = await db
    .select({ watch: anomalyWatch, score: anomalyEvent.peakScore, explanation: anomalyEvent.explanation })
    .from(anomalyWatch)
    .leftJoin(anomalyEvent, and(eq(anomalyEvent.watchId, anomalyWatch.id), isNull(anomalyEvent.endedAt)))
    .where(eq(anomalyWatch.isActive, true));
  const byKey = new Map(rows.map((row) => [keyOf(row.watch.metric, row.watch.service, row.watch.stat), row]));
  return rules.map((rule): Observation => {
    const row = byKey.get(keyOf(rule.metric, rule.service, rule.aggregation));
    const fresh = row?.watch.judgedTo && now.getTime() - row.watch.judgedTo.getTime() <= STALE_AFTER_MS;
    if (!row || !fresh) return { value: null, sampleCount: 0 };
    if (row.score === null) return { value: 0, sampleCount: 1 };
    return { value: row.score, sampleCount: 1, detail: row.explanation ?? undefined };
  });
}
