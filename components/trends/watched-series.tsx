"use client";

import { Card } from "@tremor/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { asApiError, type ApiRequestError } from "@/components/api-client";
import { Field, FormError } from "@/components/field";
import { RowButton } from "@/components/row-button";
import { DEFAULT_OPTIONS } from "@/lib/anomaly/detector";
import { formatScore } from "./format-trend-time";
import { TREND_QUERY_KEYS, trendsApi, WATCH_STATS, type WatchBody, type WatchView } from "./trends-api";

const MINUTES_PER_DAY = 1440;
/** The detector raises nothing before it has seen this much of a series. */
const LEARNING_MINUTES = DEFAULT_OPTIONS.learningMinutes;

const STAT_WORDS: Record<WatchView["stat"], string> = { avg: "average", p95: "p95" };

/** "learning: 1 of 2 days" (hours in the first day, so a new watch visibly moves), then "learned". */
export function learningProgress(learnedMinutes: number): string {
  if (learnedMinutes >= LEARNING_MINUTES) return "learned";
  const of = `of ${LEARNING_MINUTES / MINUTES_PER_DAY} days`;
  if (learnedMinutes < MINUTES_PER_DAY) return `learning: ${Math.floor(learnedMinutes / 60)} h ${of}`;
  return `learning: ${Math.floor(learnedMinutes / MINUTES_PER_DAY)} ${of}`;
}

/** The series the anomaly detector watches, and (for admins) watching another or letting one go. */
export function WatchedSeries({ watches, canEdit }: { watches: WatchView[]; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: TREND_QUERY_KEYS.watches });
  const unwatch = useMutation({
    mutationFn: (watch: WatchView) => trendsApi.unwatch(watch.id),
    onSuccess: async (_, watch) => {
      setNotice(`Stopped watching ${watch.label}`);
      await refresh();
    },
    onError: (error, watch) => setNotice(`Could not stop watching ${watch.label}: ${error.message}`),
  });
  // A watch switched off stays in the store (its learning is kept) but is no longer watched.
  const active = watches.filter((w) => w.isActive);

  return (
    <section aria-labelledby="watches-title" className="min-w-0 space-y-3">
      <h2 id="watches-title" className="font-semibold">
        Watched series
      </h2>
      {notice && (
        <p className="text-sm text-slate-600 dark:text-slate-400" role="status" data-testid="watches-notice">
          {notice}
        </p>
      )}
      <Card className="min-w-0 p-0">
        {active.length === 0 ? (
          <p className="p-4 text-sm text-slate-500" data-testid="watches-empty">
            No series is watched.
          </p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="watch-list">
            {active.map((w) => (
              <li key={w.id} className="flex min-w-0 flex-wrap items-center justify-between gap-2 p-4" data-testid="watch-row" data-watch-id={w.id} data-metric={w.metric}>
                <div className="min-w-0">
                  <p className="font-medium break-words" data-testid="watch-label">
                    {w.label}
                    {w.openAnomalyId && (
                      <span className="ml-2 rounded-full bg-violet-100 px-2 py-0.5 text-xs text-violet-800 dark:bg-violet-950 dark:text-violet-300" data-testid="watch-unusual">
                        unusual now
                      </span>
                    )}
                  </p>
                  <p className="text-sm break-all text-slate-600 dark:text-slate-400">
                    {w.metric}
                    {w.service ? ` · ${w.service}` : ""} · {STAT_WORDS[w.stat]}
                  </p>
                  <p className="flex flex-wrap gap-x-3 text-xs text-slate-500">
                    <span data-testid="watch-learning">{learningProgress(w.learnedMinutes)}</span>
                    <span data-testid="watch-score">last score {w.lastScore === null ? "—" : formatScore(w.lastScore)}</span>
                  </p>
                </div>
                {canEdit && (
                  <RowButton onClick={() => unwatch.mutate(w)} disabled={unwatch.isPending && unwatch.variables?.id === w.id} aria-label={`Stop watching ${w.label}`} data-testid="watch-remove">
                    Remove
                  </RowButton>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
      {canEdit && <WatchForm onWatched={(watch) => (setNotice(`Watching ${watch.label}`), void refresh())} />}
    </section>
  );
}

const EMPTY = { metric: "", service: "", stat: "avg" as WatchView["stat"], label: "" };
const KNOWN_FIELDS = Object.keys(EMPTY);

function WatchForm({ onWatched }: { onWatched: (watch: WatchView) => void }) {
  const [values, setValues] = useState(EMPTY);
  const [error, setError] = useState<ApiRequestError | null>(null);
  const watch = useMutation({
    mutationFn: (body: WatchBody) => trendsApi.watch(body),
    onMutate: () => setError(null),
    onError: (caught) => setError(asApiError(caught)),
    onSuccess: (watched) => {
      setValues(EMPTY);
      onWatched(watched);
    },
  });
  const fieldErrors = error?.fieldErrors ?? {};
  const text = (key: "metric" | "service" | "label") => ({
    name: key,
    value: values[key],
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => setValues((old) => ({ ...old, [key]: event.target.value })),
  });
  return (
    <Card className="min-w-0 p-4">
      <h3 className="mb-3 font-medium">Watch a series</h3>
      {/* noValidate: the API's messages, not the browser's. */}
      <form
        noValidate
        aria-label="Watch a series"
        data-testid="watch-form"
        className="space-y-4"
        onSubmit={(event) => {
          event.preventDefault();
          // Blank optional fields are left out: the API's defaults (no service, a label from the metric).
          watch.mutate({
            metric: values.metric.trim(),
            stat: values.stat,
            ...(values.service.trim() ? { service: values.service.trim() } : {}),
            ...(values.label.trim() ? { label: values.label.trim() } : {}),
          });
        }}
      >
        <fieldset disabled={watch.isPending} className="grid min-w-0 gap-4 sm:grid-cols-2">
          <Field label="Metric" field="metric" hint="As sent to Vigil, e.g. checkout.orders" error={fieldErrors.metric} errorTestIdPrefix="watch-error">
            {(props) => <input {...props} {...text("metric")} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
          </Field>
          <Field label="Service" field="service" hint="Optional: blank pools every service" error={fieldErrors.service} errorTestIdPrefix="watch-error">
            {(props) => <input {...props} {...text("service")} autoComplete="off" autoCapitalize="none" spellCheck={false} />}
          </Field>
          <Field label="Statistic" field="stat" hint="Judged minute by minute" error={fieldErrors.stat} errorTestIdPrefix="watch-error">
            {(props) => (
              <select {...props} name="stat" value={values.stat} onChange={(e) => setValues((old) => ({ ...old, stat: e.target.value as WatchView["stat"] }))}>
                {WATCH_STATS.map((stat) => (
                  <option key={stat} value={stat}>
                    {STAT_WORDS[stat]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Label" field="label" hint="Optional: how explanations name it" error={fieldErrors.label} errorTestIdPrefix="watch-error">
            {(props) => <input {...props} {...text("label")} autoComplete="off" placeholder="Checkout orders" />}
          </Field>
        </fieldset>
        <FormError error={error} knownFields={KNOWN_FIELDS} />
        <button type="submit" disabled={watch.isPending} className="min-h-11 rounded-md bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-500 disabled:opacity-60 sm:min-h-10" data-testid="watch-submit">
          {watch.isPending ? "Watching…" : "Watch"}
        </button>
      </form>
    </Card>
  );
}
