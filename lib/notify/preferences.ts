import { eq } from "drizzle-orm";
import { z } from "zod";
import { adminNotificationPreference, auditLog, user, SEVERITIES, type Channel, type Severity } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { isTimeZone } from "@/lib/time-zone";
import type { QuietHours } from "./quiet-hours";

/** An admin's notification preferences as the API and the preferences page show them. */
export interface PreferencesView {
  emailEnabled: boolean;
  /** null: the address the admin signs in with. */
  email: string | null;
  smsEnabled: boolean;
  /** E.164: +14155550123. */
  phone: string | null;
  slackEnabled: boolean;
  /** A Slack channel ("#ops", "C0123") or user id ("U0123") for direct messages. */
  slackTarget: string | null;
  severities: Severity[];
  quietHoursEnabled: boolean;
  /** "22:00", in `timeZone`. */
  quietStart: string | null;
  quietEnd: string | null;
  timeZone: string;
  criticalBreaksQuietHours: boolean;
}

/** Someone the pipeline may page, with what they chose. */
export interface Recipient {
  userId: string;
  email: string;
  preferences: PreferencesView;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const optionalText = z.string().trim().max(200).nullable().optional().transform((v) => (v ? v : null));

export const preferencesInputSchema = z
  .object({
    emailEnabled: z.boolean(),
    email: z.email("not an email address").nullable().optional().transform((v) => v ?? null),
    smsEnabled: z.boolean(),
    phone: optionalText.refine((v) => v === null || E164.test(v), "a phone number in E.164 form, like +14155550123"),
    slackEnabled: z.boolean(),
    slackTarget: optionalText.refine((v) => v === null || /^[#@]?[\w.-]+$/.test(v), "a Slack channel (#ops, C0123) or user id (U0123)"),
    severities: z.array(z.enum(SEVERITIES)).max(SEVERITIES.length).transform((list) => [...new Set(list)]),
    quietHoursEnabled: z.boolean(),
    quietStart: z.string().regex(TIME, "a time like 22:00").nullable().optional().transform((v) => v ?? null),
    quietEnd: z.string().regex(TIME, "a time like 08:00").nullable().optional().transform((v) => v ?? null),
    timeZone: z.string().refine(isTimeZone, "an IANA time zone, like Europe/Berlin"),
    criticalBreaksQuietHours: z.boolean().default(true),
  })
  .strict()
  // An enabled channel with nowhere to send would look like a working one and page nobody.
  .refine((p) => !p.smsEnabled || p.phone, { path: ["phone"], message: "SMS is on: give a phone number" })
  .refine((p) => !p.slackEnabled || p.slackTarget, { path: ["slackTarget"], message: "Slack is on: give a channel or user id" })
  .refine((p) => !p.quietHoursEnabled || (p.quietStart && p.quietEnd), { path: ["quietStart"], message: "quiet hours are on: give a start and an end" })
  .refine((p) => !p.quietHoursEnabled || p.quietStart !== p.quietEnd, { path: ["quietEnd"], message: "must differ from the start" });

type PreferenceRow = typeof adminNotificationPreference.$inferSelect;

/** Without a saved row: email to the sign-in address, for critical and warning alerts. */
export const DEFAULT_PREFERENCES: PreferencesView = {
  emailEnabled: true,
  email: null,
  smsEnabled: false,
  phone: null,
  slackEnabled: false,
  slackTarget: null,
  severities: ["critical", "warning"],
  quietHoursEnabled: false,
  quietStart: null,
  quietEnd: null,
  timeZone: "UTC",
  criticalBreaksQuietHours: true,
};

function toView(row: PreferenceRow | null): PreferencesView {
  if (!row) return DEFAULT_PREFERENCES;
  const severities = SEVERITIES.filter((s) => ({ critical: row.criticalAlerts, warning: row.warningAlerts, info: row.infoAlerts })[s]);
  return {
    emailEnabled: row.emailNotifications,
    email: row.email,
    smsEnabled: row.smsNotifications,
    phone: row.phone,
    slackEnabled: row.slackNotifications,
    slackTarget: row.slackChannel,
    severities,
    quietHoursEnabled: row.quietHoursEnabled,
    quietStart: row.quietStartTime?.slice(0, 5) ?? null,
    quietEnd: row.quietEndTime?.slice(0, 5) ?? null,
    timeZone: row.timeZone,
    criticalBreaksQuietHours: row.criticalBreaksQuietHours,
  };
}

function toColumns(p: PreferencesView) {
  return {
    emailNotifications: p.emailEnabled,
    email: p.email,
    smsNotifications: p.smsEnabled,
    phone: p.phone,
    slackNotifications: p.slackEnabled,
    slackChannel: p.slackTarget,
    criticalAlerts: p.severities.includes("critical"),
    warningAlerts: p.severities.includes("warning"),
    infoAlerts: p.severities.includes("info"),
    quietHoursEnabled: p.quietHoursEnabled,
    quietStartTime: p.quietStart,
    quietEndTime: p.quietEnd,
    timeZone: p.timeZone,
    criticalBreaksQuietHours: p.criticalBreaksQuietHours,
  };
}

export async function getPreferences(ctx: Ctx, actor: Actor): Promise<PreferencesView> {
  requireRole(actor, "admin");
  const [row] = await ctx.db.select().from(adminNotificationPreference).where(eq(adminNotificationPreference.adminUserId, actor.id));
  return toView(row ?? null);
}

export async function updatePreferences(ctx: Ctx, actor: Actor, body: unknown): Promise<PreferencesView> {
  requireRole(actor, "admin");
  const input = preferencesInputSchema.parse(body);
  const now = ctx.now();
  const columns = { ...toColumns(input), updatedAt: now };
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(adminNotificationPreference)
      .values({ adminUserId: actor.id, ...columns, createdAt: now })
      .onConflictDoUpdate({ target: adminNotificationPreference.adminUserId, set: columns });
    await tx.insert(auditLog).values({ actorId: actor.id, action: "preferences.update", target: actor.id, details: { ...input } });
  });
  return input;
}

/** Every admin, with their preferences (or the defaults): who the pipeline may page. */
export async function loadRecipients(ctx: Ctx): Promise<Recipient[]> {
  const rows = await ctx.db
    .select({ userId: user.id, email: user.email, preference: adminNotificationPreference })
    .from(user)
    .leftJoin(adminNotificationPreference, eq(adminNotificationPreference.adminUserId, user.id))
    .where(eq(user.role, "admin"));
  return rows.map((row) => ({ userId: row.userId, email: row.email, preferences: toView(row.preference) }));
}

export async function loadRecipient(ctx: Ctx, actor: Actor): Promise<Recipient> {
  return { userId: actor.id, email: actor.email, preferences: await getPreferences(ctx, actor) };
}

/** Where `channel` reaches this recipient, or null when they gave no address for it. */
export function contactFor(recipient: Recipient, channel: Channel): string | null {
  const p = recipient.preferences;
  return { email: p.email ?? recipient.email, sms: p.phone, slack: p.slackTarget }[channel];
}

export function channelEnabled(preferences: PreferencesView, channel: Channel): boolean {
  return { email: preferences.emailEnabled, sms: preferences.smsEnabled, slack: preferences.slackEnabled }[channel];
}

export function quietHoursOf(preferences: PreferencesView): QuietHours | null {
  if (!preferences.quietHoursEnabled || !preferences.quietStart || !preferences.quietEnd) return null;
  return { start: preferences.quietStart, end: preferences.quietEnd, timeZone: preferences.timeZone };
}
