import { and, eq, exists, gt, inArray, isNull, notExists, or, sql } from "drizzle-orm";
import { alertHistory, notificationDelivery, type Channel, type DeliveryKind, type DeliveryState } from "@/db/schema";
import { loadAlert, type AlertEventOut } from "@/lib/alerts/alert-lifecycle";
import type { Ctx } from "@/lib/context";
import type { ChannelSettings, Sender } from "./channels/sender";
import { SENDABLE } from "./deliveries";
import { deliver, type DeliverResult } from "./deliver";
import { planDueDigests } from "./digests";
import type { EscalationStep } from "./escalation-policies";
import { loadSchedule, planPage, planResolutionNotices, type PlanOutcome } from "./plan-deliveries";

export interface NotifierSettings {
  channels: ChannelSettings;
  senders: Readonly<Record<Channel, Sender | null>>;
  publicUrl: string;
  maxPerHourPerTarget: number;
  /** A claim older than this belongs to a sender that died. */
  staleClaimMs: number;
}

/** What the notification workflows do at each step; the Inngest functions are thin adapters over it. */
export interface NotifyWork {
  loadSchedule(alertId: string): ReturnType<typeof loadSchedule>;
  planPage(alertId: string, step: EscalationStep): Promise<PlanOutcome>;
  planResolutionNotices(alertId: string): Promise<PlanOutcome>;
  /** Builds the digests that are due; returns every digest still to send. */
  planDueDigests(): Promise<string[]>;
  deliver(deliveryId: string): Promise<DeliverResult>;
}

export function notifyWork(ctx: Ctx, settings: NotifierSettings): NotifyWork {
  const plan = {
    configured: { email: Boolean(settings.senders.email), sms: Boolean(settings.senders.sms), slack: Boolean(settings.senders.slack) },
    defaultSlackChannel: settings.channels.slack?.defaultChannel ?? null,
    maxPerHourPerTarget: settings.maxPerHourPerTarget,
  };
  return {
    loadSchedule: (alertId) => loadSchedule(ctx, alertId),
    planPage: (alertId, step) => planPage(ctx, plan, alertId, step),
    planResolutionNotices: (alertId) => planResolutionNotices(ctx, plan, alertId),
    planDueDigests: () => planDueDigests(ctx),
    deliver: (id) => deliver(ctx, { senders: settings.senders, publicUrl: settings.publicUrl, staleClaimMs: settings.staleClaimMs }, id),
  };
}

/** How far back a restart looks for resolved alerts whose notices were never sent. */
const RESUME_RESOLVED_WITHIN_MS = 24 * 3_600_000;

/**
 * After a restart without an Inngest server, the workflows that were waiting are gone; this says
 * which to start again. Every step is safe to repeat (the plan is stored once, a sent delivery is
 * never sent again, waits count from the stored announcement), so a run started again picks up
 * where the old one stopped: due pages go out, nothing goes out twice.
 */
export async function eventsToResume(ctx: Ctx): Promise<AlertEventOut[]> {
  const now = ctx.now();
  const paging = await ctx.db
    .select({ id: alertHistory.id })
    .from(alertHistory)
    .where(and(isNull(alertHistory.resolvedAt), isNull(alertHistory.acknowledgedAt), eq(alertHistory.notifyState, "notified")));
  const deliveriesOf = (kinds: DeliveryKind[], states?: DeliveryState[]) =>
    ctx.db
      .select({ one: sql`1` })
      .from(notificationDelivery)
      .where(and(eq(notificationDelivery.alertId, alertHistory.id), inArray(notificationDelivery.kind, kinds), states && inArray(notificationDelivery.state, states)));
  // Resolved after it paged someone, and its notices never planned or not all sent.
  const owedNotice = await ctx.db
    .select({ id: alertHistory.id })
    .from(alertHistory)
    .where(
      and(
        gt(alertHistory.resolvedAt, new Date(now.getTime() - RESUME_RESOLVED_WITHIN_MS)),
        exists(deliveriesOf(["fired", "escalation"], ["sent"])),
        or(notExists(deliveriesOf(["resolved"])), exists(deliveriesOf(["resolved"], SENDABLE))),
      ),
    );
  const events: AlertEventOut[] = [];
  for (const [name, rows] of [["monitoring/alert.fired", paging], ["monitoring/alert.resolved", owedNotice]] as const) {
    for (const { id } of rows) {
      const alert = await loadAlert(ctx, id);
      if (alert) events.push({ name, id: `resume:${name}:${id}:${now.getTime()}`, data: { alert } });
    }
  }
  return events;
}
