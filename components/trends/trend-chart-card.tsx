"use client";

import { Card, LineChart, type Color } from "@tremor/react";
import { useMemo } from "react";
import { formatAxisTime } from "./format-trend-time";
import { MarkerStrip, markersOf } from "./marker-strip";
import type { TrendChart, TrendPeriod } from "./trends-api";

const COLOURS: Record<string, Color[]> = {
  payments: ["emerald"],
  api: ["blue", "amber", "rose"],
  database: ["violet", "teal", "orange"],
};
const FALLBACK_COLOURS: Color[] = ["blue", "amber", "rose", "violet", "teal"];

/** The chart's plot area starts after the y axis and the x axis' padding: the marker strip lines up with it. */
const Y_AXIS_WIDTH = 44;
const X_PADDING = 8;

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/** The unit goes into the series' name, so the legend and the tooltip both say it. */
function seriesName(line: TrendChart["lines"][number]): string {
  return line.unit ? `${line.label} (${line.unit})` : line.label;
}

function formatWithUnit(value: number, unit: string): string {
  const shown = compact.format(value);
  return unit === "%" ? `${shown}%` : unit ? `${shown} ${unit}` : shown;
}

/**
 * One trend: its lines over the period, then the alerts and anomalies on its metrics. Lines of
 * different units share one axis (Tremor has no second one), so each line's latest and peak
 * value is also written out with its unit: a small line next to a big one stays readable.
 */
export function TrendChartCard({ chart, period }: { chart: TrendChart; period: TrendPeriod }) {
  // Lines in different units (ms, connections, a count) would share one axis and the largest
  // would flatten the rest: each is then drawn as a share of its own peak in the period, and its
  // name says what 100 % is.
  const relative = new Set(chart.lines.map((line) => line.unit)).size > 1;
  const peaks = useMemo(() => chart.lines.map((line) => peakOf(chart, line.label)), [chart]);
  const names = useMemo(
    () => chart.lines.map((line, i) => (relative ? `${line.label} (% of peak ${formatWithUnit(peaks[i] ?? 0, line.unit)})` : seriesName(line))),
    [chart, peaks, relative],
  );
  const rows = useMemo(
    () =>
      chart.points.map((point) => {
        const row: Record<string, string | number | null> = { time: formatAxisTime(point.t!, period) };
        chart.lines.forEach((line, i) => {
          const value = point[line.label] ?? null;
          const peak = peaks[i];
          row[names[i]!] = value === null || !relative ? value : peak ? (100 * value) / peak : 0;
        });
        return row;
      }),
    [chart, period, peaks, relative, names],
  );
  const markers = useMemo(() => markersOf(chart), [chart]);
  const hasData = chart.points.some((point) => chart.lines.some((line) => point[line.label] != null));
  const first = chart.points[0]?.t ?? 0;
  const last = chart.points[chart.points.length - 1]?.t ?? first;
  const headingId = `trend-${chart.key}-title`;

  return (
    <Card className="min-w-0 p-4" data-testid={`trend-chart-${chart.key}`} aria-labelledby={headingId}>
      <h3 id={headingId} className="font-medium">
        {chart.title}
      </h3>
      {hasData ? (
        <figure className="mt-2 min-w-0">
          <LineChart
            className="h-56 w-full"
            data={rows}
            index="time"
            categories={names}
            colors={COLOURS[chart.key] ?? FALLBACK_COLOURS}
            valueFormatter={(value) => (relative ? `${Math.round(value)}%` : compact.format(value))}
            yAxisWidth={Y_AXIS_WIDTH}
            padding={{ left: X_PADDING, right: X_PADDING }}
            autoMinValue={!relative}
            connectNulls={false}
            showAnimation={false}
            tickGap={24}
            aria-hidden
            data-testid="trend-chart-lines"
          />
          <figcaption className="sr-only">
            {chart.title} over the period: {names.join(", ")}. The latest values are listed below the chart.
          </figcaption>
        </figure>
      ) : (
        <p className="mt-2 flex h-32 items-center justify-center rounded-md bg-slate-100 px-3 text-center text-sm text-slate-600 dark:bg-slate-800 dark:text-slate-300" data-testid="trend-chart-empty">
          No data in this period yet.
        </p>
      )}
      <MarkerStrip markers={markers} from={first} to={last} insetLeft={hasData ? Y_AXIS_WIDTH + X_PADDING : 0} insetRight={hasData ? X_PADDING : 0} />
      {hasData && <LineSummaries chart={chart} />}
    </Card>
  );
}

/** The largest value of one line over the period, or undefined when it has none. */
function peakOf(chart: TrendChart, label: string): number | undefined {
  const values = chart.points.map((point) => point[label]).filter((v): v is number => v != null);
  return values.length === 0 ? undefined : Math.max(...values);
}

/** "p95: 230 ms now, peak 910 ms": each line in its own unit. */
function LineSummaries({ chart }: { chart: TrendChart }) {
  return (
    <dl className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400" data-testid="trend-chart-summary">
      {chart.lines.map((line) => {
        const values = chart.points.map((point) => point[line.label]).filter((v): v is number => v != null);
        const latest = values[values.length - 1];
        const peak = peakOf(chart, line.label);
        return (
          <div key={line.label} className="min-w-0">
            <dt className="inline font-medium">{line.label}: </dt>
            <dd className="inline tabular-nums">
              {latest === undefined ? "no data" : `${formatWithUnit(latest, line.unit)} latest, peak ${formatWithUnit(peak!, line.unit)}`}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
