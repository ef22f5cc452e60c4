import { and, eq, inArray, isNull } from "drizzle-orm";
import { alertEvent, alertHistory, alertRule, notificationDelivery, type Channel, type DeliveryKind, CHANNELS } from "@/db/schema";
import { loadActiveSilences } from "@/lib/alerts/silences";
import type { Ctx } from "@/lib/context";
import { silenceMatches } from "@/lib/rules/engine";
import { countRecentMessages, loadPlanStep, SENDABLE, storePlan, type DeliveryRow, type PlannedDelivery } from "./deliveries";
import { escalationSchedule, policyForRule, type EscalationStep } from "./escalation-policies";
import { runPipeline, type Candidate, type PipelineInput } from "./pipeline";
import { channelEnabled, contactFor, loadRecipients, quietHoursOf, type Recipient } from "./preferences";
import { DELIVERY_STAGES } from "./stages";

/** What planning needs besides the store: which channels can send, and the team's Slack channel. */
export interface PlanSettings {
  configured: Readonly<Record<Channel, boolean>>;
  defaultSlackChannel: string | null;
  maxPerHourPerTarget: number;
}

export type PlanOutcome = { stopped: string } | { deliveryIds: string[] };

type AlertRow = typeof alertHistory.$inferSelect;
type RuleRow = typeof alertRule.$inferSelect;

async function loadAlertAndRule(ctx: Ctx, alertId: string): Promise<{ alert: AlertRow; rule: RuleRow } | null> {
  const [row] = await ctx.db.select({ alert: alertHistory, rule: alertRule }).from(alertHistory).innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId)).where(eq(alertHistory.id, alertId));
  return row ?? null;
}

/** Why an alert no longer pages anyone, or null while it still should. */
function whyNotPaging(alert: AlertRow): string | null {
  if (alert.resolvedAt) return "resolved";
  if (alert.acknowledgedAt) return "acknowledged";
  if (alert.notifyState !== "notified") return "not announced";
  return null;
}

/** The escalation's steps and the moment they count from; null when the alert no longer pages. */
export async function loadSchedule(ctx: Ctx, alertId: string): Promise<{ announcedAt: string; steps: EscalationStep[] } | { stopped: string }> {
  const found = await loadAlertAndRule(ctx, alertId);
  if (!found) return { stopped: "alert deleted" };
  const stop = whyNotPaging(found.alert);
  if (stop) return { stopped: stop };
  const policy = await policyForRule(ctx, found.rule.id);
  const announcedAt = (found.alert.notifiedAt ?? found.alert.firedAt ?? found.alert.triggeredAt).getTime();
  const dueAt = (step: EscalationStep) => announcedAt + step.afterSeconds * 1000;
  const now = ctx.now().getTime();
  const steps = escalationSchedule(policy);
  // After downtime several steps may be overdue at once: page for the latest, not for each in a burst.
  const current = steps.filter((step, i) => i === steps.length - 1 || dueAt(steps[i + 1]!) > now);
  return { announcedAt: new Date(announcedAt).toISOString(), steps: current };
}

/** Recipients × channels of one tier: the tier's people (or every subscriber) on its channels (or the rule's). */
function tierCandidates(recipients: readonly Recipient[], rule: RuleRow, userIds: string[] | null, channels: Channel[] | null): Candidate[] {
  const wanted = channels ?? (rule.channels.length > 0 ? rule.channels : CHANNELS);
  const people = userIds ? recipients.filter((r) => userIds.includes(r.userId)) : recipients.filter((r) => r.preferences.severities.includes(rule.severity));
  return people.flatMap((recipient) =>
    wanted
      // A tier that names people reaches them on its channels; subscribers only on channels they turned on.
      .filter((channel) => (userIds && channels) || channelEnabled(recipient.preferences, channel))
      .map((channel) => ({
        recipientId: recipient.userId,
        channel,
        target: contactFor(recipient, channel),
        quietHours: quietHoursOf(recipient.preferences),
        breaksQuietHours: recipient.preferences.criticalBreaksQuietHours,
      })),
  );
}

/** The team's Slack channel hears every first page of a rule that pages on Slack (or on every channel). */
function teamSlack(settings: PlanSettings, rule: RuleRow): Candidate[] {
  if (!settings.defaultSlackChannel || (rule.channels.length > 0 && !rule.channels.includes("slack"))) return [];
  return [{ recipientId: null, channel: "slack", target: settings.defaultSlackChannel, quietHours: null, breaksQuietHours: true }];
}

async function pipelineInput(ctx: Ctx, settings: PlanSettings, alert: AlertRow, rule: RuleRow, checkHolds: boolean): Promise<PipelineInput> {
  const now = ctx.now();
  let silencedBy: string | null = null;
  let inhibitedBy: string | null = null;
  if (checkHolds) {
    const silence = (await loadActiveSilences(ctx, now)).find((s) => silenceMatches(s.matcher, { ...rule, labels: { ...rule.labels, ...alert.labels } }));
    silencedBy = silence ? `silence ${silence.id}` : null;
    if (rule.dependsOn.length > 0) {
      const [firing] = await ctx.db
        .select({ name: alertRule.name })
        .from(alertHistory)
        .innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId))
        .where(and(inArray(alertHistory.ruleId, rule.dependsOn), isNull(alertHistory.resolvedAt), inArray(alertHistory.status, ["firing", "acknowledged"])));
      inhibitedBy = firing?.name ?? null;
    }
  }
  return {
    now,
    severity: alert.severity,
    silencedBy,
    inhibitedBy,
    configured: settings.configured,
    sentLastHour: await countRecentMessages(ctx, new Date(now.getTime() - 3_600_000)),
    maxPerHourPerTarget: settings.maxPerHourPerTarget,
  };
}

function toPlanned(alertId: string, kind: DeliveryKind, step: { round: number; tier: number }) {
  return (candidate: Candidate, state: PlannedDelivery["state"], reason: string | null, dueAt: Date | null): PlannedDelivery => {
    const target = candidate.target ?? "";
    return {
      alertId,
      recipientId: candidate.recipientId,
      channel: candidate.channel,
      target,
      kind,
      round: step.round,
      tier: step.tier,
      state,
      reason,
      dueAt,
      // Not the address: an admin who changed their number since must not be paged twice for one step.
      dedupKey: [alertId, kind, step.round, step.tier, candidate.channel, candidate.recipientId ?? "team"].join(":"),
    };
  };
}

const stillToSend = (rows: readonly DeliveryRow[]): PlanOutcome => ({ deliveryIds: rows.filter((row) => SENDABLE.includes(row.state) || row.state === "sending").map((row) => row.id) });

/** Plans one step of an alert's escalation: who is paged, on what, and who is held back and why. */
export async function planPage(ctx: Ctx, settings: PlanSettings, alertId: string, step: EscalationStep): Promise<PlanOutcome> {
  const found = await loadAlertAndRule(ctx, alertId);
  if (!found) return { stopped: "alert deleted" };
  const { alert, rule } = found;
  const stop = whyNotPaging(alert);
  if (stop) return { stopped: stop };
  const first = step.round === 0 && step.tier === 0;
  const kind = first ? "fired" : "escalation";
  // Planned before (a retried step, a resumed run): the same messages, not a new plan from
  // today's preferences, so nobody added or renumbered since is paged for a past step.
  const planned = await loadPlanStep(ctx, alertId, kind, step.round, step.tier);
  if (planned.length > 0) return stillToSend(planned);
  const tier = (await policyForRule(ctx, rule.id)).tiers[step.tier];
  if (!tier) return { stopped: "the escalation policy changed: no such tier" };
  const candidates = [...(first ? teamSlack(settings, rule) : []), ...tierCandidates(await loadRecipients(ctx), rule, tier.userIds, tier.channels)];
  const result = runPipeline(DELIVERY_STAGES, candidates, await pipelineInput(ctx, settings, alert, rule, !first));
  if (candidates.length === 0) {
    await noteNobodyToPage(ctx, alert, step);
    return { deliveryIds: [] };
  }
  const plan = toPlanned(alertId, kind, step);
  return stillToSend(await storePlan(ctx, [
    ...result.pass.map((c) => plan(c, "planned", null, null)),
    ...result.decided.map((d) => plan(d.candidate, d.state, d.reason, d.dueAt ?? null)),
  ]));
}

/** A step that reaches nobody (no admin takes the severity, or the tier names nobody) says so on the alert. */
async function noteNobodyToPage(ctx: Ctx, alert: AlertRow, step: EscalationStep): Promise<void> {
  const note = `nobody to page for ${step.round === 0 && step.tier === 0 ? "the first page" : `escalation tier ${step.tier}, round ${step.round}`}: no admin takes ${alert.severity} alerts on these channels`;
  await ctx.db.insert(alertEvent).values({ alertId: alert.id, at: ctx.now(), fromStatus: alert.status, toStatus: alert.status, value: alert.metricValue, note });
}

/** Tells everyone an alert paged that it is over, on the channels it reached them on. */
export async function planResolutionNotices(ctx: Ctx, settings: PlanSettings, alertId: string): Promise<PlanOutcome> {
  const found = await loadAlertAndRule(ctx, alertId);
  if (!found) return { stopped: "alert deleted" };
  if (!found.alert.resolvedAt) return { stopped: "not resolved" };
  // Pages still on their way count: they will arrive, and so must the news that it is over.
  const paged = await ctx.db
    .selectDistinct({ recipientId: notificationDelivery.recipientId, channel: notificationDelivery.channel, target: notificationDelivery.target })
    .from(notificationDelivery)
    .where(and(eq(notificationDelivery.alertId, alertId), inArray(notificationDelivery.state, [...SENDABLE, "sending", "sent"]), inArray(notificationDelivery.kind, ["fired", "escalation"])));
  if (paged.length === 0) return { deliveryIds: [] };
  const recipients = new Map((await loadRecipients(ctx)).map((r) => [r.userId, r]));
  const candidates: Candidate[] = paged.map((p) => {
    const recipient = p.recipientId ? recipients.get(p.recipientId) : undefined;
    return {
      recipientId: p.recipientId,
      channel: p.channel,
      target: p.target,
      quietHours: recipient ? quietHoursOf(recipient.preferences) : null,
      breaksQuietHours: recipient?.preferences.criticalBreaksQuietHours ?? true,
    };
  });
  const result = runPipeline(DELIVERY_STAGES, candidates, await pipelineInput(ctx, settings, found.alert, found.rule, false));
  const plan = toPlanned(alertId, "resolved", { round: 0, tier: 0 });
  return stillToSend(await storePlan(ctx, [
    ...result.pass.map((c) => plan(c, "planned", null, null)),
    ...result.decided.map((d) => plan(d.candidate, d.state, d.reason, d.dueAt ?? null)),
  ]));
}
