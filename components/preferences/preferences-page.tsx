"use client";

import { Card } from "@tremor/react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { FormError } from "@/components/field";
import type { Channel } from "@/db/schema";
import { ChannelRow } from "./channel-row";
import { asApiError, PREFERENCES_QUERY_KEY, preferencesApi, type PreferencesResponse } from "./notifications-api";
import { differsFromSaved, formValuesOf, KNOWN_FIELDS, preferencesBodyOf, SEVERITIES, type PreferencesFormValues, type TextField } from "./preferences-form-values";
import { Checkbox, PrefsField, PrefsFieldError } from "./prefs-field";
import { CHANNEL_NAMES, TestNotification } from "./test-notification";

const SEVERITY_LABELS: Record<PreferencesFormValues["severities"][number], string> = { critical: "Critical", warning: "Warning", info: "Info" };

const PRIMARY = "min-h-11 rounded-md bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-500 disabled:opacity-60 sm:min-h-10";
const SECTION = "min-w-0 rounded-md border border-slate-200 p-3 dark:border-slate-800";

/** Every IANA zone the browser knows, as suggestions; any other name still goes to the API to judge. */
function knownTimeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [];
  }
}

function PreferencesForm({ saved }: { saved: PreferencesResponse }) {
  const queryClient = useQueryClient();
  const zonesId = useId();
  const zones = useMemo(knownTimeZones, []);
  const [values, setValues] = useState<PreferencesFormValues>(() => formValuesOf(saved.preferences));
  const save = useMutation({
    mutationFn: preferencesApi.save,
    onSuccess: (response) => {
      queryClient.setQueryData(PREFERENCES_QUERY_KEY, response);
      setValues(formValuesOf(response.preferences));
    },
  });
  const error = asApiError(save.error);
  const fieldErrors = error?.fieldErrors ?? {};
  const statusOf = (channel: Channel) => saved.channels.find((c) => c.channel === channel);

  const set = <K extends keyof PreferencesFormValues>(key: K, value: PreferencesFormValues[K]) => {
    // "Saved" speaks of what was sent; once the form changes it no longer holds.
    if (save.isSuccess) save.reset();
    setValues((old) => ({ ...old, [key]: value }));
  };
  const text = (key: TextField) => ({ value: values[key], onChange: (value: string) => set(key, value) });
  const toggleSeverity = (severity: PreferencesFormValues["severities"][number], on: boolean) =>
    set("severities", on ? [...values.severities.filter((s) => s !== severity), severity] : values.severities.filter((s) => s !== severity));

  return (
    <>
      <Card className="min-w-0 p-4">
        {/* noValidate: the API's messages, not the browser's, so every client sees the same rules. */}
        <form
          noValidate
          aria-label="Notification preferences"
          className="space-y-4"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate(preferencesBodyOf(values));
          }}
        >
          <fieldset disabled={save.isPending} className="min-w-0 space-y-4">
            <fieldset className={SECTION}>
              <legend className="px-1 text-sm font-medium">Channels</legend>
              <div className="divide-y divide-slate-200 dark:divide-slate-800">
                <ChannelRow
                  channel="email"
                  name={CHANNEL_NAMES.email}
                  enabled={values.emailEnabled}
                  onEnabledChange={(on) => set("emailEnabled", on)}
                  enabledTestId="prefs-email-enabled"
                  contact={{ label: "Email address", field: "email", testId: "prefs-email", type: "email", placeholder: "your sign-in address", hint: "Blank: the address you sign in with", error: fieldErrors.email, ...text("email") }}
                  status={statusOf("email")}
                />
                <ChannelRow
                  channel="sms"
                  name={CHANNEL_NAMES.sms}
                  enabled={values.smsEnabled}
                  onEnabledChange={(on) => set("smsEnabled", on)}
                  enabledTestId="prefs-sms-enabled"
                  contact={{ label: "Phone number", field: "phone", testId: "prefs-phone", type: "tel", placeholder: "+14155550123", hint: "With the country code, digits only after the +", error: fieldErrors.phone, ...text("phone") }}
                  status={statusOf("sms")}
                />
                <ChannelRow
                  channel="slack"
                  name={CHANNEL_NAMES.slack}
                  enabled={values.slackEnabled}
                  onEnabledChange={(on) => set("slackEnabled", on)}
                  enabledTestId="prefs-slack-enabled"
                  contact={{ label: "Slack channel or user id", field: "slackTarget", testId: "prefs-slack-target", type: "text", placeholder: "#alerts or U0123", hint: "A user id sends you a direct message", error: fieldErrors.slackTarget, ...text("slackTarget") }}
                  status={statusOf("slack")}
                />
              </div>
              {(["emailEnabled", "smsEnabled", "slackEnabled"] as const).map((field) => (
                <PrefsFieldError key={field} field={field} error={fieldErrors[field]} />
              ))}
            </fieldset>

            <fieldset className={SECTION}>
              <legend className="px-1 text-sm font-medium">Severities</legend>
              <p className="text-sm text-slate-500">Alerts of the severities ticked reach you; the others show only in Vigil.</p>
              <div className="mt-1 flex flex-wrap gap-x-6">
                {SEVERITIES.map((severity) => (
                  <Checkbox
                    key={severity}
                    label={SEVERITY_LABELS[severity]}
                    checked={values.severities.includes(severity)}
                    onChange={(on) => toggleSeverity(severity, on)}
                    testId={`prefs-severity-${severity}`}
                    invalid={Boolean(fieldErrors.severities)}
                  />
                ))}
              </div>
              {values.severities.length === 0 && <p className="mt-1 text-sm text-amber-800 dark:text-amber-300">With none ticked, no alert reaches you.</p>}
              <PrefsFieldError field="severities" error={fieldErrors.severities} />
            </fieldset>

            <fieldset className={SECTION}>
              <legend className="px-1 text-sm font-medium">Quiet hours</legend>
              <p className="text-sm text-slate-500">Alerts during quiet hours are held and sent to you together, as one digest, when they end.</p>
              <Checkbox label="Quiet hours on" checked={values.quietHoursEnabled} onChange={(on) => set("quietHoursEnabled", on)} testId="prefs-quiet-enabled" invalid={Boolean(fieldErrors.quietHoursEnabled)} />
              <PrefsFieldError field="quietHoursEnabled" error={fieldErrors.quietHoursEnabled} />
              <div className="mt-2 grid min-w-0 gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_minmax(0,2fr)]">
                <PrefsField label="From" field="quietStart" error={fieldErrors.quietStart}>
                  {(props) => <input {...props} type="time" name="quietStart" value={values.quietStart} onChange={(e) => set("quietStart", e.target.value)} data-testid="prefs-quiet-start" />}
                </PrefsField>
                <PrefsField label="Until" field="quietEnd" error={fieldErrors.quietEnd}>
                  {(props) => <input {...props} type="time" name="quietEnd" value={values.quietEnd} onChange={(e) => set("quietEnd", e.target.value)} data-testid="prefs-quiet-end" />}
                </PrefsField>
                <PrefsField label="Time zone" field="timeZone" hint="The times above are in this zone, e.g. Europe/Berlin" error={fieldErrors.timeZone}>
                  {(props) => (
                    <>
                      <input
                        {...props}
                        name="timeZone"
                        list={zonesId}
                        value={values.timeZone}
                        onChange={(e) => set("timeZone", e.target.value)}
                        autoComplete="off"
                        autoCapitalize="none"
                        spellCheck={false}
                        data-testid="prefs-time-zone"
                      />
                      <datalist id={zonesId}>
                        {zones.map((zone) => (
                          <option key={zone} value={zone} />
                        ))}
                      </datalist>
                    </>
                  )}
                </PrefsField>
              </div>
              <Checkbox
                label="Critical alerts break through quiet hours"
                checked={values.criticalBreaksQuietHours}
                onChange={(on) => set("criticalBreaksQuietHours", on)}
                testId="prefs-critical-breaks"
                invalid={Boolean(fieldErrors.criticalBreaksQuietHours)}
                className="mt-2"
              />
              <PrefsFieldError field="criticalBreaksQuietHours" error={fieldErrors.criticalBreaksQuietHours} />
            </fieldset>
          </fieldset>

          <FormError error={error} knownFields={KNOWN_FIELDS} />

          <div className="flex flex-wrap items-center gap-3">
            <button type="submit" disabled={save.isPending} className={PRIMARY} data-testid="prefs-save">
              {save.isPending ? "Saving…" : "Save"}
            </button>
            <span role="status" className="text-sm font-medium text-emerald-700 dark:text-emerald-400">
              {save.isSuccess && <span data-testid="prefs-saved">Saved</span>}
            </span>
          </div>
        </form>
      </Card>
      <TestNotification unsaved={differsFromSaved(values, saved.preferences)} />
    </>
  );
}

/** Where Vigil pages the signed-in admin, on which severities, and when it keeps quiet. */
export function PreferencesPage({ isAdmin }: { isAdmin: boolean }) {
  // Preferences are an admin's: viewers are never paged, and the API refuses them.
  const query = useQuery({ queryKey: PREFERENCES_QUERY_KEY, queryFn: preferencesApi.get, enabled: isAdmin });

  return (
    <div className="min-w-0 space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Notification preferences</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Where Vigil reaches you when an alert fires, for which alerts, and when it keeps quiet.</p>
      </div>
      {!isAdmin ? (
        <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="prefs-viewer">
          Only admins are notified of alerts. Ask an admin if you need to be paged.
        </p>
      ) : query.data ? (
        <PreferencesForm saved={query.data} />
      ) : (
        <p className={`text-sm ${query.error ? "text-red-700 dark:text-red-400" : "text-slate-500"}`} role={query.error ? "alert" : undefined} data-testid="prefs-load-state">
          {query.error ? `Could not load your preferences: ${query.error.message}` : "Loading…"}
        </p>
      )}
    </div>
  );
}
