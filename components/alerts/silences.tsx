"use client";

import { Card } from "@tremor/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNow } from "@/components/dashboard/use-live-dashboard";
import { RowButton } from "@/components/row-button";
import type { SilenceView } from "@/lib/alerts/silences";
import type { RuleView } from "@/lib/rules/rules";
import { QUERY_KEYS, silencesApi } from "./alerts-api";
import { formatTime } from "./format-time";
import { SilenceForm } from "./silence-form";

type SilenceState = "active" | "upcoming" | "ended";

const STATE: Record<SilenceState, { label: string; className: string }> = {
  active: { label: "Active", className: "bg-indigo-100 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300" },
  upcoming: { label: "Upcoming", className: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300" },
  ended: { label: "Ended", className: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300" },
};

/**
 * `active` is as of the last poll, so the clock also ends a silence between polls; the server's
 * word wins otherwise, so a clock a little off the server's does not misstate one just made or ended.
 */
function stateOf(silence: SilenceView, now: number): SilenceState {
  const started = Date.parse(silence.startsAt) <= now;
  if (Date.parse(silence.endsAt) <= now || (!silence.active && started)) return "ended";
  return silence.active || started ? "active" : "upcoming";
}

function describeMatcher(matcher: SilenceView["matcher"], ruleNames: ReadonlyMap<string, string>): string {
  const parts = [
    matcher.ruleId && `rule ${ruleNames.get(matcher.ruleId) ?? "(deleted)"}`,
    matcher.metric && `metric ${matcher.metric}`,
    matcher.service && `service ${matcher.service}`,
    ...Object.entries(matcher.labels ?? {}).map(([key, value]) => `${key}=${value}`),
  ].filter(Boolean);
  return parts.join(", ");
}

function when(silence: SilenceView, state: SilenceState, now: number): string {
  if (state === "ended") return `ended ${formatTime(silence.endsAt, now)}`;
  if (state === "upcoming") return `from ${formatTime(silence.startsAt, now)} until ${formatTime(silence.endsAt, now)}`;
  return `until ${formatTime(silence.endsAt, now)}`;
}

const ORDER: Record<SilenceState, number> = { active: 0, upcoming: 1, ended: 2 };

export function Silences({
  silences,
  rules,
  ruleNames,
  canEdit,
}: {
  silences: SilenceView[];
  rules: RuleView[];
  ruleNames: ReadonlyMap<string, string>;
  canEdit: boolean;
}) {
  const queryClient = useQueryClient();
  const now = useNow();
  const [adding, setAdding] = useState(false);
  const end = useMutation({
    mutationFn: (silence: SilenceView) => silencesApi.end(silence.id),
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: QUERY_KEYS.silences }), queryClient.invalidateQueries({ queryKey: QUERY_KEYS.activeAlerts })]),
  });
  // `now` ticks once a second: a silence made or ended since the last tick must not read as upcoming.
  const at = Math.max(now, Date.now());
  const shown = silences.map((silence) => ({ silence, state: stateOf(silence, at) })).sort((a, b) => ORDER[a.state] - ORDER[b.state]);

  return (
    <Card className="min-w-0 p-4">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="font-semibold">Silences</h2>
        {canEdit && !adding && (
          <RowButton onClick={() => setAdding(true)} data-testid="silence-new">
            New silence
          </RowButton>
        )}
      </div>
      {adding && (
        <div className="mb-4">
          <SilenceForm rules={rules} onCreated={() => setAdding(false)} onCancel={() => setAdding(false)} />
        </div>
      )}
      {end.error && (
        <p role="alert" className="mb-3 rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-700 dark:bg-red-950 dark:text-red-300">
          Could not end the silence: {end.error.message}
        </p>
      )}
      {shown.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="silences-empty">
          No silences in the last day.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="silences">
          {shown.map(({ silence, state }) => {
            const matcher = describeMatcher(silence.matcher, ruleNames);
            return (
              <li key={silence.id} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-start sm:justify-between" data-testid="silence-row" data-state={state}>
                <div className="min-w-0">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATE[state].className}`}>{STATE[state].label}</span>
                    <span className="min-w-0 text-sm font-medium break-all">{matcher}</span>
                  </div>
                  <p className="mt-1 text-sm break-words">{silence.reason}</p>
                  <p className="mt-1 text-xs text-slate-500">{when(silence, state, at)}</p>
                </div>
                {canEdit && state !== "ended" && (
                  <RowButton
                    onClick={() => end.mutate(silence)}
                    disabled={end.isPending && end.variables?.id === silence.id}
                    aria-label={`End now: silence on ${matcher}`}
                    className="shrink-0 self-start text-sm"
                    data-testid="silence-end"
                  >
                    End now
                  </RowButton>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
