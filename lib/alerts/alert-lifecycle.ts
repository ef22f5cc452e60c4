import { and, count, desc, eq, gt, gte, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { alertEvent, alertHistory, alertRule, auditLog, type AlertStatus, type NotifyState } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx, Tx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { EngineChange, EngineMemory, EngineRule } from "@/lib/rules/engine";
import { alertLabels, fingerprintOf } from "@/lib/rules/engine";
import { listDeliveries } from "@/lib/notify/deliveries";

/** An alert as the dashboard and API show it. */
export interface AlertView {
  id: string;
  ruleId: string;
  ruleName: string;
  metric: string;
  fingerprint: string;
  labels: Record<string, string>;
  severity: "critical" | "warning" | "info";
  status: AlertStatus;
  metricValue: number | null;
  reason: string;
  /** When the breach began. */
  triggeredAt: string;
  firedAt: string | null;
  /** Whether it was announced, or why not yet. */
  notifyState: NotifyState | null;
  heldBy: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  autoResolved: boolean;
  resolutionNotes: string | null;
  runbookUrl: string | null;
}

/** The Inngest event each transition sends (the notification workflow listens for these). */
export type AlertEventName = "monitoring/alert.fired" | "monitoring/alert.acknowledged" | "monitoring/alert.resolved";

export interface AlertEventOut {
  name: AlertEventName;
  /** Stable per step, so a retried send is deduplicated by Inngest. */
  id: string;
  data: { alert: AlertView };
}

const alertColumns = {
  id: alertHistory.id,
  ruleId: alertHistory.ruleId,
  ruleName: alertRule.name,
  metric: alertRule.metric,
  fingerprint: alertHistory.fingerprint,
  labels: alertHistory.labels,
  severity: alertHistory.severity,
  status: alertHistory.status,
  metricValue: alertHistory.metricValue,
  reason: alertHistory.reason,
  triggeredAt: alertHistory.triggeredAt,
  firedAt: alertHistory.firedAt,
  notifyState: alertHistory.notifyState,
  heldBy: alertHistory.heldBy,
  acknowledgedAt: alertHistory.acknowledgedAt,
  acknowledgedBy: alertHistory.acknowledgedBy,
  resolvedAt: alertHistory.resolvedAt,
  resolvedBy: alertHistory.resolvedBy,
  autoResolved: alertHistory.autoResolved,
  resolutionNotes: alertHistory.resolutionNotes,
  runbookUrl: alertRule.runbookUrl,
};

type AlertRow = {
  [K in keyof typeof alertColumns]: (typeof alertColumns)[K]["_"]["notNull"] extends true
    ? (typeof alertColumns)[K]["_"]["data"]
    : (typeof alertColumns)[K]["_"]["data"] | null;
};

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toView(row: AlertRow): AlertView {
  return {
    ...row,
    triggeredAt: row.triggeredAt.toISOString(),
    firedAt: iso(row.firedAt),
    acknowledgedAt: iso(row.acknowledgedAt),
    resolvedAt: iso(row.resolvedAt),
  };
}

function selectAlerts(ctx: Ctx, where: SQL | undefined) {
  return selectAlertsIn(ctx.db, where);
}

function selectAlertsIn(db: Ctx["db"] | Tx, where: SQL | undefined) {
  return db.select(alertColumns).from(alertHistory).innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId)).where(where);
}

export async function loadAlert(ctx: Ctx, id: string): Promise<AlertView | undefined> {
  return loadAlertIn(ctx.db, id);
}

async function loadAlertIn(db: Ctx["db"] | Tx, id: string): Promise<AlertView | undefined> {
  const [row] = await selectAlertsIn(db, eq(alertHistory.id, id));
  return row && toView(row);
}

const openFor = (ruleId: string, fingerprint: string) =>
  and(eq(alertHistory.ruleId, ruleId), eq(alertHistory.fingerprint, fingerprint), isNull(alertHistory.resolvedAt));

/** An alert the evaluator changed, with the event the change sends (if any). */
export interface AppliedChange {
  alert: AlertView | undefined;
  event: AlertEventOut | undefined;
}

/** Below the smallest Postgres pool Vigil runs with; PGlite serialises them anyway. */
const APPLY_CONCURRENCY = 4;

/** What one pass stored: every change that committed, and the errors of those that did not. */
export interface AppliedChanges {
  applied: AppliedChange[];
  failures: unknown[];
}

/**
 * Stores what one engine pass decided, each change in its own transaction with its history
 * row. One alert's changes go in order; different alerts side by side, so a pass where twenty
 * alerts fire at once costs a few round trips on a pool, not sixty in a row. A change that
 * fails does not keep the others' (committed) changes from being reported.
 */
export async function applyEngineChanges(ctx: Ctx, changes: readonly EngineChange[]): Promise<AppliedChanges> {
  const byAlert = new Map<string, number[]>();
  changes.forEach((change, i) => {
    const key = `${change.rule.id}\u0000${change.fingerprint}`;
    byAlert.set(key, [...(byAlert.get(key) ?? []), i]);
  });
  const results: (AppliedChange | undefined)[] = new Array(changes.length);
  const failures: unknown[] = [];
  const queue = [...byAlert.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      try {
        // One alert's changes of a pass commit together: nobody reads it firing but undecided.
        // Each step's view is read inside the transaction, so the stream still shows every step.
        const applied = await ctx.db.transaction(async (tx) => {
          const out: AppliedChange[] = [];
          for (const i of group) {
            const stored = await storeChange(tx, changes[i]!);
            const alert = stored && (await loadAlertIn(tx, stored.id));
            out.push({ alert, event: alert && eventFor(changes[i]!, alert, stored?.announce ?? false) });
          }
          return out;
        });
        for (const [n, i] of group.entries()) results[i] = applied[n];
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(APPLY_CONCURRENCY, queue.length) }, worker));
  return { applied: results.filter((r): r is AppliedChange => r !== undefined), failures };
}


/** Which alert row a change touched, and whether it announces the alert. */
interface StoredChange {
  id: string;
  announce?: boolean;
}

async function storeChange(tx: Tx, change: EngineChange): Promise<StoredChange | undefined> {
  const at = new Date(change.at);
  const { rule, fingerprint } = change;
  // Locked: a person resolving or acknowledging the alert meanwhile waits for this, or this
  // for them; after the wait a resolved row no longer matches and is left alone.
  const [open] = await tx
    .select({ id: alertHistory.id, status: alertHistory.status })
    .from(alertHistory)
    .where(openFor(rule.id, fingerprint))
    .for("update");
  const stillOpen = (id: string) => and(eq(alertHistory.id, id), isNull(alertHistory.resolvedAt));
  const record = (alertId: string, from: string, to: string, note: string) =>
    tx.insert(alertEvent).values({ alertId, at, fromStatus: from, toStatus: to, value: change.value, note });

  if (change.kind === "notify") {
    if (!open) return undefined;
    await tx
      .update(alertHistory)
      .set({ notifyState: change.notify, heldBy: change.heldBy, ...(change.notify === "notified" ? { notifiedAt: at } : {}) })
      .where(stillOpen(open.id));
    // Someone acknowledged it while it was held: they are on it, nobody needs paging.
    const announce = change.notify === "notified" && open.status !== "acknowledged";
    const note = change.notify !== "notified" ? `held back (${change.notify}): ${change.reason}` : announce ? "announced" : "not announced: already acknowledged";
    await record(open.id, open.status, open.status, note);
    return { id: open.id, announce };
  }
  switch (change.to) {
    case "pending": {
      if (open) return { id: open.id }; // opened by an earlier leader that lost the lease mid-pass
      const [created] = await tx
        .insert(alertHistory)
        .values({ ruleId: rule.id, fingerprint, labels: alertLabels(rule), severity: rule.severity, status: "pending", reason: change.reason, metricValue: change.value, triggeredAt: at })
        .onConflictDoNothing()
        .returning({ id: alertHistory.id });
      if (created) await record(created.id, change.from, "pending", change.reason);
      return created && { id: created.id };
    }
    case "firing":
      if (!open) return undefined;
      await tx.update(alertHistory).set({ status: "firing", firedAt: at, reason: change.reason, metricValue: change.value }).where(stillOpen(open.id));
      await record(open.id, open.status, "firing", change.reason);
      return { id: open.id };
    case "inactive":
      // A breach that cleared before `for` was never an alert: no row stays behind.
      if (open) await tx.delete(alertHistory).where(stillOpen(open.id));
      return undefined;
    case "resolved":
      if (!open) return undefined;
      await tx
        .update(alertHistory)
        .set({ status: "resolved", resolvedAt: at, autoResolved: true, resolutionNotes: change.reason, metricValue: change.value ?? undefined })
        .where(stillOpen(open.id));
      await record(open.id, open.status, "resolved", change.reason);
      return { id: open.id };
  }
}

/**
 * The Inngest event a change sends: `fired` when an alert is announced (at once, or when what
 * held it back is gone), `resolved` when it resolves. Held-back decisions are steps in the
 * alert's history, not events: the notification workflow starts on `fired` alone.
 */
function eventFor(change: EngineChange, alert: AlertView, announce: boolean): AlertEventOut | undefined {
  if (change.kind === "notify") return announce ? { name: "monitoring/alert.fired", id: `${alert.id}-fired`, data: { alert } } : undefined;
  if (change.to === "resolved") return { name: "monitoring/alert.resolved", id: `${alert.id}-resolved`, data: { alert } };
  return undefined;
}

/**
 * What a new leader needs to carry on where the last one stopped: the open alerts (so a
 * pending `for` keeps its start and a firing alert is not fired again), when each fingerprint
 * last resolved (cooldown) and the last hour's announcements per rule (hourly budget).
 */
export async function loadEngineMemory(ctx: Ctx, rules: readonly EngineRule[]): Promise<EngineMemory> {
  const now = ctx.now();
  const open = await ctx.db.select().from(alertHistory).where(isNull(alertHistory.resolvedAt));
  // Alerts opened before fingerprints existed belong to their rule's one fingerprint.
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const row of open) {
    const rule = byId.get(row.ruleId);
    if (row.fingerprint !== "" || !rule) continue;
    row.fingerprint = fingerprintOf(rule);
    await ctx.db.update(alertHistory).set({ fingerprint: row.fingerprint }).where(eq(alertHistory.id, row.id));
  }
  const lastResolved = await ctx.db
    .select({ fingerprint: alertHistory.fingerprint, at: sql<Date>`max(${alertHistory.resolvedAt})`.mapWith((v) => new Date(v as string)) })
    .from(alertHistory)
    .where(and(gt(alertHistory.resolvedAt, new Date(now.getTime() - 24 * 3_600_000)), eq(alertHistory.notifyState, "notified")))
    .groupBy(alertHistory.fingerprint);
  const notified = await ctx.db
    .select({ ruleId: alertHistory.ruleId, at: alertHistory.notifiedAt })
    .from(alertHistory)
    .where(gte(alertHistory.notifiedAt, new Date(now.getTime() - 3_600_000)));
  const notifiedAt: Record<string, number[]> = {};
  for (const row of notified) (notifiedAt[row.ruleId] ??= []).push(row.at!.getTime());
  return {
    open: open.map((row) => ({
      ruleId: row.ruleId,
      fingerprint: row.fingerprint,
      phase: row.status === "pending" ? "pending" : "firing",
      since: row.triggeredAt.getTime(),
      firedAt: row.firedAt?.getTime() ?? null,
      clearSince: null,
      value: row.metricValue,
      notify: row.notifyState,
      heldBy: row.heldBy,
    })),
    lastResolvedAt: Object.fromEntries(lastResolved.map((r) => [r.fingerprint, r.at.getTime()])),
    notifiedAt,
  };
}

/** An open alert as the evaluator compares it with the engine: whose, which label set, how far along. */
export interface OpenAlertKey {
  id: string;
  ruleId: string;
  fingerprint: string;
  status: AlertStatus;
}

export async function listOpenAlertKeys(ctx: Ctx): Promise<OpenAlertKey[]> {
  return ctx.db
    .select({ id: alertHistory.id, ruleId: alertHistory.ruleId, fingerprint: alertHistory.fingerprint, status: alertHistory.status })
    .from(alertHistory)
    .where(isNull(alertHistory.resolvedAt));
}

/**
 * Closes open alerts no active rule stands behind any more: a rule switched off while a pass
 * was under way, or relabelled (a new fingerprint). Pending ones go; the others resolve.
 */
export async function closeOrphanedAlerts(ctx: Ctx, orphans: readonly OpenAlertKey[], note: string): Promise<AppliedChange[]> {
  const changes: AppliedChange[] = [];
  for (const orphan of orphans) {
    const closed = await ctx.db.transaction(async (tx) => {
      const open = and(eq(alertHistory.id, orphan.id), isNull(alertHistory.resolvedAt));
      if (orphan.status === "pending") {
        await tx.delete(alertHistory).where(and(open, eq(alertHistory.status, "pending")));
        return false;
      }
      const [row] = await tx
        .update(alertHistory)
        .set({ status: "resolved", resolvedAt: ctx.now(), autoResolved: true, resolutionNotes: note })
        .where(open)
        .returning({ value: alertHistory.metricValue });
      if (row) await tx.insert(alertEvent).values({ alertId: orphan.id, at: ctx.now(), fromStatus: orphan.status, toStatus: "resolved", value: row.value, note });
      return row !== undefined;
    });
    const alert = closed ? await loadAlert(ctx, orphan.id) : undefined;
    if (alert) changes.push({ alert, event: { name: "monitoring/alert.resolved", id: `${alert.id}-resolved`, data: { alert } } });
  }
  return changes;
}

/**
 * A rule was switched off: its open alerts close with it (pending ones were never alerts and
 * go), so nothing stays "firing" that nobody evaluates any more.
 */
export async function closeAlertsOfRule(ctx: Ctx, actor: Actor, ruleId: string, note: string): Promise<AppliedChange[]> {
  const closed = await ctx.db.transaction(async (tx) => {
    await tx.delete(alertHistory).where(and(eq(alertHistory.ruleId, ruleId), eq(alertHistory.status, "pending"), isNull(alertHistory.resolvedAt)));
    const open = await tx
      .select({ id: alertHistory.id, status: alertHistory.status })
      .from(alertHistory)
      .where(and(eq(alertHistory.ruleId, ruleId), isNull(alertHistory.resolvedAt)))
      .for("update");
    const rows = await tx
      .update(alertHistory)
      .set({ status: "resolved", resolvedAt: ctx.now(), resolvedBy: actor.id, autoResolved: false, resolutionNotes: note })
      .where(and(eq(alertHistory.ruleId, ruleId), isNull(alertHistory.resolvedAt)))
      .returning({ id: alertHistory.id, value: alertHistory.metricValue });
    const statusOf = new Map(open.map((row) => [row.id, row.status]));
    for (const row of rows) {
      await tx.insert(alertEvent).values({ alertId: row.id, at: ctx.now(), fromStatus: statusOf.get(row.id) ?? "firing", toStatus: "resolved", actorId: actor.id, value: row.value, note });
    }
    return rows;
  });
  const changes: AppliedChange[] = [];
  for (const { id } of closed) {
    const alert = await loadAlert(ctx, id);
    if (alert) changes.push({ alert, event: { name: "monitoring/alert.resolved", id: `${alert.id}-resolved`, data: { alert } } });
  }
  return changes;
}

const alertId = z.string().uuid("not an alert id");

export async function acknowledgeAlert(ctx: Ctx, actor: Actor, id: string): Promise<{ alert: AlertView; event: AlertEventOut }> {
  requireRole(actor, "admin");
  const parsed = alertId.parse(id);
  const updated = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(alertHistory)
      .set({ status: "acknowledged", acknowledgedAt: ctx.now(), acknowledgedBy: actor.id })
      .where(and(eq(alertHistory.id, parsed), eq(alertHistory.status, "firing")))
      .returning({ id: alertHistory.id, value: alertHistory.metricValue });
    if (!row) return undefined;
    await tx.insert(alertEvent).values({ alertId: row.id, at: ctx.now(), fromStatus: "firing", toStatus: "acknowledged", actorId: actor.id, value: row.value, note: `acknowledged by ${actor.email}` });
    await tx.insert(auditLog).values({ actorId: actor.id, action: "alert.acknowledge", target: parsed });
    return row;
  });
  const alert = await loadAlert(ctx, parsed);
  if (!alert) throw new AppError("NOT_FOUND", `no alert ${parsed}`);
  if (!updated) throw new AppError("CONFLICT", `alert ${parsed} is ${alert.status}, only a firing alert can be acknowledged`);
  return { alert, event: { name: "monitoring/alert.acknowledged", id: `${alert.id}-acknowledged`, data: { alert } } };
}

const resolveInput = z.object({ notes: z.string().trim().max(2000).optional() });

/** Closes an alert by hand, with notes. If the breach goes on, the evaluator opens a new alert. */
export async function resolveAlertByHand(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<{ alert: AlertView; event: AlertEventOut }> {
  requireRole(actor, "admin");
  const parsed = alertId.parse(id);
  const { notes } = resolveInput.parse(input ?? {});
  const note = notes ? `resolved by ${actor.email}: ${notes}` : `resolved by ${actor.email}`;
  const updated = await ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: alertHistory.status })
      .from(alertHistory)
      .where(and(eq(alertHistory.id, parsed), isNull(alertHistory.resolvedAt)))
      .for("update");
    // A pending breach is not an alert yet: there is nothing to resolve, and it clears by itself.
    if (!before || before.status === "pending") return undefined;
    const [row] = await tx
      .update(alertHistory)
      .set({ status: "resolved", resolvedAt: ctx.now(), resolvedBy: actor.id, autoResolved: false, resolutionNotes: notes ?? null })
      .where(and(eq(alertHistory.id, parsed), isNull(alertHistory.resolvedAt)))
      .returning({ id: alertHistory.id, value: alertHistory.metricValue });
    if (!row) return undefined;
    await tx.insert(alertEvent).values({ alertId: row.id, at: ctx.now(), fromStatus: before.status, toStatus: "resolved", actorId: actor.id, value: row.value, note });
    await tx.insert(auditLog).values({ actorId: actor.id, action: "alert.resolve", target: parsed, details: { notes: notes ?? null } });
    return row;
  });
  const alert = await loadAlert(ctx, parsed);
  if (!alert) throw new AppError("NOT_FOUND", `no alert ${parsed}`);
  if (!updated) throw new AppError("CONFLICT", `alert ${parsed} is ${alert.status}: only a firing or acknowledged alert can be resolved`);
  return { alert, event: { name: "monitoring/alert.resolved", id: `${alert.id}-resolved`, data: { alert } } };
}

const FIRED: AlertStatus[] = ["firing", "acknowledged"];

/** Open alerts, newest first: firing and acknowledged, and pending ones too when asked. */
export async function listActiveAlerts(ctx: Ctx, options: { includePending?: boolean } = {}): Promise<AlertView[]> {
  const statuses: AlertStatus[] = options.includePending ? ["pending", ...FIRED] : FIRED;
  const rows = await selectAlerts(ctx, and(isNull(alertHistory.resolvedAt), inArray(alertHistory.status, statuses))).orderBy(desc(alertHistory.triggeredAt));
  return rows.map(toView);
}

/** Alerts that fired and are open now or were triggered since `since`, newest first. */
export async function listRecentAlerts(ctx: Ctx, since: Date, limit = 50): Promise<AlertView[]> {
  const rows = await selectAlerts(ctx, and(or(isNull(alertHistory.resolvedAt), gt(alertHistory.triggeredAt, since)), sql`${alertHistory.status} <> 'pending'`))
    .orderBy(desc(alertHistory.triggeredAt))
    .limit(limit);
  return rows.map(toView);
}

export const alertHistoryQuery = z.object({
  status: z.enum(["pending", "firing", "acknowledged", "resolved"]).optional(),
  severity: z.enum(["critical", "warning", "info"]).optional(),
  ruleId: z.string().uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().optional(),
});

/** Keyset pagination on (triggeredAt, id), newest first: stable while new alerts arrive. */
export async function listAlertHistory(ctx: Ctx, input: unknown): Promise<{ alerts: AlertView[]; total: number; nextCursor: string | null }> {
  const q = alertHistoryQuery.parse(input);
  const filters = and(
    q.status ? eq(alertHistory.status, q.status) : undefined,
    q.severity ? eq(alertHistory.severity, q.severity) : undefined,
    q.ruleId ? eq(alertHistory.ruleId, q.ruleId) : undefined,
    q.from ? gte(alertHistory.triggeredAt, new Date(q.from)) : undefined,
    q.to ? lt(alertHistory.triggeredAt, new Date(q.to)) : undefined,
  );
  const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
  const page = cursor
    ? or(lt(alertHistory.triggeredAt, cursor.at), and(eq(alertHistory.triggeredAt, cursor.at), lt(alertHistory.id, cursor.id)))
    : undefined;
  const rows = await selectAlerts(ctx, and(filters, page))
    .orderBy(desc(alertHistory.triggeredAt), desc(alertHistory.id))
    .limit(q.limit + 1);
  const [{ total } = { total: 0 }] = await ctx.db.select({ total: count() }).from(alertHistory).where(filters);
  const more = rows.length > q.limit;
  const alerts = rows.slice(0, q.limit).map(toView);
  const lastAlert = alerts.at(-1);
  return { alerts, total, nextCursor: more && lastAlert ? encodeCursor(lastAlert) : null };
}

function encodeCursor(alert: AlertView): string {
  return Buffer.from(JSON.stringify([alert.triggeredAt, alert.id])).toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as [string, string];
    const parsed = { at: new Date(at), id: z.string().uuid().parse(id) };
    if (Number.isNaN(parsed.at.getTime())) throw new Error("bad date");
    return parsed;
  } catch {
    throw new AppError("INVALID", "cursor: not a cursor from this API", { issues: [{ path: "cursor", message: "not a cursor from this API" }] });
  }
}

/** Each step of one alert's life, oldest first. */
export async function listAlertEvents(ctx: Ctx, id: string) {
  const parsed = alertId.parse(id);
  return ctx.db.select().from(alertEvent).where(eq(alertEvent.alertId, parsed)).orderBy(alertEvent.at);
}

/** One alert with every step of its life and every message planned about it: the alert's own page. */
export async function loadAlertWithEvents(ctx: Ctx, id: string) {
  const parsed = alertId.parse(id);
  const [events, alert, deliveries] = await Promise.all([listAlertEvents(ctx, parsed), loadAlert(ctx, parsed), listDeliveries(ctx, parsed)]);
  if (!alert) throw new AppError("NOT_FOUND", `no alert ${id}`);
  return { alert, events, deliveries };
}
