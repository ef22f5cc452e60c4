import type { PreferencesView } from "@/lib/notify/preferences";

export const SEVERITIES = ["critical", "warning", "info"] as const satisfies readonly PreferencesView["severities"][number][];

/** The form's state: text fields as typed (blank, not null), so a cleared field stays cleared. */
export interface PreferencesFormValues {
  emailEnabled: boolean;
  email: string;
  smsEnabled: boolean;
  phone: string;
  slackEnabled: boolean;
  slackTarget: string;
  severities: PreferencesView["severities"];
  quietHoursEnabled: boolean;
  quietStart: string;
  quietEnd: string;
  timeZone: string;
  criticalBreaksQuietHours: boolean;
}

export type TextField = "email" | "phone" | "slackTarget" | "quietStart" | "quietEnd" | "timeZone";

/** Every field the form shows, by the API's path: an error for any other still gets said. */
export const KNOWN_FIELDS = [
  "emailEnabled",
  "email",
  "smsEnabled",
  "phone",
  "slackEnabled",
  "slackTarget",
  "severities",
  "quietHoursEnabled",
  "quietStart",
  "quietEnd",
  "timeZone",
  "criticalBreaksQuietHours",
] as const satisfies readonly (keyof PreferencesView)[];

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/**
 * Quiet hours that were never set up carry the server's default zone (UTC), which is rarely
 * where the admin is: the browser's zone is the better guess until they save one.
 */
function neverSetQuietHours(p: PreferencesView): boolean {
  return !p.quietHoursEnabled && p.quietStart === null && p.quietEnd === null && p.timeZone === "UTC";
}

export function formValuesOf(p: PreferencesView): PreferencesFormValues {
  return {
    emailEnabled: p.emailEnabled,
    email: p.email ?? "",
    smsEnabled: p.smsEnabled,
    phone: p.phone ?? "",
    slackEnabled: p.slackEnabled,
    slackTarget: p.slackTarget ?? "",
    severities: [...p.severities],
    quietHoursEnabled: p.quietHoursEnabled,
    quietStart: p.quietStart ?? "",
    quietEnd: p.quietEnd ?? "",
    timeZone: neverSetQuietHours(p) || !p.timeZone ? browserTimeZone() : p.timeZone,
    criticalBreaksQuietHours: p.criticalBreaksQuietHours,
  };
}

const blankToNull = (value: string) => (value.trim() ? value.trim() : null);

/** Blank becomes null (the API's "not given"); checking what is left is the API's job. */
export function preferencesBodyOf(values: PreferencesFormValues): PreferencesView {
  return {
    emailEnabled: values.emailEnabled,
    email: blankToNull(values.email),
    smsEnabled: values.smsEnabled,
    phone: blankToNull(values.phone),
    slackEnabled: values.slackEnabled,
    slackTarget: blankToNull(values.slackTarget),
    // In a fixed order, so comparing with what was saved does not depend on click order.
    severities: SEVERITIES.filter((s) => values.severities.includes(s)),
    quietHoursEnabled: values.quietHoursEnabled,
    quietStart: blankToNull(values.quietStart),
    quietEnd: blankToNull(values.quietEnd),
    timeZone: values.timeZone.trim(),
    criticalBreaksQuietHours: values.criticalBreaksQuietHours,
  };
}

/** Whether the form holds something other than what was saved (the test sends to the saved settings). */
export function differsFromSaved(values: PreferencesFormValues, saved: PreferencesView): boolean {
  const body = preferencesBodyOf(values);
  const normalised = { ...saved, severities: SEVERITIES.filter((s) => saved.severities.includes(s)) };
  // The zone only matters with quiet hours on; the browser's guess alone is not a change.
  const zoneMatters = body.quietHoursEnabled || saved.quietHoursEnabled;
  return (Object.keys(body) as (keyof PreferencesView)[])
    .filter((key) => key !== "timeZone" || zoneMatters)
    .some((key) => JSON.stringify(body[key]) !== JSON.stringify(normalised[key]));
}
