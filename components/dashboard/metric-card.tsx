"use client";

import { Card, SparkAreaChart } from "@tremor/react";
import type { Card as CardData, CardState } from "@/lib/metrics/dashboard";

const STATE_STYLE: Record<CardState, { dot: string; label: string; chart: string }> = {
  ok: { dot: "bg-emerald-500", label: "OK", chart: "emerald" },
  warning: { dot: "bg-amber-500", label: "Warning", chart: "amber" },
  critical: { dot: "bg-red-500", label: "Critical", chart: "red" },
  "no-data": { dot: "bg-slate-400", label: "No data", chart: "slate" },
};

export function formatValue(value: number | null, unit: string): string {
  if (value === null) return "—";
  const shown = Number.isInteger(value) || Math.abs(value) >= 100 ? Math.round(value).toString() : value.toFixed(1);
  return unit === "%" ? `${shown}%` : unit ? `${shown} ${unit}` : shown;
}

export function MetricCard({ card }: { card: CardData }) {
  const style = STATE_STYLE[card.state];
  const value = card.capacity !== null && card.value !== null ? `${Math.round(card.value)} / ${Math.round(card.capacity)}` : formatValue(card.value, card.unit);
  return (
    <Card className="p-4" data-testid={`card-${card.key}`} data-state={card.state}>
      <div className="flex items-center justify-between text-sm text-slate-500">
        <span>{card.title}</span>
        <span className="flex items-center gap-1.5">
          <span className={`inline-block h-2.5 w-2.5 rounded-full ${style.dot}`} aria-hidden />
          {style.label}
        </span>
      </div>
      <p className="mt-2 text-3xl font-semibold tabular-nums" data-testid={`card-${card.key}-value`}>
        {value}
      </p>
      {card.trend.length > 1 ? (
        <SparkAreaChart
          className="mt-3 h-10 w-full"
          data={card.trend}
          index="t"
          categories={["value"]}
          colors={[style.chart]}
          curveType="monotone"
          autoMinValue
        />
      ) : (
        <p className="mt-3 flex h-10 items-center text-xs text-slate-400">{card.value === null ? `waiting for ${card.metric}` : "trend builds up over the next minutes"}</p>
      )}
    </Card>
  );
}
