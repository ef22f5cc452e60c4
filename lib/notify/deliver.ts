import { eq } from "drizzle-orm";
import { alertHistory, alertRule, notificationDelivery, type Channel } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { DeliveryError, type OutgoingMessage, type Sender } from "./channels/sender";
import { claimDelivery, loadDelivery, markOutcomeUnknown, noteOnAlert, recordOutcome, type DeliveryRow } from "./deliveries";
import { composeAlertMessage, composeDigest } from "./message";

/** One more than the workflow's step retries: the last attempt records the failure instead of throwing. */
const MAX_DELIVERY_ATTEMPTS = 5;

export interface DeliverSettings {
  senders: Readonly<Record<Channel, Sender | null>>;
  publicUrl: string;
  /** After this long a claimed email whose sender vanished may be claimed again. */
  staleClaimMs: number;
}

export interface DeliverResult {
  id: string;
  state: DeliveryRow["state"] | "missing";
  providerMessageId?: string | null;
  reason?: string | null;
}

async function composeFor(ctx: Ctx, row: DeliveryRow, publicUrl: string): Promise<OutgoingMessage | null> {
  if (row.kind === "digest") {
    const lines = await ctx.db
      .selectDistinctOn([alertHistory.id], { ruleName: alertRule.name, severity: alertHistory.severity, firedAt: alertHistory.firedAt, triggeredAt: alertHistory.triggeredAt, resolvedAt: alertHistory.resolvedAt })
      .from(notificationDelivery)
      .innerJoin(alertHistory, eq(alertHistory.id, notificationDelivery.alertId))
      .innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId))
      .where(eq(notificationDelivery.digestId, row.id));
    return composeDigest(lines.map((l) => ({ ...l, firedAt: l.firedAt ?? l.triggeredAt })), row.id, publicUrl);
  }
  if (!row.alertId) return null;
  const [found] = await ctx.db.select({ alert: alertHistory, rule: alertRule }).from(alertHistory).innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId)).where(eq(alertHistory.id, row.alertId));
  if (!found) return null;
  const { alert, rule } = found;
  const facts = {
    alertId: alert.id,
    ruleName: rule.name,
    severity: alert.severity,
    metric: rule.metric,
    service: rule.service,
    value: alert.metricValue,
    comparison: rule.comparison,
    threshold: rule.threshold,
    reason: alert.reason,
    resolvedAt: alert.resolvedAt,
    acknowledged: alert.acknowledgedAt !== null,
  };
  return composeAlertMessage(facts, row.kind, row.id, publicUrl);
}

/**
 * A delivery someone else claimed: done, or being sent (wait until it is done or its claim goes
 * stale, then try again), or cut off mid-send by a process that died. A stale email was claimed
 * again already (its idempotency key makes that safe); a stale SMS or Slack message is marked
 * failed rather than risk a second page.
 */
async function whereOthersLeftIt(ctx: Ctx, settings: DeliverSettings, id: string): Promise<DeliverResult> {
  const current = await loadDelivery(ctx, id);
  if (!current) return { id, state: "missing" };
  if (current.state !== "sending") return { id, state: current.state, providerMessageId: current.providerMessageId, reason: current.reason };
  const staleAt = (current.claimedAt?.getTime() ?? 0) + settings.staleClaimMs;
  const wait = staleAt - ctx.now().getTime();
  if (wait > 0) throw new DeliveryError(`being sent by another process since ${current.claimedAt?.toISOString()}`, true, wait);
  await markOutcomeUnknown(ctx, id);
  return { id, state: "failed", reason: "outcome unknown" };
}

/**
 * Sends one planned delivery, at most once: the row is claimed first, so a retried step, a
 * restarted process or another instance finds it taken or done and sends nothing. A retryable
 * failure marks it `retrying` and throws (the workflow retries the step); the last attempt, or
 * a failure that would only repeat (a 4xx), marks it `failed` and returns.
 */
export async function deliver(ctx: Ctx, settings: DeliverSettings, id: string): Promise<DeliverResult> {
  const row = await claimDelivery(ctx, id, settings.staleClaimMs);
  if (!row) return whereOthersLeftIt(ctx, settings, id);
  const fail = async (reason: string): Promise<DeliverResult> => {
    await recordOutcome(ctx, id, { state: "failed", reason });
    return { id, state: "failed", reason };
  };
  await noteOnAlert(ctx, row, null);
  const sender = settings.senders[row.channel];
  if (!sender) return fail(`${row.channel} is no longer configured on this server`);
  const message = await composeFor(ctx, row, settings.publicUrl);
  if (!message) return fail("the alert no longer exists");
  try {
    const sent = await sender.send(message, row.target);
    await recordOutcome(ctx, id, { state: "sent", providerMessageId: sent.providerMessageId });
    await noteOnAlert(ctx, row, sent);
    return { id, state: "sent", providerMessageId: sent.providerMessageId };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const retryable = !(error instanceof DeliveryError) || error.retryable;
    if (!retryable) return fail(reason);
    if (row.attempts >= MAX_DELIVERY_ATTEMPTS) return fail(`gave up after ${row.attempts} attempts: ${reason}`);
    await recordOutcome(ctx, id, { state: "retrying", reason: `attempt ${row.attempts} failed: ${reason}` });
    throw error;
  }
}
