"use client";

import type { Backtest } from "@/lib/rules/backtest";
import { BacktestChart } from "./backtest-chart";
import { formatTime } from "./format-time";

const PERIOD_WORDS: Record<Backtest["period"], string> = { "24h": "24 h", "7d": "7 days" };
/** A noisy rule can have hundreds; the count says how many, the list shows the latest. */
const MAX_LISTED = 20;

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function BacktestResult({ backtest, metric }: { backtest: Backtest; metric: string }) {
  // Times read against the end of the backtest, so the result does not change as the page sits open.
  const end = Date.parse(backtest.to);
  const count = backtest.alerts.length;
  const listed = backtest.alerts.slice(-MAX_LISTED).reverse();
  return (
    <section aria-label="Backtest result" className="min-w-0 space-y-3" data-testid="backtest-result" data-alerts={count}>
      <BacktestChart backtest={backtest} metric={metric} />
      <p className="font-medium" role="status" data-testid="backtest-summary">
        Would have fired {count} {count === 1 ? "time" : "times"} in the last {PERIOD_WORDS[backtest.period]}
      </p>
      <p className="text-xs text-slate-500">
        Evaluated every {backtest.stepSeconds} s over {backtest.samplesRead.toLocaleString()} samples. Dependencies and silences are left out: this tests the
        threshold.
      </p>
      {count > 0 && (
        <ol className="space-y-1 text-sm" aria-label="Would-be alerts, latest first">
          {listed.map((alert) => (
            <li key={alert.pendingAt} className="break-words" data-testid="backtest-alert">
              Fired {formatTime(alert.firedAt, end)}
              {alert.resolvedAt ? ` · resolved ${formatTime(alert.resolvedAt, end)}` : " · still firing at the end"}
              {alert.peak === null ? "" : ` · peak ${number.format(alert.peak)}`}
            </li>
          ))}
          {count > MAX_LISTED && <li className="text-slate-500">…and {count - MAX_LISTED} earlier</li>}
        </ol>
      )}
    </section>
  );
}
