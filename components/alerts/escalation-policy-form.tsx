"use client";

import { Card } from "@tremor/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Field, FieldError, FormError, type FieldProps } from "@/components/field";
import { RowButton } from "@/components/row-button";
import type { EscalationPolicyView } from "@/lib/notify/escalation-policies";
import { asApiError, escalationPoliciesApi, POLICY_QUERY_KEYS, type ApiRequestError, type EscalationPolicyBody } from "./alerts-api";
import { CHANNELS, SEVERITIES } from "./rule-form-values";

type Channel = (typeof CHANNELS)[number];
type Tier = EscalationPolicyView["tiers"][number];

interface TierValues {
  /** React's key: a tier can be removed from the middle. */
  key: number;
  after: string;
  /** null: the subscribers; a list (even empty, for the API to refuse): those admins. */
  userIds: string[] | null;
  /** null: the rule's channels. */
  channels: Channel[] | null;
}

interface PolicyFormValues {
  name: string;
  severity: "" | NonNullable<EscalationPolicyView["severity"]>;
  tiers: TierValues[];
  repeat: string;
  repeatAfter: string;
}

/** Where the API's issue about a tier belongs. */
interface TierError {
  index: number;
  part: string;
  message: string;
}

const KNOWN_FIELDS = ["name", "severity", "tiers", "repeat", "repeatAfter"];
const CHANNEL_WORDS: Record<Channel, string> = { email: "Email", sms: "SMS", slack: "Slack" };

const PRIMARY = "min-h-11 rounded-md bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-500 disabled:opacity-60 sm:min-h-10";
const SECONDARY =
  "min-h-11 rounded-md border border-slate-300 px-4 font-medium hover:bg-slate-100 disabled:opacity-60 sm:min-h-10 dark:border-slate-700 dark:hover:bg-slate-800";

let lastTierKey = 0;
const tierValuesOf = (tier: Tier): TierValues => ({ key: ++lastTierKey, after: tier.after, userIds: tier.userIds, channels: tier.channels });

/** A new policy starts as the API's defaults: the subscribers at once, on the rule's channels, no repeats. */
function formValuesOf(policy: EscalationPolicyView | null): PolicyFormValues {
  if (!policy) return { name: "", severity: "", tiers: [tierValuesOf({ after: "0s", userIds: null, channels: null })], repeat: "0", repeatAfter: "15m" };
  return { name: policy.name, severity: policy.severity ?? "", tiers: policy.tiers.map(tierValuesOf), repeat: String(policy.repeat), repeatAfter: policy.repeatAfter };
}

/** Durations go as typed and a blank repeat as the API's default, so the API says what is wrong. */
function policyBodyOf(values: PolicyFormValues): EscalationPolicyBody {
  return {
    name: values.name,
    severity: values.severity || null,
    tiers: values.tiers.map((tier) => ({ after: tier.after.trim(), userIds: tier.userIds, channels: tier.channels })),
    repeat: values.repeat.trim() === "" ? undefined : Number(values.repeat),
    repeatAfter: values.repeatAfter.trim() || undefined,
  };
}

/**
 * The API client files `tiers[1].after` under `tiers`; the error's message still starts with
 * the first issue's path, which names the tier when that issue is the one filed.
 */
function tierErrorOf(error: ApiRequestError | null): TierError | null {
  const message = error?.fieldErrors.tiers;
  const match = message ? /^tiers\[(\d+)\]\.(after|userIds|channels)\b[^:]*: /.exec(error.message) : null;
  return match && error!.message.endsWith(message!) ? { index: Number(match[1]), part: match[2]!, message: message! } : null;
}

function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
}

/** The API's message for a field made of several controls; `policy-error-<field>`. */
function PolicyFieldError({ id, field, error }: { id?: string; field: string; error: string | undefined }) {
  return <FieldError id={id} testId={`policy-error-${field}`} error={error} />;
}

/** components/field.tsx's Field with this form's error test ids. */
function PolicyField(props: Omit<FieldProps, "errorTestIdPrefix">) {
  return <Field {...props} errorTestIdPrefix="policy-error" />;
}

function Choice({ label, testId, ...input }: { label: React.ReactNode; testId: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="flex min-h-11 items-center gap-2 text-sm sm:min-h-8">
      <input {...input} className="h-4 w-4 shrink-0 accent-indigo-600" data-testid={testId} />
      <span className="min-w-0 break-all">{label}</span>
    </label>
  );
}

/** The people a tier can name: the admins, and anyone it names already (say, an admin since made a viewer). */
export interface PeopleChoices {
  adminIds: string[];
  emails: ReadonlyMap<string, string>;
  loading: boolean;
  error: Error | null;
}

function TierRow({
  index,
  tier,
  onlyTier,
  people,
  error,
  onChange,
  onRemove,
}: {
  index: number;
  tier: TierValues;
  onlyTier: boolean;
  people: PeopleChoices;
  /** The API's issue, when it is this tier's. */
  error: TierError | null;
  onChange: (tier: TierValues) => void;
  onRemove: () => void;
}) {
  const peopleName = useId();
  const errorOf = (part: string) => (error?.part === part ? error.message : undefined);
  const channelsInvalid = errorOf("channels") ? true : undefined;
  const peopleInvalid = errorOf("userIds") ? true : undefined;
  const chosen = tier.userIds ?? [];
  const choices = [...new Set([...people.adminIds, ...chosen])];
  return (
    <li className="min-w-0" data-testid="policy-tier">
      <fieldset className="min-w-0 rounded-md border border-slate-200 p-3 dark:border-slate-800">
        <legend className="px-1 text-sm font-medium">Tier {index + 1}</legend>
        <div className="grid min-w-0 gap-3 md:grid-cols-[9rem_1fr_1fr]">
          <PolicyField label="After" field="tiers" hint='Since the alert was announced: "0s", "5m"' error={errorOf("after")}>
            {(props) => (
              <input
                {...props}
                value={tier.after}
                onChange={(e) => onChange({ ...tier, after: e.target.value })}
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                placeholder="5m"
                data-testid="policy-tier-after"
              />
            )}
          </PolicyField>
          <fieldset className="min-w-0">
            <legend className="text-sm font-medium">Channels</legend>
            <div className="mt-1 flex flex-wrap gap-x-4">
              <Choice
                type="checkbox"
                label="The rule’s channels"
                checked={tier.channels === null}
                onChange={(e) => onChange({ ...tier, channels: e.target.checked ? null : [] })}
                aria-invalid={channelsInvalid}
                testId="policy-tier-rule-channels"
              />
              {CHANNELS.map((channel) => (
                <Choice
                  key={channel}
                  type="checkbox"
                  label={CHANNEL_WORDS[channel]}
                  checked={tier.channels?.includes(channel) ?? false}
                  onChange={(e) => onChange({ ...tier, channels: toggled(tier.channels ?? [], channel, e.target.checked) })}
                  aria-invalid={channelsInvalid}
                  testId={`policy-tier-channel-${channel}`}
                />
              ))}
            </div>
            <PolicyFieldError field="tiers" error={errorOf("channels")} />
          </fieldset>
          <fieldset className="min-w-0">
            <legend className="text-sm font-medium">People</legend>
            <div className="mt-1 flex flex-wrap gap-x-4">
              <Choice
                type="radio"
                name={peopleName}
                label="Subscribers"
                checked={tier.userIds === null}
                onChange={() => onChange({ ...tier, userIds: null })}
                testId="policy-tier-subscribers"
              />
              <Choice type="radio" name={peopleName} label="Chosen admins" checked={tier.userIds !== null} onChange={() => onChange({ ...tier, userIds: [] })} testId="policy-tier-chosen" />
            </div>
            {tier.userIds === null ? (
              <p className="text-xs text-slate-500">Every admin whose preferences take the alert’s severity.</p>
            ) : (
              <>
                {people.loading && <p className="text-sm text-slate-500">Loading the admins…</p>}
                {people.error && <p className="text-sm break-words text-red-700 dark:text-red-400">Could not load the admins: {people.error.message}</p>}
                <div className="mt-1 max-h-48 overflow-y-auto">
                  {choices.map((id) => (
                    <Choice
                      key={id}
                      type="checkbox"
                      value={id}
                      label={people.emails.get(id) ?? id}
                      checked={chosen.includes(id)}
                      onChange={(e) => onChange({ ...tier, userIds: toggled(chosen, id, e.target.checked) })}
                      aria-invalid={peopleInvalid}
                      testId="policy-tier-user"
                    />
                  ))}
                </div>
              </>
            )}
            <PolicyFieldError field="tiers" error={errorOf("userIds")} />
          </fieldset>
        </div>
        {!onlyTier && (
          <RowButton onClick={onRemove} aria-label={`Remove tier ${index + 1}`} className="mt-3 text-sm" data-testid="policy-tier-remove">
            Remove tier
          </RowButton>
        )}
      </fieldset>
    </li>
  );
}

/** Creates a policy, or edits `policy`. Field errors come from the API's 400; a 409 (the severity has a default already) from its message. */
export function EscalationPolicyForm({
  policy,
  people,
  onSaved,
  onCancel,
}: {
  policy: EscalationPolicyView | null;
  people: PeopleChoices;
  onSaved: (policy: EscalationPolicyView, created: boolean) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<PolicyFormValues>(() => formValuesOf(policy));
  const save = useMutation({
    mutationFn: (input: EscalationPolicyBody) => (policy ? escalationPoliciesApi.update(policy.id, input) : escalationPoliciesApi.create(input)),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: POLICY_QUERY_KEYS.policies });
      onSaved(saved, policy === null);
    },
  });
  const apiError = asApiError(save.error);
  // The conflict names the policy that holds the severity: that belongs beside the severity.
  const error = apiError?.status === 409 ? { message: apiError.message, fieldErrors: { severity: apiError.message } } : apiError;
  const fieldErrors: Record<string, string> = error?.fieldErrors ?? {};
  const tierError = tierErrorOf(apiError);
  const set = <K extends keyof PolicyFormValues>(key: K, value: PolicyFormValues[K]) => setValues((old) => ({ ...old, [key]: value }));
  const setTier = (index: number, tier: TierValues) => setValues((old) => ({ ...old, tiers: old.tiers.map((t, i) => (i === index ? tier : t)) }));
  const title = policy ? `Edit ${policy.name}` : "New escalation policy";

  return (
    <Card className="min-w-0 p-4">
      <h3 className="mb-4 font-semibold break-words">{title}</h3>
      {/* noValidate: the API's messages, not the browser's, so every client sees the same rules. */}
      <form
        noValidate
        aria-label={title}
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(policyBodyOf(values));
        }}
        className="space-y-4"
        data-testid="policy-form"
      >
        <fieldset disabled={save.isPending} className="grid min-w-0 gap-4 sm:grid-cols-2">
          <PolicyField label="Name" field="name" error={fieldErrors.name}>
            {(props) => (
              <input {...props} name="name" value={values.name} onChange={(e) => set("name", e.target.value)} autoComplete="off" placeholder="Database: on-call, then the team" data-testid="policy-name" />
            )}
          </PolicyField>
          <PolicyField label="Default for severity" field="severity" hint="Rules of that severity that name no policy follow it" error={fieldErrors.severity}>
            {(props) => (
              <select {...props} name="severity" value={values.severity} onChange={(e) => set("severity", e.target.value as PolicyFormValues["severity"])} data-testid="policy-severity">
                <option value="">None: only rules that name it</option>
                {SEVERITIES.map((severity) => (
                  <option key={severity} value={severity}>
                    {severity}
                  </option>
                ))}
              </select>
            )}
          </PolicyField>

          <fieldset className="min-w-0 sm:col-span-2">
            <legend className="text-sm font-medium">Tiers</legend>
            <p className="text-xs text-slate-500">Each tier pages once its wait has passed, until someone acknowledges.</p>
            <ol className="mt-2 space-y-3">
              {values.tiers.map((tier, index) => (
                <TierRow
                  key={tier.key}
                  index={index}
                  tier={tier}
                  onlyTier={values.tiers.length === 1}
                  people={people}
                  error={tierError?.index === index ? tierError : null}
                  onChange={(changed) => setTier(index, changed)}
                  onRemove={() => set("tiers", values.tiers.filter((_, i) => i !== index))}
                />
              ))}
            </ol>
            {/* An issue with the list itself, or one the message does not place. */}
            <PolicyFieldError field="tiers" error={tierError && tierError.index < values.tiers.length ? undefined : fieldErrors.tiers} />
            <RowButton
              onClick={() => set("tiers", [...values.tiers, tierValuesOf({ after: "", userIds: null, channels: null })])}
              className="mt-3 text-sm"
              data-testid="policy-add-tier"
            >
              Add tier
            </RowButton>
          </fieldset>

          <PolicyField label="Repeat" field="repeat" hint="Times the tiers run again from the first while nobody acknowledges (0–10)" error={fieldErrors.repeat}>
            {(props) => (
              <input {...props} name="repeat" type="number" inputMode="numeric" min={0} max={10} value={values.repeat} onChange={(e) => set("repeat", e.target.value)} data-testid="policy-repeat" />
            )}
          </PolicyField>
          <PolicyField label="Repeat after" field="repeatAfter" hint='From the start of one round to the next: "15m", "1h"' error={fieldErrors.repeatAfter}>
            {(props) => (
              <input
                {...props}
                name="repeatAfter"
                value={values.repeatAfter}
                onChange={(e) => set("repeatAfter", e.target.value)}
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                data-testid="policy-repeat-after"
              />
            )}
          </PolicyField>
        </fieldset>

        <FormError error={error} knownFields={KNOWN_FIELDS} />

        <div className="flex flex-wrap gap-2">
          <button type="submit" disabled={save.isPending} className={PRIMARY} data-testid="policy-save">
            {save.isPending ? "Saving…" : policy ? "Save changes" : "Create policy"}
          </button>
          <button type="button" onClick={onCancel} className={SECONDARY} data-testid="policy-cancel">
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}
