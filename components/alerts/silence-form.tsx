"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RuleView } from "@/lib/rules/rules";
import { asApiError, QUERY_KEYS, silencesApi, type SilenceInput } from "./alerts-api";
import { Field, FormError } from "@/components/field";

const DURATIONS = [
  { value: "1h", label: "1 hour", ms: 3_600_000 },
  { value: "4h", label: "4 hours", ms: 4 * 3_600_000 },
  { value: "1d", label: "1 day", ms: 86_400_000 },
  { value: "until", label: "Until a time…", ms: 0 },
] as const;

interface SilenceFormValues {
  ruleId: string;
  metric: string;
  service: string;
  duration: (typeof DURATIONS)[number]["value"];
  endsAt: string;
  reason: string;
}

const EMPTY: SilenceFormValues = { ruleId: "", metric: "", service: "", duration: "1h", endsAt: "", reason: "" };
const KNOWN_FIELDS = ["matcher", "matcher.ruleId", "matcher.metric", "matcher.service", "endsAt", "reason"];

/** Blank parts of the matcher are left out: a silence matches on what is given. The end is worked out at submit. */
function silenceInputOf(values: SilenceFormValues, now: number): SilenceInput {
  const matcher: SilenceInput["matcher"] = {};
  if (values.ruleId) matcher.ruleId = values.ruleId;
  if (values.metric.trim()) matcher.metric = values.metric.trim();
  if (values.service.trim()) matcher.service = values.service.trim();
  const duration = DURATIONS.find((d) => d.value === values.duration)!;
  const until = values.duration === "until" ? new Date(values.endsAt) : new Date(now + duration.ms);
  // An unreadable time goes as "" so the API names the field.
  return { matcher, endsAt: Number.isNaN(until.getTime()) ? "" : until.toISOString(), reason: values.reason };
}

const BUTTON = "min-h-11 rounded-md px-4 font-medium disabled:opacity-60 sm:min-h-10";

export function SilenceForm({ rules, onCreated, onCancel }: { rules: RuleView[]; onCreated: () => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<SilenceFormValues>(EMPTY);
  const create = useMutation({
    mutationFn: (input: SilenceInput) => silencesApi.create(input),
    onSuccess: async () => {
      setValues(EMPTY);
      // A new silence can hold back alerts that are firing now.
      await Promise.all([queryClient.invalidateQueries({ queryKey: QUERY_KEYS.silences }), queryClient.invalidateQueries({ queryKey: QUERY_KEYS.activeAlerts })]);
      onCreated();
    },
  });
  const error = asApiError(create.error);
  const fieldErrors = error?.fieldErrors ?? {};
  const set = <K extends keyof SilenceFormValues>(key: K, value: SilenceFormValues[K]) => setValues((old) => ({ ...old, [key]: value }));

  return (
    <form
      noValidate
      aria-label="New silence"
      className="grid min-w-0 gap-4 rounded-md border border-slate-200 p-3 sm:grid-cols-2 dark:border-slate-800"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate(silenceInputOf(values, Date.now()));
      }}
      data-testid="silence-form"
    >
      <p className="text-sm text-slate-500 sm:col-span-2">Alerts that match still open and show here, but nobody is notified until the silence ends.</p>
      <Field label="Rule" field="matcher.ruleId" hint="Or match by metric and service below" error={fieldErrors["matcher.ruleId"] ?? fieldErrors.matcher} className="sm:col-span-2">
        {(props) => (
          <select {...props} name="ruleId" value={values.ruleId} onChange={(e) => set("ruleId", e.target.value)}>
            <option value="">Any rule</option>
            {rules.map((rule) => (
              <option key={rule.id} value={rule.id}>
                {rule.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Metric" field="matcher.metric" error={fieldErrors["matcher.metric"]}>
        {(props) => <input {...props} name="metric" value={values.metric} onChange={(e) => set("metric", e.target.value)} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
      </Field>
      <Field label="Service" field="matcher.service" error={fieldErrors["matcher.service"]}>
        {(props) => <input {...props} name="service" value={values.service} onChange={(e) => set("service", e.target.value)} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
      </Field>
      <Field label="Duration" field="duration" error={values.duration === "until" ? undefined : fieldErrors.endsAt}>
        {(props) => (
          <select {...props} name="duration" value={values.duration} onChange={(e) => set("duration", e.target.value as SilenceFormValues["duration"])}>
            {DURATIONS.map((duration) => (
              <option key={duration.value} value={duration.value}>
                {duration.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {values.duration === "until" && (
        <Field label="Ends at" field="endsAt" error={fieldErrors.endsAt}>
          {(props) => <input {...props} name="endsAt" type="datetime-local" value={values.endsAt} onChange={(e) => set("endsAt", e.target.value)} />}
        </Field>
      )}
      <Field label="Reason" field="reason" hint="For whoever wonders why nobody was paged" error={fieldErrors.reason} className="sm:col-span-2">
        {(props) => <input {...props} name="reason" value={values.reason} onChange={(e) => set("reason", e.target.value)} autoComplete="off" placeholder="Deploying the new queue workers" />}
      </Field>
      <div className="sm:col-span-2">
        <FormError error={error} knownFields={KNOWN_FIELDS} />
      </div>
      <div className="flex flex-wrap gap-2 sm:col-span-2">
        <button type="submit" disabled={create.isPending} className={`${BUTTON} bg-indigo-600 text-white hover:bg-indigo-500`} data-testid="silence-submit">
          {create.isPending ? "Saving…" : "Create silence"}
        </button>
        <button type="button" onClick={onCancel} className={`${BUTTON} border border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800`}>
          Cancel
        </button>
      </div>
    </form>
  );
}
