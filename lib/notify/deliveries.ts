import { and, asc, eq, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { alertHistory, notificationDelivery, user, type Channel, type DeliveryKind, type DeliveryState } from "@/db/schema";
import type { Ctx } from "@/lib/context";

export type DeliveryRow = typeof notificationDelivery.$inferSelect;

/** One planned message as the alert's page shows it. */
export interface DeliveryView {
  id: string;
  alertId: string | null;
  recipient: { id: string; email: string } | null;
  channel: Channel;
  target: string;
  kind: DeliveryKind;
  round: number;
  tier: number;
  state: DeliveryState;
  reason: string | null;
  attempts: number;
  providerMessageId: string | null;
  createdAt: string;
  sentAt: string | null;
  /** Held rows: when the digest is due. */
  dueAt: string | null;
  digestId: string | null;
}

/** A row the pipeline decided on, before it is stored. */
export interface PlannedDelivery {
  alertId: string | null;
  recipientId: string | null;
  channel: Channel;
  target: string;
  kind: DeliveryKind;
  round: number;
  tier: number;
  state: DeliveryState;
  reason: string | null;
  dueAt: Date | null;
  dedupKey: string;
}

/** States a sender may still pick up. */
export const SENDABLE: DeliveryState[] = ["planned", "retrying"];

/**
 * Stores the plan. A key planned before (a retried step, a restarted run, a second instance) keeps
 * its first row: the plan is written once, whoever writes it.
 */
export async function storePlan(ctx: Ctx, planned: readonly PlannedDelivery[]): Promise<DeliveryRow[]> {
  if (planned.length === 0) return [];
  const now = ctx.now();
  const keys = planned.map((p) => p.dedupKey);
  await ctx.db
    .insert(notificationDelivery)
    .values(planned.map((p) => ({ ...p, createdAt: now, updatedAt: now })))
    .onConflictDoNothing({ target: notificationDelivery.dedupKey });
  return ctx.db.select().from(notificationDelivery).where(inArray(notificationDelivery.dedupKey, keys)).orderBy(asc(notificationDelivery.createdAt), asc(notificationDelivery.id));
}

/**
 * Takes a delivery for sending, atomically: only one caller gets it. An email claimed earlier by a
 * process that died is taken again after `staleMs` (its idempotency key makes the resend safe).
 */
export async function claimDelivery(ctx: Ctx, id: string, staleMs: number): Promise<DeliveryRow | null> {
  const now = ctx.now();
  const staleBefore = new Date(now.getTime() - staleMs);
  const [row] = await ctx.db
    .update(notificationDelivery)
    .set({ state: "sending", attempts: sql`${notificationDelivery.attempts} + 1`, claimedAt: now, updatedAt: now })
    .where(
      and(
        eq(notificationDelivery.id, id),
        or(
          inArray(notificationDelivery.state, SENDABLE),
          and(eq(notificationDelivery.state, "sending"), eq(notificationDelivery.channel, "email"), lt(notificationDelivery.claimedAt, staleBefore)),
        ),
      ),
    )
    .returning();
  return row ?? null;
}

export async function loadDelivery(ctx: Ctx, id: string): Promise<DeliveryRow | null> {
  const [row] = await ctx.db.select().from(notificationDelivery).where(eq(notificationDelivery.id, id));
  return row ?? null;
}

type Outcome = { state: "sent"; providerMessageId: string | null } | { state: "retrying" | "failed"; reason: string };

/**
 * Keeps the alert's own summary columns (from the seed schema) in step with its deliveries: every
 * attempt counted, every sent message listed. The delivery rows remain the record.
 */
export async function noteOnAlert(ctx: Ctx, row: DeliveryRow, sent: { providerMessageId: string | null } | null): Promise<void> {
  if (!row.alertId) return;
  const listed = sent ? [{ channel: row.channel, target: row.target, kind: row.kind, at: ctx.now().toISOString(), providerMessageId: sent.providerMessageId }] : [];
  await ctx.db
    .update(alertHistory)
    .set({
      notificationAttempts: sql`${alertHistory.notificationAttempts} + ${sent ? 0 : 1}`,
      notificationsSent: sql`${alertHistory.notificationsSent} || ${JSON.stringify(listed)}::jsonb`,
    })
    .where(eq(alertHistory.id, row.alertId));
}

/** Records what the provider said; only the claim's holder (state `sending`) may. */
export async function recordOutcome(ctx: Ctx, id: string, outcome: Outcome): Promise<void> {
  const now = ctx.now();
  const set =
    outcome.state === "sent"
      ? { state: outcome.state, providerMessageId: outcome.providerMessageId, sentAt: now, reason: null, updatedAt: now }
      : { state: outcome.state, reason: outcome.reason, updatedAt: now };
  await ctx.db.update(notificationDelivery).set(set).where(and(eq(notificationDelivery.id, id), eq(notificationDelivery.state, "sending")));
}

/**
 * SMS and Slack have no idempotency keys: a send cut off by a dying process may or may not have
 * reached the provider. Sending again could page twice, so such a row is marked failed, visibly;
 * the escalation's next tier is the backstop for a page that was lost.
 */
export async function markOutcomeUnknown(ctx: Ctx, id: string): Promise<void> {
  await ctx.db
    .update(notificationDelivery)
    .set({ state: "failed", reason: "outcome unknown: the process sending it stopped; not resent, to avoid a duplicate page", updatedAt: ctx.now() })
    .where(and(eq(notificationDelivery.id, id), eq(notificationDelivery.state, "sending")));
}

export async function listDeliveries(ctx: Ctx, alertId: string): Promise<DeliveryView[]> {
  const rows = await ctx.db
    .select({ delivery: notificationDelivery, recipientEmail: user.email })
    .from(notificationDelivery)
    .leftJoin(user, eq(user.id, notificationDelivery.recipientId))
    .where(eq(notificationDelivery.alertId, alertId))
    .orderBy(asc(notificationDelivery.createdAt), asc(notificationDelivery.round), asc(notificationDelivery.tier));
  return rows.map(({ delivery, recipientEmail }) => toDeliveryView(delivery, recipientEmail));
}

function toDeliveryView(row: DeliveryRow, recipientEmail: string | null): DeliveryView {
  return {
    id: row.id,
    alertId: row.alertId,
    recipient: row.recipientId && recipientEmail ? { id: row.recipientId, email: recipientEmail } : null,
    channel: row.channel,
    target: row.target,
    kind: row.kind,
    round: row.round,
    tier: row.tier,
    state: row.state,
    reason: row.reason,
    attempts: row.attempts,
    providerMessageId: row.providerMessageId,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    dueAt: row.dueAt?.toISOString() ?? null,
    digestId: row.digestId,
  };
}

/**
 * Messages sent, or on their way, to each `channel:target` since `since`: what the rate-limit
 * stage counts. On their way counts too, or a storm of alerts planned at once would all pass.
 */
export async function countRecentMessages(ctx: Ctx, since: Date): Promise<Map<string, number>> {
  const rows = await ctx.db
    .select({ channel: notificationDelivery.channel, target: notificationDelivery.target, sent: sql<number>`count(*)::int` })
    .from(notificationDelivery)
    .where(and(inArray(notificationDelivery.state, [...SENDABLE, "sending", "sent"]), gte(notificationDelivery.createdAt, since)))
    .groupBy(notificationDelivery.channel, notificationDelivery.target);
  return new Map(rows.map((r) => [`${r.channel}:${r.target}`, r.sent]));
}

export const heldWithoutDigest = and(eq(notificationDelivery.state, "held"), isNull(notificationDelivery.digestId));

/** The rows a step of an alert's plan already has: planning it again adds none. */
export async function loadPlanStep(ctx: Ctx, alertId: string, kind: DeliveryKind, round: number, tier: number): Promise<DeliveryRow[]> {
  return ctx.db
    .select()
    .from(notificationDelivery)
    .where(and(eq(notificationDelivery.alertId, alertId), eq(notificationDelivery.kind, kind), eq(notificationDelivery.round, round), eq(notificationDelivery.tier, tier)));
}
