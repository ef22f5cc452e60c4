"use client";

import { Card, SparkAreaChart, type Color } from "@tremor/react";
import { RowButton } from "@/components/row-button";
import type { Card as CardData, CardRule, CardState } from "@/lib/metrics/dashboard";

/** Colours follow the rules watching the card's metric (lib/metrics/cards.ts cardState). */
const STATE_STYLE: Record<CardState, { dot: string; label: string; color: Color; value: string }> = {
  ok: { dot: "bg-emerald-500", label: "OK", color: "emerald", value: "text-emerald-700 dark:text-emerald-400" },
  warning: { dot: "bg-amber-500", label: "Warning", color: "amber", value: "text-amber-700 dark:text-amber-400" },
  critical: { dot: "bg-red-500", label: "Critical", color: "red", value: "text-red-700 dark:text-red-400" },
  "no-data": { dot: "bg-slate-400", label: "No data", color: "slate", value: "text-slate-500" },
  unwatched: { dot: "bg-sky-400", label: "No rule", color: "sky", value: "text-slate-800 dark:text-slate-100" },
};

export function formatValue(value: number | null, unit: string): string {
  if (value === null) return "—";
  const shown = Number.isInteger(value) || Math.abs(value) >= 100 ? Math.round(value).toString() : value.toFixed(1);
  return unit === "%" ? `${shown}%` : unit ? `${shown} ${unit}` : shown;
}

/** "warning when p95 > 1000", the threshold in the rule's own terms (a ratio is a percentage). */
function describeRule(rule: CardRule, unit: string): string {
  const threshold = formatValue(rule.threshold, rule.aggregation === "ratio" ? "%" : unit);
  return `${rule.severity} when ${rule.aggregation} ${rule.comparison} ${threshold}`;
}

export function MetricCard({ card, onUnpin }: { card: CardData; onUnpin?: () => void }) {
  const style = STATE_STYLE[card.state];
  const value = card.capacity !== null && card.value !== null ? `${Math.round(card.value)} / ${Math.round(card.capacity)}` : formatValue(card.value, card.unit);
  return (
    <Card className="min-w-0 p-4" decoration="top" decorationColor={style.color} data-testid={`card-${card.key}`} data-state={card.state}>
      <div className="flex items-start justify-between gap-2 text-sm text-slate-600 dark:text-slate-400">
        <h3 className="min-w-0 font-medium">{card.title}</h3>
        <span className="flex shrink-0 items-center gap-1.5" data-testid={`card-${card.key}-state`}>
          <span className={`inline-block h-2.5 w-2.5 rounded-full ${style.dot}`} aria-hidden />
          {style.label}
        </span>
      </div>
      <p className={`mt-2 text-3xl font-semibold tabular-nums ${style.value}`} data-testid={`card-${card.key}-value`}>
        {value}
      </p>
      {card.trend.length > 1 ? (
        <SparkAreaChart
          className="mt-3 h-10 w-full"
          data={card.trend}
          index="t"
          categories={["value"]}
          colors={[style.color]}
          curveType="monotone"
          autoMinValue
          data-testid={`card-${card.key}-sparkline`}
        />
      ) : (
        <p className="mt-3 flex h-10 items-center text-xs text-slate-500">{card.value === null ? `waiting for ${card.metric}` : "trend builds up over the next minutes"}</p>
      )}
      <div className="mt-2 flex items-end justify-between gap-2 text-xs text-slate-500">
        <ul data-testid={`card-${card.key}-rules`} className="min-w-0">
          {card.rules.length === 0 ? <li>no rule watches {card.metric}</li> : card.rules.map((rule) => <li key={rule.ruleId}>{describeRule(rule, card.unit)}</li>)}
        </ul>
        {onUnpin && (
          <RowButton onClick={onUnpin} aria-label={`Unpin ${card.title}`} className="shrink-0 text-xs">
            Unpin
          </RowButton>
        )}
      </div>
    </Card>
  );
}
