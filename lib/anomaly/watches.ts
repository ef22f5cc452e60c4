import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { alertRule, anomalyEvent, anomalyWatch, auditLog, WATCH_STATS, type WatchStat } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx, Tx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { vigilName } from "@/lib/ingest/batch-schema";
import { DASHBOARD_CARDS } from "@/lib/metrics/cards";

export type WatchRow = typeof anomalyWatch.$inferSelect;

export const watchInputSchema = z.object({
  metric: vigilName,
  service: vigilName.nullable().default(null),
  stat: z.enum(WATCH_STATS).default("avg"),
  label: z.string().trim().min(1).max(80).nullable().default(null),
});

/** A watch as the API returns it: no detector state, plus whether an anomaly is open now. */
export interface WatchView {
  id: string;
  metric: string;
  service: string | null;
  stat: WatchStat;
  label: string;
  isDefault: boolean;
  isActive: boolean;
  /** The last minute judged, or null before the first. */
  judgedTo: string | null;
  lastValue: number | null;
  lastExpected: number | null;
  lastScore: number | null;
  /** Minutes of data the detector has seen; it raises nothing in its first two days. */
  learnedMinutes: number;
  openAnomalyId: string | null;
}

/**
 * The dashboard's critical metrics are watched from the start: the series an admin most
 * wants to hear about before a threshold is set, and the ones a threshold is hardest to set on.
 */
export const DEFAULT_WATCHES: { metric: string; service: null; stat: WatchStat; label: string }[] = DASHBOARD_CARDS.map((card) => ({
  metric: card.metric,
  service: null,
  stat: card.aggregation === "p95" ? "p95" : "avg",
  label: card.key === "db-pool" ? "DB connections in use" : card.title.replace(/ \(p95\)$/, " p95"),
}));

/** Seeds the default watches once: one an admin turned off stays off. */
export async function seedDefaultWatches(ctx: Ctx): Promise<void> {
  await ctx.db
    .insert(anomalyWatch)
    .values(DEFAULT_WATCHES.map((w) => ({ ...w, isDefault: true, createdAt: ctx.now() })))
    .onConflictDoNothing();
}

/** "db.query.duration p95" when nobody gave it a name. */
function defaultLabel(metric: string, stat: WatchStat): string {
  return stat === "avg" ? metric : `${metric} ${stat}`;
}

/** Locked: an unwatch racing a new anomaly rule on the series must wait for it, and then see it. */
async function findWatch(tx: Pick<Tx, "select">, metric: string, service: string | null, stat: WatchStat): Promise<WatchRow | undefined> {
  const [row] = await tx
    .select()
    .from(anomalyWatch)
    .where(and(eq(anomalyWatch.metric, metric), sql`coalesce(${anomalyWatch.service}, '') = ${service ?? ""}`, eq(anomalyWatch.stat, stat)))
    .for("update");
  return row;
}

/**
 * Watches a series, or turns a watch that was switched off on again (its learning kept).
 * Also what an `anomaly` rule calls: a rule on a series needs its detector running.
 */
export async function ensureWatch(
  tx: Pick<Tx, "select" | "insert" | "update">,
  input: { metric: string; service: string | null; stat: WatchStat; label?: string | null },
  now: Date,
): Promise<{ watch: WatchRow; created: boolean }> {
  const known = await findWatch(tx, input.metric, input.service, input.stat);
  if (known) {
    if (known.isActive && (!input.label || input.label === known.label)) return { watch: known, created: false };
    const [updated] = await tx
      .update(anomalyWatch)
      .set({ isActive: true, ...(input.label ? { label: input.label } : {}) })
      .where(eq(anomalyWatch.id, known.id))
      .returning();
    return { watch: updated!, created: !known.isActive };
  }
  const [inserted] = await tx
    .insert(anomalyWatch)
    .values({ metric: input.metric, service: input.service, stat: input.stat, label: input.label || defaultLabel(input.metric, input.stat), createdAt: now })
    .onConflictDoNothing()
    .returning();
  // Lost a race with another request: the row is there now.
  return inserted ? { watch: inserted, created: true } : { watch: (await findWatch(tx, input.metric, input.service, input.stat))!, created: false };
}

export async function watchSeries(ctx: Ctx, actor: Actor, body: unknown): Promise<{ watch: WatchView; created: boolean }> {
  requireRole(actor, "admin");
  const input = watchInputSchema.parse(body);
  return ctx.db.transaction(async (tx) => {
    const { watch, created } = await ensureWatch(tx, input, ctx.now());
    if (created) await tx.insert(auditLog).values({ actorId: actor.id, action: "anomaly.watch", target: watch.id, details: input });
    return { watch: (await listWatches(ctx, tx)).find((w) => w.id === watch.id)!, created };
  });
}

/** Stops the detector on a series. Its open anomaly is closed; its learning is kept in case it is watched again. */
export async function unwatchSeries(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requireRole(actor, "admin");
  const watchId = z.string().uuid("not a watch id").parse(id);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.update(anomalyWatch).set({ isActive: false }).where(eq(anomalyWatch.id, watchId)).returning();
    if (!row) throw new AppError("NOT_FOUND", `no watch ${watchId}`);
    // An anomaly rule on the series would go blind without saying so.
    const rules = await tx
      .select({ name: alertRule.name })
      .from(alertRule)
      .where(
        and(
          eq(alertRule.kind, "anomaly"),
          eq(alertRule.isActive, true),
          eq(alertRule.metric, row.metric),
          sql`coalesce(${alertRule.service}, '') = ${row.service ?? ""}`,
          eq(alertRule.aggregation, row.stat),
        ),
      );
    if (rules.length > 0) throw new AppError("CONFLICT", `anomaly rules watch this series: ${rules.map((r) => r.name).join(", ")}; switch them off first`);
    await tx
      .update(anomalyEvent)
      .set({ endedAt: ctx.now() })
      .where(and(eq(anomalyEvent.watchId, watchId), isNull(anomalyEvent.endedAt)));
    await tx.insert(auditLog).values({ actorId: actor.id, action: "anomaly.unwatch", target: watchId });
  });
}

export async function listWatches(ctx: Ctx, db: Pick<Tx, "select"> = ctx.db): Promise<WatchView[]> {
  const rows = await db
    .select({ watch: anomalyWatch, openAnomalyId: anomalyEvent.id })
    .from(anomalyWatch)
    .leftJoin(anomalyEvent, and(eq(anomalyEvent.watchId, anomalyWatch.id), isNull(anomalyEvent.endedAt)))
    .orderBy(desc(anomalyWatch.isDefault), asc(anomalyWatch.label), asc(anomalyWatch.id));
  return rows.map(({ watch, openAnomalyId }) => toWatchView(watch, openAnomalyId));
}

function toWatchView(row: WatchRow, openAnomalyId: string | null): WatchView {
  const first = row.detector?.firstTs ?? null;
  return {
    id: row.id,
    metric: row.metric,
    service: row.service,
    stat: row.stat,
    label: row.label,
    isDefault: row.isDefault,
    isActive: row.isActive,
    judgedTo: row.judgedTo?.toISOString() ?? null,
    lastValue: row.lastValue,
    lastExpected: row.lastExpected,
    lastScore: row.lastScore,
    learnedMinutes: first !== null && row.judgedTo ? Math.max(0, Math.round((row.judgedTo.getTime() - first) / 60_000)) : 0,
    openAnomalyId,
  };
}
