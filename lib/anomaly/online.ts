import { and, eq, isNull, sql } from "drizzle-orm";
import { selectRows } from "@/db";
import { anomalyEvent, anomalyWatch } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { loadBuckets } from "@/lib/metrics/history";
import { AnomalyDetector, type DetectorJson } from "./detector";
import { nextEpisodeStep, type EpisodeState } from "./episodes";
import { explainAnomaly } from "./explain";
import type { WatchRow } from "./watches";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A new watch first learns from this much of the series' past (two days of learning, then a week's pattern). */
export const CATCH_UP_MS = 9 * DAY_MS;
/** Catch-up reads the rollups a day at a time, so a long gap never loads everything at once. */
const CHUNK_MS = DAY_MS;

export interface DetectionResult {
  watches: number;
  /** Minutes judged across all watches. */
  judged: number;
  opened: number;
  resolved: number;
}

/**
 * One run of online detection: every active watch's detector is fed the 1-minute rollups it
 * has not judged yet, up to the last complete minute the rollup has reached, in time order. It
 * runs right after the rollup job, so a minute is judged within seconds of its end. Strictly causal: a minute is
 * judged once, from the state the minutes before it left, and never revised.
 *
 * Whatever a minute decides (an anomaly opened, kept open, resolved) is stored in the same
 * transaction as the detector's state after it, so a crash repeats a minute whole or not at all.
 */
export async function detectAnomalies(ctx: Ctx, now: Date, timeZone: string): Promise<DetectionResult> {
  const result: DetectionResult = { watches: 0, judged: 0, opened: 0, resolved: 0 };
  const watches = await ctx.db.select().from(anomalyWatch).where(eq(anomalyWatch.isActive, true));
  const end = await judgeableEnd(ctx, now);
  for (const watch of watches) {
    result.watches++;
    // A watch switched back on after a long pause starts from the catch-up horizon, not the pause.
    let judgedTo = watch.judgedTo?.getTime() ?? null;
    let from = Math.max(judgedTo === null ? -Infinity : judgedTo + MINUTE_MS, end - CATCH_UP_MS);
    while (from < end) {
      const to = Math.min(end, from + CHUNK_MS);
      const counts = await judgeSpan(ctx, watch, { from, to, judgedTo }, timeZone);
      // Someone else moved the watch on (another run, an unwatch, the demo's relearning): stop here.
      if (counts === null) break;
      result.judged += counts.judged;
      result.opened += counts.opened;
      result.resolved += counts.resolved;
      judgedTo = to - MINUTE_MS;
      from = to;
    }
  }
  return result;
}

/**
 * The end (exclusive) of the minutes that can be judged now: those that have ended and that the
 * rollup has reached (`rollup_watermark`: the rollup of this very run may have been skipped).
 * Samples written late are marked for backfill until the next rollup folds them in; judging their
 * minutes now would judge them without those samples, and each minute is judged only once, so
 * those wait. A sample a second or two late for the minute that just ended is not marked: that
 * minute is judged without it (its history has it).
 */
async function judgeableEnd(ctx: Ctx, now: Date): Promise<number> {
  const [marks] = await selectRows<{ backfill_from: Date | string | null; rolled_to: Date | string | null }>(
    ctx.db,
    sql`select (select min(from_ts) from rollup_backfill) as backfill_from, (select rolled_to from rollup_watermark where id = 1) as rolled_to`,
  );
  const floorMinute = (value: Date | string | null | undefined) => (value ? Math.floor(new Date(value).getTime() / MINUTE_MS) * MINUTE_MS : Infinity);
  // The watermark is the start of the minute the rollup was in: every minute before it is rolled up.
  return Math.min(floorMinute(now), floorMinute(marks?.backfill_from), floorMinute(marks?.rolled_to));
}

type MinuteValue = { t: number; value: number | null };

/**
 * Judges the minutes in [from, to) of one watch, in one transaction with the watch's row locked.
 * Null when the row is not where this run left it (`judgedTo`) or is no longer watched: another
 * run got there first, or an admin or the demo changed it meanwhile, and the next run starts again
 * from what is stored.
 */
async function judgeSpan(ctx: Ctx, watch: WatchRow, span: { from: number; to: number; judgedTo: number | null }, timeZone: string) {
  const { from, to } = span;
  const buckets = await loadBuckets(ctx, { metric: watch.metric, service: watch.service }, { source: "rollup_1m", from, to, stepSeconds: 60 });
  const minutes: MinuteValue[] = buckets.map((b) => {
    const value = watch.stat === "p95" ? b.p95 : b.avg;
    return { t: b.t, value: b.count > 0 ? value : null };
  });
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(anomalyWatch).where(eq(anomalyWatch.id, watch.id)).for("update");
    if (!current?.isActive || (current.judgedTo?.getTime() ?? null) !== span.judgedTo) return null;
    const counts = { judged: 0, opened: 0, resolved: 0 };
    const detector = restore(current.detector, timeZone);
    const [open] = await tx
      .select()
      .from(anomalyEvent)
      .where(and(eq(anomalyEvent.watchId, watch.id), isNull(anomalyEvent.endedAt)));
    let openEvent = open ? { id: open.id, peakScore: open.peakScore, direction: open.details.direction } : null;
    let episode: EpisodeState = { open: openEvent !== null, run: current.episodeRun };
    let last: { value: number; expected: number | null; score: number } | null = null;
    for (const { t, value } of minutes) {
      if (value === null) {
        // A series that stopped reporting is not unusual for ever: a minute without data counts
        // as calm for an open anomaly (the detector itself is not fed: it learns from data only).
        if (!episode.open) continue;
        const next = nextEpisodeStep(episode, { score: 0, isAnomaly: false, learnt: true, seenBefore: false });
        episode = next.state;
        if (next.step === "resolve" && openEvent) {
          await tx.update(anomalyEvent).set({ score: 0, endedAt: new Date(t) }).where(eq(anomalyEvent.id, openEvent.id));
          openEvent = null;
          counts.resolved++;
        }
        continue;
      }
      counts.judged++;
      const verdict = detector.observe(t, value);
      last = { value, expected: verdict.expected, score: verdict.score };
      const next = nextEpisodeStep(episode, { ...verdict, learnt: detector.isLearntAt(t) });
      episode = next.state;
      const explanation = () => explainAnomaly({ label: current.label, value, expected: verdict.expected, basis: verdict.basis, at: new Date(t), timeZone });
      const direction = verdict.expected !== null && value < verdict.expected ? "down" : "up";
      const details = { basis: verdict.basis, peakAt: new Date(t).toISOString(), direction } as const;
      if (next.step === "open") {
        const [row] = await tx
          .insert(anomalyEvent)
          .values({
            watchId: watch.id,
            startedAt: new Date(t),
            score: verdict.score,
            peakScore: verdict.score,
            value,
            expected: verdict.expected,
            explanation: explanation(),
            details,
          })
          .returning({ id: anomalyEvent.id });
        openEvent = { id: row!.id, peakScore: verdict.score, direction };
        counts.opened++;
      } else if (next.step === "continue" && openEvent) {
        // The explanation follows the most unusual minute: "3.4×" is the peak, not the latest.
        // Only a peak on the side the anomaly opened on: the drop back after a spike is often
        // the sharper surprise (the recent level has moved up), but "down to 30 % of the usual"
        // would describe the recovery, not the incident.
        const peak = verdict.score > openEvent.peakScore && direction === openEvent.direction;
        if (peak) openEvent.peakScore = verdict.score;
        await tx
          .update(anomalyEvent)
          .set({ score: verdict.score, ...(peak ? { peakScore: verdict.score, value, expected: verdict.expected, explanation: explanation(), details } : {}) })
          .where(eq(anomalyEvent.id, openEvent.id));
      } else if (next.step === "resolve" && openEvent) {
        await tx.update(anomalyEvent).set({ score: verdict.score, endedAt: new Date(t) }).where(eq(anomalyEvent.id, openEvent.id));
        openEvent = null;
        counts.resolved++;
      }
    }
    await tx
      .update(anomalyWatch)
      .set({
        detector: detector.toJSON(),
        judgedTo: new Date(to - MINUTE_MS),
        episodeRun: episode.run,
        ...(last ? { lastValue: last.value, lastExpected: last.expected, lastScore: last.score } : {}),
      })
      .where(eq(anomalyWatch.id, watch.id));
    return counts;
  });
}

/**
 * A stored detector, or a fresh one, whose profiles follow `timeZone`, when there is none or it was
 * stored by an incompatible version. A stored one keeps the zone it learnt in (UTC if stored before
 * detectors had one): moving its slots would shift every learnt profile at once.
 */
function restore(json: DetectorJson | null, timeZone: string): AnomalyDetector {
  if (!json || json.version !== 1) return new AnomalyDetector({ timeZone });
  try {
    return AnomalyDetector.fromJSON(json);
  } catch {
    return new AnomalyDetector({ timeZone });
  }
}
