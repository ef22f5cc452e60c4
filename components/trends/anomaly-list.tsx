"use client";

import { Card } from "@tremor/react";
import { formatMoment, formatScore, formatSpan } from "./format-trend-time";
import type { AnomalyView } from "./trends-api";

/** The period's anomalies on every watched series, newest first: what was unusual, when, for how long. */
export function AnomalyList({ anomalies }: { anomalies: AnomalyView[] }) {
  return (
    <section aria-labelledby="anomalies-title" className="min-w-0">
      <h2 id="anomalies-title" className="mb-3 font-semibold">
        Anomalies
      </h2>
      <Card className="min-w-0 p-0">
        {anomalies.length === 0 ? (
          <p className="p-4 text-sm text-slate-500" data-testid="anomalies-empty">
            No anomalies in this period.
          </p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="anomaly-list">
            {anomalies.map((a) => (
              <li key={a.id} className="min-w-0 p-4" data-testid="anomaly-row" data-anomaly-id={a.id} data-metric={a.metric} data-open={String(a.endedAt === null)}>
                <p className="font-medium break-words" data-testid="anomaly-explanation">
                  {a.explanation}
                </p>
                <p className="mt-1 flex flex-wrap gap-x-3 text-sm text-slate-600 dark:text-slate-400">
                  <span>{formatMoment(a.startedAt)}</span>
                  <span data-testid="anomaly-duration">
                    {a.endedAt === null ? (
                      <span className="font-medium text-violet-700 dark:text-violet-400">ongoing</span>
                    ) : (
                      `for ${formatSpan(Date.parse(a.endedAt) - Date.parse(a.startedAt))}`
                    )}
                  </span>
                  <span data-testid="anomaly-score">score {formatScore(a.peakScore)}</span>
                  <span className="min-w-0 break-all">
                    {a.metric}
                    {a.service ? ` · ${a.service}` : ""} · {a.stat}
                  </span>
                </p>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </section>
  );
}
