"use client";

import { useState } from "react";
import type { TrendChart } from "./trends-api";
import { formatMoment, formatScore } from "./format-trend-time";

/** One alert or anomaly, drawn at its start, with a bar to its end (or the strip's end while open). */
export interface Marker {
  id: string;
  kind: "alert" | "anomaly";
  t: number;
  endT: number | null;
  /** What a person reads: the rule's name or the anomaly's explanation, with when. */
  text: string;
  /** Tailwind background of its dot and bar. */
  colour: string;
}

const SEVERITY_COLOUR: Record<TrendChart["alerts"][number]["severity"], string> = {
  critical: "bg-red-500",
  warning: "bg-amber-500",
  info: "bg-blue-500",
};
const ANOMALY_COLOUR = "bg-violet-500";

export function markersOf(chart: TrendChart): Marker[] {
  const alerts = chart.alerts.map(
    (a): Marker => ({
      id: `alert-${a.alertId}`,
      kind: "alert",
      t: a.t,
      endT: a.endT,
      text: `${a.severity} alert “${a.ruleName}” at ${formatMoment(a.t)}${a.endT === null ? ", still open" : ""}`,
      colour: SEVERITY_COLOUR[a.severity],
    }),
  );
  const anomalies = chart.anomalies.map(
    (a): Marker => ({
      id: `anomaly-${a.anomalyId}`,
      kind: "anomaly",
      t: a.t,
      endT: a.endT,
      text: `Anomaly at ${formatMoment(a.t)}: ${a.explanation} (score ${formatScore(a.score)})`,
      colour: ANOMALY_COLOUR,
    }),
  );
  return [...alerts, ...anomalies].sort((x, y) => x.t - y.t);
}

/**
 * Tremor's charts draw no annotations, so alerts and anomalies sit on a strip under the chart
 * whose ends line up with the first and last point (`insetLeft`/`insetRight`: the chart's
 * y-axis and padding). A dot is a button: hovering shows its text as a title, tapping below.
 */
export function MarkerStrip({
  markers,
  from,
  to,
  insetLeft,
  insetRight,
}: {
  markers: Marker[];
  from: number;
  to: number;
  insetLeft: number;
  insetRight: number;
}) {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selected = markers.find((m) => m.id === selectedId);
  const span = Math.max(1, to - from);
  const at = (t: number) => `${Math.min(100, Math.max(0, ((t - from) / span) * 100))}%`;
  if (markers.length === 0) return null;
  return (
    <div className="mt-1" data-testid="marker-strip">
      <div className="relative h-6" style={{ marginLeft: insetLeft, marginRight: insetRight }}>
        <div className="absolute inset-x-0 top-1/2 h-px bg-slate-200 dark:bg-slate-700" aria-hidden />
        {markers.map((m) => (
          <div
            key={`${m.id}-span`}
            className={`absolute top-1/2 h-1 -translate-y-1/2 rounded-full opacity-40 ${m.colour}`}
            style={{ left: at(m.t), right: `calc(100% - ${at(m.endT ?? to)})` }}
            aria-hidden
          />
        ))}
        {markers.map((m) => (
          <button
            key={m.id}
            type="button"
            title={m.text}
            aria-label={m.text}
            aria-pressed={m.id === selectedId}
            onClick={() => setSelectedId(m.id === selectedId ? null : m.id)}
            className="absolute top-0 flex h-6 w-6 -translate-x-1/2 items-center justify-center rounded-full focus-visible:outline-2 focus-visible:outline-indigo-500"
            style={{ left: at(m.t) }}
            data-testid={`marker-${m.kind}`}
          >
            <span className={`block h-2.5 w-2.5 rounded-full ring-2 ring-white dark:ring-slate-900 ${m.colour}`} />
          </button>
        ))}
      </div>
      {selected && (
        <p className="mt-1 text-xs break-words text-slate-700 dark:text-slate-300" data-testid="marker-detail" aria-live="polite">
          {selected.text}
        </p>
      )}
    </div>
  );
}
