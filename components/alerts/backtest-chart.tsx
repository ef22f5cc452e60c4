"use client";

import { LineChart } from "@tremor/react";
import { useMemo } from "react";
import type { Backtest } from "@/lib/rules/backtest";
import { formatDayTime, formatTime } from "./format-time";

const VALUE = "Value";
const THRESHOLD = "Threshold";
const CLEAR = "Clear threshold";
const FIRING = "Would fire";

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 2 });

type Row = Record<string, string | number | null>;

/**
 * Tremor's LineChart has no reference lines or shaded ranges, so the thresholds are constant
 * series and the would-be alerts a series that is non-null only while one fires. A segment
 * counts when any alert overlaps it, so an alert shorter than a point's spacing still shows.
 */
function rowsOf(backtest: Backtest): Row[] {
  const { points, alerts, rule } = backtest;
  const end = Date.parse(backtest.to);
  const spans = alerts.map((a) => [Date.parse(a.firedAt), a.resolvedAt ? Date.parse(a.resolvedAt) : end] as const);
  const firing = new Array<boolean>(points.length).fill(false);
  for (let i = 0; i < points.length; i++) {
    const from = points[i]!.t;
    const to = points[i + 1]?.t ?? end;
    if (spans.some(([fired, resolved]) => fired <= to && resolved >= from)) {
      firing[i] = true;
      if (i + 1 < points.length) firing[i + 1] = true;
    }
  }
  return points.map((point, i) => ({
    time: backtest.period === "7d" ? formatDayTime(point.t) : formatTime(point.t, end),
    [VALUE]: point.value,
    [THRESHOLD]: rule.threshold,
    ...(rule.clearThreshold === null ? {} : { [CLEAR]: rule.clearThreshold }),
    // With no data while firing (noData "keep") there is no value to draw on: the threshold stands in.
    [FIRING]: firing[i] ? (point.value ?? rule.threshold) : null,
  }));
}

/** The rule's value over the period with its thresholds, the would-be alerts drawn over it in red. */
export function BacktestChart({ backtest, metric }: { backtest: Backtest; metric: string }) {
  const rows = useMemo(() => rowsOf(backtest), [backtest]);
  if (!backtest.points.some((point) => point.value !== null)) {
    return (
      <p className="rounded-md bg-slate-100 px-3 py-6 text-center text-sm wrap-break-word text-slate-600 dark:bg-slate-800 dark:text-slate-300" data-testid="backtest-no-data">
        No samples of {metric} in this period: nothing to test against.
      </p>
    );
  }
  const categories = backtest.rule.clearThreshold === null ? [VALUE, THRESHOLD, FIRING] : [VALUE, THRESHOLD, CLEAR, FIRING];
  const colors = backtest.rule.clearThreshold === null ? ["blue", "amber", "red"] : ["blue", "amber", "emerald", "red"];
  return (
    <figure className="min-w-0" data-testid="backtest-chart">
      <LineChart
        className="h-64 w-full"
        data={rows}
        index="time"
        categories={categories}
        colors={colors}
        valueFormatter={(value) => compact.format(value)}
        yAxisWidth={48}
        autoMinValue
        connectNulls={false}
        showAnimation={false}
        aria-hidden
      />
      <figcaption className="sr-only">
        {metric} over the backtest period against the threshold {backtest.rule.threshold}
        {backtest.rule.clearThreshold === null ? "" : ` and the clear threshold ${backtest.rule.clearThreshold}`}; the would-be alerts are listed below.
      </figcaption>
    </figure>
  );
}
