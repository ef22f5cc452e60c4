import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { z } from "zod";
import { alertHistory, alertRule, auditLog } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";

/** An alert as the dashboard and API show it. */
export interface AlertView {
  id: string;
  ruleId: string;
  ruleName: string;
  metric: string;
  severity: "critical" | "warning" | "info";
  status: "firing" | "acknowledged" | "resolved";
  metricValue: number;
  reason: string;
  triggeredAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
}

const alertColumns = {
  id: alertHistory.id,
  ruleId: alertHistory.ruleId,
  ruleName: alertRule.name,
  metric: alertRule.metric,
  severity: alertHistory.severity,
  status: alertHistory.status,
  metricValue: alertHistory.metricValue,
  reason: alertHistory.reason,
  triggeredAt: alertHistory.triggeredAt,
  acknowledgedAt: alertHistory.acknowledgedAt,
  resolvedAt: alertHistory.resolvedAt,
};

type AlertRow = {
  [K in keyof typeof alertColumns]: (typeof alertColumns)[K]["_"]["notNull"] extends true
    ? (typeof alertColumns)[K]["_"]["data"]
    : (typeof alertColumns)[K]["_"]["data"] | null;
};

function toView(row: AlertRow): AlertView {
  return {
    ...row,
    triggeredAt: row.triggeredAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
  };
}

async function loadAlert(ctx: Ctx, id: string): Promise<AlertView | undefined> {
  const [row] = await ctx.db
    .select(alertColumns)
    .from(alertHistory)
    .innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId))
    .where(eq(alertHistory.id, id));
  return row && toView(row);
}

/** Opens an alert for a rule. Returns undefined when one is already open (the partial unique index decides). */
export async function openAlert(
  ctx: Ctx,
  input: { ruleId: string; severity: AlertView["severity"]; metricValue: number; reason: string },
): Promise<AlertView | undefined> {
  const [inserted] = await ctx.db
    .insert(alertHistory)
    .values({ ...input, status: "firing", triggeredAt: ctx.now() })
    .onConflictDoNothing()
    .returning({ id: alertHistory.id });
  return inserted && loadAlert(ctx, inserted.id);
}

/** Closes the rule's open alert because the condition cleared. */
export async function resolveAlert(ctx: Ctx, ruleId: string, note: string): Promise<AlertView | undefined> {
  const [updated] = await ctx.db
    .update(alertHistory)
    .set({ status: "resolved", resolvedAt: ctx.now(), autoResolved: true, resolutionNotes: note })
    .where(and(eq(alertHistory.ruleId, ruleId), isNull(alertHistory.resolvedAt)))
    .returning({ id: alertHistory.id });
  return updated && loadAlert(ctx, updated.id);
}

export async function acknowledgeAlert(ctx: Ctx, actor: Actor, alertId: string): Promise<AlertView> {
  requireRole(actor, "admin");
  const id = z.string().uuid("not an alert id").parse(alertId);
  const updated = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(alertHistory)
      .set({ status: "acknowledged", acknowledgedAt: ctx.now(), acknowledgedBy: actor.id })
      .where(and(eq(alertHistory.id, id), eq(alertHistory.status, "firing")))
      .returning({ id: alertHistory.id });
    if (row) await tx.insert(auditLog).values({ actorId: actor.id, action: "alert.acknowledge", target: id });
    return row;
  });
  const alert = await loadAlert(ctx, id);
  if (!alert) throw new AppError("NOT_FOUND", `no alert ${id}`);
  if (!updated) throw new AppError("CONFLICT", `alert ${id} is ${alert.status}, only a firing alert can be acknowledged`);
  return alert;
}

/** Open alerts (firing or acknowledged), newest first. */
export async function listActiveAlerts(ctx: Ctx): Promise<AlertView[]> {
  const rows = await ctx.db
    .select(alertColumns)
    .from(alertHistory)
    .innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId))
    .where(isNull(alertHistory.resolvedAt))
    .orderBy(desc(alertHistory.triggeredAt));
  return rows.map(toView);
}

/** Alerts open now or triggered since `since`, newest first. */
export async function listRecentAlerts(ctx: Ctx, since: Date, limit = 50): Promise<AlertView[]> {
  const rows = await ctx.db
    .select(alertColumns)
    .from(alertHistory)
    .innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId))
    .where(or(isNull(alertHistory.resolvedAt), gt(alertHistory.triggeredAt, since)))
    .orderBy(desc(alertHistory.triggeredAt))
    .limit(limit);
  return rows.map(toView);
}
