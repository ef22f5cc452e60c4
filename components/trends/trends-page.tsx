"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, useSyncExternalStore } from "react";
import { AnomalyList } from "./anomaly-list";
import { TrendChartCard } from "./trend-chart-card";
import { TREND_PERIODS, TREND_QUERY_KEYS, trendsApi, type TrendPeriod } from "./trends-api";
import { UserActivityChart } from "./user-activity-chart";
import { WatchedSeries } from "./watched-series";

/** Rollups are per minute: once a minute is as fresh as the charts get. */
const REFRESH_MS = 60_000;

const PERIOD_LABELS: Record<TrendPeriod, string> = { "24h": "24 h", "7d": "7 d", "30d": "30 d" };

const noSubscription = () => () => {};
/** The browser's zone, or null while rendering on the server (which does not know it). */
function useBrowserTimeZone(): string | null {
  return useSyncExternalStore(
    noSubscription,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    () => null,
  );
}

function LoadState({ what, error, testId }: { what: string; error: Error | null; testId: string }) {
  return (
    <p className={`text-sm ${error ? "text-red-700 dark:text-red-400" : "text-slate-500"}`} role={error ? "alert" : undefined} data-testid={testId}>
      {error ? `Could not load the ${what}: ${error.message}` : "Loading…"}
    </p>
  );
}

/** The seed's third screen: how the system behaved over a day, a week or a month, and what was unusual. */
export function TrendsPage({ isAdmin }: { isAdmin: boolean }) {
  const [period, setPeriod] = useState<TrendPeriod>("7d");
  const timeZone = useBrowserTimeZone();
  const trends = useQuery({
    queryKey: TREND_QUERY_KEYS.trends(period, timeZone ?? ""),
    queryFn: () => trendsApi.trends(period, timeZone!),
    enabled: timeZone !== null,
    refetchInterval: REFRESH_MS,
    // The last period's charts stay up (dimmed) while the next one loads.
    placeholderData: keepPreviousData,
  });
  const watches = useQuery({ queryKey: TREND_QUERY_KEYS.watches, queryFn: trendsApi.watches, refetchInterval: REFRESH_MS });
  const data = trends.data;
  const switching = trends.isPlaceholderData;

  return (
    // overflow-wrap is inherited: a long metric name wraps instead of widening a phone's page.
    <div className="min-w-0 space-y-6 wrap-break-word">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Performance trends</h1>
          <p className="text-sm text-slate-500">{timeZone ? `Times in ${timeZone}` : " "}</p>
        </div>
        <div role="group" aria-label="Period" className="inline-flex rounded-md border border-slate-300 p-0.5 dark:border-slate-700">
          {TREND_PERIODS.map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={period === option}
              onClick={() => setPeriod(option)}
              className={`min-h-11 min-w-14 rounded px-3 text-sm font-medium sm:min-h-8 ${
                period === option ? "bg-indigo-600 text-white" : "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
              }`}
              data-testid={`period-${option}`}
            >
              {PERIOD_LABELS[option]}
            </button>
          ))}
        </div>
      </div>

      {!data ? (
        <LoadState what="trends" error={trends.error} testId="trends-loading" />
      ) : (
        <div className={`space-y-6 ${switching ? "opacity-60" : ""}`} data-testid="trends" data-period={data.period} aria-busy={switching}>
          {trends.error && <LoadState what="latest trends (showing the last ones)" error={trends.error} testId="trends-stale" />}
          <section aria-label="Charts" className="grid min-w-0 gap-4 lg:grid-cols-2">
            {data.charts.map((chart) => (
              <TrendChartCard key={chart.key} chart={chart} period={data.period} />
            ))}
            <UserActivityChart byHour={data.userActivityByHour} timeZone={data.timeZone} />
          </section>
          <p className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-500" aria-hidden>
            <span>Under each chart:</span>
            <span className="flex items-center gap-1">
              <span className="inline-block h-2.5 w-2.5 rounded-full bg-red-500" /> critical
            </span>
            <span className="flex items-center gap-1">
              <span className="inline-block h-2.5 w-2.5 rounded-full bg-amber-500" /> warning
            </span>
            <span className="flex items-center gap-1">
              <span className="inline-block h-2.5 w-2.5 rounded-full bg-blue-500" /> info alert
            </span>
            <span className="flex items-center gap-1">
              <span className="inline-block h-2.5 w-2.5 rounded-full bg-violet-500" /> anomaly
            </span>
          </p>
          <AnomalyList anomalies={data.anomalies} />
        </div>
      )}

      {watches.data ? <WatchedSeries watches={watches.data} canEdit={isAdmin} /> : <LoadState what="watched series" error={watches.error} testId="watches-loading" />}
    </div>
  );
}
