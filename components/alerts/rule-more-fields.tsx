"use client";

import { useQuery } from "@tanstack/react-query";
import type { RuleView } from "@/lib/rules/rules";
import { Field } from "@/components/field";
import { escalationPoliciesApi, POLICY_QUERY_KEYS } from "./alerts-api";
import { CHANNELS, NO_DATA, type RuleFormValues, type TextField } from "./rule-form-values";

const NO_DATA_WORDS: Record<RuleFormValues["noData"], string> = {
  keep: "keep the current state",
  ok: "treat as healthy",
  alert: "treat as a breach",
};
const CHANNEL_WORDS: Record<RuleFormValues["channels"][number], string> = { email: "Email", sms: "SMS", slack: "Slack" };

function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
}

function FieldsetError({ error, field }: { error?: string; field: string }) {
  if (!error) return null;
  return (
    <p className="mt-1 text-sm break-words text-red-700 dark:text-red-400" data-testid={`field-error-${field}`}>
      {error}
    </p>
  );
}

/** The rule's less-used settings, folded away so a phone shows the threshold first. */
export function RuleMoreFields({
  kind,
  values,
  set,
  text,
  fieldErrors,
  otherRules,
  open,
  onToggle,
}: {
  /** An anomaly rule sees one score a minute: a sample count means nothing to it. */
  kind: RuleFormValues["kind"];
  values: RuleFormValues;
  set: <K extends keyof RuleFormValues>(key: K, value: RuleFormValues[K]) => void;
  text: (key: TextField) => { name: string; value: string; onChange: (event: React.ChangeEvent<HTMLInputElement>) => void };
  fieldErrors: Record<string, string>;
  otherRules: RuleView[];
  open: boolean;
  onToggle: (open: boolean) => void;
}) {
  // The alerts page's query (same key): the list shows at once, refreshed in the background.
  const policies = useQuery({ queryKey: POLICY_QUERY_KEYS.policies, queryFn: escalationPoliciesApi.list });
  const severityDefault = policies.data?.find((policy) => policy.severity === values.severity);
  const chosenUnknown = values.escalationPolicyId !== "" && !policies.data?.some((policy) => policy.id === values.escalationPolicyId);
  const policyHint = policies.error
    ? `Could not load the policies: ${policies.error.message}`
    : policies.data && `The ${values.severity} default: ${severityDefault?.name ?? "none, pages once"}`;
  return (
    <details open={open} onToggle={(event) => onToggle(event.currentTarget.open)} className="min-w-0 sm:col-span-2" data-testid="rule-more">
      <summary className="flex min-h-11 cursor-pointer items-center font-medium sm:min-h-0">More</summary>
      <div className="mt-3 grid min-w-0 gap-4 sm:grid-cols-2">
        {kind === "threshold" && (
          <Field label="Min samples" field="minSamples" hint="Fewer in the window means “not enough data”" error={fieldErrors.minSamples}>
            {(props) => <input {...props} {...text("minSamples")} type="number" inputMode="numeric" min={1} />}
          </Field>
        )}
        <Field label="Keep firing for" field="keepFiringFor" hint='Stays firing this long after it clears: "0s", "2m"' error={fieldErrors.keepFiringFor}>
          {(props) => <input {...props} {...text("keepFiringFor")} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
        </Field>
        <Field label="No data" field="noData" hint={kind === "threshold" ? "When the window holds no samples" : "When the detector has not judged the series lately"} error={fieldErrors.noData}>
          {(props) => (
            <select {...props} name="noData" value={values.noData} onChange={(e) => set("noData", e.target.value as RuleFormValues["noData"])}>
              {NO_DATA.map((policy) => (
                <option key={policy} value={policy}>
                  {policy}: {NO_DATA_WORDS[policy]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Cooldown (minutes)" field="cooldownMinutes" hint="Quiet time after an alert resolves" error={fieldErrors.cooldownMinutes}>
          {(props) => <input {...props} {...text("cooldownMinutes")} type="number" inputMode="numeric" min={0} />}
        </Field>
        <Field label="Max alerts per hour" field="maxAlertsPerHour" error={fieldErrors.maxAlertsPerHour}>
          {(props) => <input {...props} {...text("maxAlertsPerHour")} type="number" inputMode="numeric" min={1} />}
        </Field>
        <Field label="Runbook URL" field="runbookUrl" hint="Optional: linked from the alert" error={fieldErrors.runbookUrl}>
          {(props) => <input {...props} {...text("runbookUrl")} type="url" inputMode="url" autoComplete="off" placeholder="https://wiki.example/runbooks/api" />}
        </Field>
        <Field label="Escalation policy" field="escalationPolicyId" hint={policyHint} error={fieldErrors.escalationPolicyId}>
          {(props) => (
            <select {...props} name="escalationPolicyId" value={values.escalationPolicyId} onChange={(e) => set("escalationPolicyId", e.target.value)} data-testid="rule-escalation-policy">
              <option value="">Default for its severity</option>
              {chosenUnknown && <option value={values.escalationPolicyId}>{policies.data ? "A deleted policy" : "Loading…"}</option>}
              {policies.data?.map((policy) => (
                <option key={policy.id} value={policy.id}>
                  {policy.severity ? `${policy.name} (the ${policy.severity} default)` : policy.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset className="min-w-0">
          <legend className="text-sm font-medium">Channels</legend>
          <div className="mt-1 flex flex-wrap gap-x-4">
            {CHANNELS.map((channel) => (
              <label key={channel} className="flex min-h-11 items-center gap-2 text-sm sm:min-h-8">
                <input
                  type="checkbox"
                  name="channels"
                  value={channel}
                  checked={values.channels.includes(channel)}
                  onChange={(e) => set("channels", toggled(values.channels, channel, e.target.checked))}
                  className="h-4 w-4"
                />
                {CHANNEL_WORDS[channel]}
              </label>
            ))}
          </div>
          <FieldsetError error={fieldErrors.channels} field="channels" />
        </fieldset>
        <fieldset className="min-w-0">
          <legend className="text-sm font-medium">Depends on</legend>
          <p className="text-xs text-slate-500">While one of these fires, this rule’s alerts are held back (inhibited).</p>
          {otherRules.length === 0 ? (
            <p className="mt-1 text-sm text-slate-500">No other rules.</p>
          ) : (
            <div className="mt-1 max-h-48 overflow-y-auto">
              {otherRules.map((other) => (
                <label key={other.id} className="flex min-h-11 items-center gap-2 text-sm sm:min-h-8">
                  <input
                    type="checkbox"
                    name="dependsOn"
                    value={other.id}
                    checked={values.dependsOn.includes(other.id)}
                    onChange={(e) => set("dependsOn", toggled(values.dependsOn, other.id, e.target.checked))}
                    className="h-4 w-4 shrink-0"
                  />
                  <span className="min-w-0 break-words">{other.name}</span>
                </label>
              ))}
            </div>
          )}
          <FieldsetError error={fieldErrors.dependsOn} field="dependsOn" />
        </fieldset>
      </div>
    </details>
  );
}
