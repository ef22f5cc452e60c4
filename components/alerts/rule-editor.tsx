"use client";

import { Card } from "@tremor/react";
import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import type { BacktestPeriod } from "@/lib/rules/backtest";
import type { RuleView } from "@/lib/rules/rules";
import { asApiError, QUERY_KEYS, rulesApi, type ApiRequestError, type RuleBody } from "./alerts-api";
import { BacktestResult } from "./backtest-result";
import { Field, FormError } from "@/components/field";
import { RuleMoreFields } from "./rule-more-fields";
import {
  AGGREGATIONS,
  ANOMALY_STATS,
  formValuesOf,
  MORE_FIELDS,
  NEW_RULE,
  OPERATORS,
  RULE_KINDS,
  ruleBodyOf,
  SEVERITIES,
  type RuleFormValues,
  type TextField,
} from "./rule-form-values";

const AGGREGATION_WORDS: Partial<Record<RuleFormValues["aggregation"], string>> = {
  last: "last value",
  avg: "average",
  count: "number of samples",
  rate: "per second",
  p50: "median",
  ratio: "metric / denominator",
};
const OPERATOR_WORDS: Record<RuleFormValues["operator"], string> = {
  ">": "above",
  ">=": "at or above",
  "<": "below",
  "<=": "at or below",
  "==": "equal to",
  "!=": "not equal to",
};
const KIND_WORDS: Record<RuleFormValues["kind"], string> = { threshold: "Threshold", anomaly: "Anomaly" };
const ANOMALY_STAT_WORDS: Record<RuleFormValues["anomalyStat"], string> = { avg: "average", p95: "p95" };
const SUMMARY: Record<RuleFormValues["kind"], string> = {
  threshold: "An alert opens when the aggregate over the window crosses the threshold and stays there for the “for” time.",
  anomaly: "An alert opens when the anomaly detector finds the series unusual, with at least the minimum score, for the “for” time. Saving also watches the series.",
};
const PERIODS: { value: BacktestPeriod; label: string }[] = [
  { value: "24h", label: "Last 24 h" },
  { value: "7d", label: "Last 7 days" },
];
const KNOWN_FIELDS = Object.keys(NEW_RULE);

const PRIMARY = "min-h-11 rounded-md bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-500 disabled:opacity-60 sm:min-h-10";
const SECONDARY =
  "min-h-11 rounded-md border border-slate-300 px-4 font-medium hover:bg-slate-100 disabled:opacity-60 sm:min-h-10 dark:border-slate-700 dark:hover:bg-slate-800";

/**
 * Creates a rule, or edits `rule`, and backtests what the form holds before anything is saved.
 * Field errors come from the API's 400 (`details.issues`), from saving or from testing alike.
 * Viewers may open it to backtest, but not change the rule.
 */
export function RuleEditor({
  rule,
  rules,
  canEdit,
  autoTest,
  onSaved,
  onCancel,
}: {
  rule: RuleView | null;
  /** Every rule, for dependsOn. */
  rules: RuleView[];
  canEdit: boolean;
  /** Run the backtest as soon as it opens (the card's Test button). */
  autoTest: boolean;
  onSaved: (rule: RuleView, created: boolean) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const periodName = useId();
  const [values, setValues] = useState<RuleFormValues>(() => (rule ? formValuesOf(rule) : NEW_RULE));
  const [period, setPeriod] = useState<BacktestPeriod>("24h");
  const [moreOpen, setMoreOpen] = useState(false);
  // Saving and testing parse the same fields: whichever answered last says what is wrong.
  const [error, setError] = useState<ApiRequestError | null>(null);

  function showError(caught: unknown) {
    const apiError = asApiError(caught);
    setError(apiError);
    if (Object.keys(apiError?.fieldErrors ?? {}).some((path) => (MORE_FIELDS as readonly string[]).includes(path))) setMoreOpen(true);
  }

  const save = useMutation({
    mutationFn: (input: RuleBody) => (rule ? rulesApi.update(rule.id, input) : rulesApi.create(input)),
    onMutate: () => setError(null),
    onError: showError,
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: QUERY_KEYS.rules });
      onSaved(saved, rule === null);
    },
  });
  const test = useMutation({
    mutationFn: ({ period, input }: { period: BacktestPeriod; input: RuleBody }) => rulesApi.backtest(rule?.id ?? null, period, input),
    onMutate: () => setError(null),
    onError: showError,
  });

  const runTest = () => test.mutate({ period, input: ruleBodyOf(values) });
  // The detector judges each minute once, as it comes: an anomaly rule has no past to replay.
  const canBacktest = values.kind === "threshold";
  // The Test button on a card means "show me", not "then press another button"; once per opening.
  const autoTested = useRef(false);
  useEffect(() => {
    if (!autoTest || autoTested.current || !canBacktest) return;
    autoTested.current = true;
    runTest();
  });

  const fieldErrors = error?.fieldErrors ?? {};
  const set = <K extends keyof RuleFormValues>(key: K, value: RuleFormValues[K]) => setValues((old) => ({ ...old, [key]: value }));
  const text = (key: TextField) => ({
    name: key,
    value: values[key],
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => set(key, event.target.value),
  });
  const title = rule ? `Edit ${rule.name}` : "New rule";

  return (
    <Card className="min-w-0 p-4" data-testid="rule-editor">
      <h3 className="mb-1 font-semibold break-words">{title}</h3>
      <p className="mb-4 text-sm text-slate-500">{SUMMARY[values.kind]}</p>
      {/* noValidate: the API's messages, not the browser's, so every client sees the same rules. */}
      <form
        noValidate
        aria-label={title}
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(ruleBodyOf(values));
        }}
        className="space-y-4"
      >
        <fieldset disabled={!canEdit || save.isPending} className="grid min-w-0 gap-4 sm:grid-cols-2">
          <Field label="Name" field="name" error={fieldErrors.name} className="sm:col-span-2">
            {(props) => <input {...props} {...text("name")} autoComplete="off" placeholder="API response time p95 > 1000 ms" />}
          </Field>
          <Field label="Kind" field="kind" hint="A fixed threshold, or whatever the anomaly detector finds unusual" error={fieldErrors.kind} className="sm:col-span-2">
            {(props) => (
              <select {...props} name="kind" value={values.kind} onChange={(e) => set("kind", e.target.value as RuleFormValues["kind"])}>
                {RULE_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {KIND_WORDS[kind]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Metric" field="metric" hint="As sent to Vigil, e.g. api.response_time" error={fieldErrors.metric}>
            {(props) => <input {...props} {...text("metric")} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
          </Field>
          <Field label="Service" field="service" hint="Optional: blank watches every service" error={fieldErrors.service}>
            {(props) => <input {...props} {...text("service")} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
          </Field>
          {values.kind === "anomaly" ? (
            <>
              <Field label="Statistic" field="aggregation" hint="What the detector judges, minute by minute" error={fieldErrors.aggregation}>
                {(props) => (
                  <select {...props} name="anomalyStat" value={values.anomalyStat} onChange={(e) => set("anomalyStat", e.target.value as RuleFormValues["anomalyStat"])}>
                    {ANOMALY_STATS.map((stat) => (
                      <option key={stat} value={stat}>
                        {ANOMALY_STAT_WORDS[stat]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Minimum score" field="threshold" hint="0–1: how unusual it must be; 0.8 is clearly unusual" error={fieldErrors.threshold ?? fieldErrors.operator}>
                {(props) => <input {...props} {...text("minScore")} type="number" inputMode="decimal" step="0.05" min={0} max={1} />}
              </Field>
            </>
          ) : (
            <>
              <Field label="Aggregation" field="aggregation" error={fieldErrors.aggregation}>
                {(props) => (
                  <select {...props} name="aggregation" value={values.aggregation} onChange={(e) => set("aggregation", e.target.value as RuleFormValues["aggregation"])}>
                    {AGGREGATIONS.map((aggregation) => (
                      <option key={aggregation} value={aggregation}>
                        {AGGREGATION_WORDS[aggregation] ? `${aggregation} (${AGGREGATION_WORDS[aggregation]})` : aggregation}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Window" field="window" hint='How far back it looks: "1m", "5m", "1h"' error={fieldErrors.window}>
                {(props) => <input {...props} {...text("window")} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
              </Field>
              {values.aggregation === "ratio" && (
                <Field label="Denominator" field="denominator" hint="The metric divided by, e.g. http.requests" error={fieldErrors.denominator} className="sm:col-span-2">
                  {(props) => <input {...props} {...text("denominator")} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
                </Field>
              )}
              <Field label="Operator" field="operator" error={fieldErrors.operator}>
                {(props) => (
                  <select {...props} name="operator" value={values.operator} onChange={(e) => set("operator", e.target.value as RuleFormValues["operator"])}>
                    {OPERATORS.map((operator) => (
                      <option key={operator} value={operator}>
                        {operator} ({OPERATOR_WORDS[operator]})
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Threshold" field="threshold" error={fieldErrors.threshold}>
                {(props) => <input {...props} {...text("threshold")} type="number" inputMode="decimal" step="any" />}
              </Field>
              <Field label="Clear threshold" field="clearThreshold" hint="Optional: once firing, resolves only past this" error={fieldErrors.clearThreshold}>
                {(props) => <input {...props} {...text("clearThreshold")} type="number" inputMode="decimal" step="any" />}
              </Field>
            </>
          )}
          <Field label="For" field="for" hint='How long the breach lasts before it fires: "0s", "30s", "5m"' error={fieldErrors.for}>
            {(props) => <input {...props} {...text("for")} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
          </Field>
          <Field label="Severity" field="severity" error={fieldErrors.severity}>
            {(props) => (
              <select {...props} name="severity" value={values.severity} onChange={(e) => set("severity", e.target.value as RuleFormValues["severity"])}>
                {SEVERITIES.map((severity) => (
                  <option key={severity} value={severity}>
                    {severity}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <RuleMoreFields
            kind={values.kind}
            values={values}
            set={set}
            text={text}
            fieldErrors={fieldErrors}
            otherRules={rules.filter((other) => other.id !== rule?.id)}
            open={moreOpen}
            onToggle={setMoreOpen}
          />
        </fieldset>

        {canBacktest ? (
          <fieldset className="flex min-w-0 flex-wrap items-center gap-x-4 gap-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-800">
            <legend className="px-1 text-sm font-medium">Backtest period</legend>
            {PERIODS.map((option) => (
              <label key={option.value} className="flex min-h-11 items-center gap-2 text-sm sm:min-h-0">
                <input type="radio" name={periodName} value={option.value} checked={period === option.value} onChange={() => setPeriod(option.value)} className="h-4 w-4" />
                {option.label}
              </label>
            ))}
            <button type="button" onClick={runTest} disabled={test.isPending} className={SECONDARY} data-testid="backtest-run">
              {test.isPending ? "Testing…" : "Backtest"}
            </button>
          </fieldset>
        ) : (
          <p className="text-sm text-slate-500" data-testid="rule-no-backtest">
            Anomaly rules are not backtested: the detector judges each minute once, as it arrives. Past anomalies are on the{" "}
            <Link href="/trends" className="text-indigo-700 underline dark:text-indigo-400">
              Trends
            </Link>{" "}
            page.
          </p>
        )}

        <FormError error={error} knownFields={KNOWN_FIELDS} />

        <div className="flex flex-wrap gap-2">
          {canEdit && (
            <button type="submit" disabled={save.isPending} className={PRIMARY} data-testid="rule-save">
              {save.isPending ? "Saving…" : rule ? "Save changes" : "Create rule"}
            </button>
          )}
          <button type="button" onClick={onCancel} className={SECONDARY} data-testid="rule-cancel">
            {canEdit ? "Cancel" : "Close"}
          </button>
        </div>
      </form>
      {test.data && canBacktest && (
        <div className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800">
          <BacktestResult backtest={test.data} metric={test.variables?.input.metric || "the metric"} />
        </div>
      )}
    </Card>
  );
}
