"use client";

import { Badge, Card } from "@tremor/react";
import Link from "next/link";
import type { AnomalyView } from "@/lib/anomaly/events";
import { relativeTime } from "./alert-list";

/**
 * Anomalies open now on watched series: what the detector sees that no rule may be watching.
 * Hidden when there are none, so a calm dashboard stays short.
 */
export function UnusualNow({ anomalies, now }: { anomalies: AnomalyView[]; now: number }) {
  if (anomalies.length === 0) return null;
  return (
    <Card className="p-4">
      <h2 className="mb-3 font-semibold">Unusual now</h2>
      <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="unusual-now">
        {anomalies.map((anomaly) => (
          <li key={anomaly.id} className="flex flex-col gap-1 py-2.5 sm:flex-row sm:items-center sm:justify-between sm:gap-2" data-testid="unusual-row">
            <span className="flex min-w-0 flex-wrap items-center gap-2">
              <Badge color="violet">Anomaly</Badge>
              <span className="font-medium">{anomaly.explanation}</span>
            </span>
            <span className="shrink-0 text-sm text-slate-500">
              started {relativeTime(anomaly.startedAt, now)} · score {anomaly.peakScore.toFixed(2)} ·{" "}
              <Link href="/trends" className="underline">
                trends
              </Link>
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
