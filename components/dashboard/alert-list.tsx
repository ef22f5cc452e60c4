"use client";

import { Badge, Card } from "@tremor/react";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";

const SEVERITY_COLOR = { critical: "red", warning: "amber", info: "blue" } as const;

export function relativeTime(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

export function AlertList({
  alerts,
  now,
  canAcknowledge,
  onAcknowledge,
}: {
  alerts: AlertView[];
  now: number;
  canAcknowledge: boolean;
  onAcknowledge: (id: string) => void;
}) {
  return (
    <Card className="p-4">
      <h2 className="mb-3 font-semibold">Alerts (last 24 h)</h2>
      {alerts.length === 0 ? (
        <p className="text-sm text-slate-500">No alerts. Everything within its rules.</p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="alert-list">
          {alerts.map((alert) => (
            <li key={alert.id} className="flex flex-wrap items-start justify-between gap-2 py-2" data-testid="alert-row" data-status={alert.status}>
              <div className="min-w-0">
                <div className="flex items-center gap-2">
                  <Badge color={SEVERITY_COLOR[alert.severity]}>{alert.severity}</Badge>
                  <span className="font-medium">{alert.ruleName}</span>
                </div>
                <p className="mt-1 text-sm text-slate-500">{alert.reason}</p>
              </div>
              <div className="flex items-center gap-2 text-sm text-slate-500">
                <span>
                  {alert.status === "resolved" && alert.resolvedAt
                    ? `resolved ${relativeTime(alert.resolvedAt, now)}`
                    : `${alert.status} since ${relativeTime(alert.triggeredAt, now)}`}
                </span>
                {canAcknowledge && alert.status === "firing" && (
                  <button
                    type="button"
                    onClick={() => onAcknowledge(alert.id)}
                    className="rounded-md border border-slate-300 px-2 py-0.5 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
                  >
                    Acknowledge
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
