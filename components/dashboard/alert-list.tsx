"use client";

import { Badge, Card } from "@tremor/react";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";

const SEVERITY = {
  critical: { color: "red", label: "Critical" },
  warning: { color: "amber", label: "Warning" },
  info: { color: "blue", label: "Info" },
} as const;

const STATUS = {
  firing: { color: "red", label: "Active" },
  acknowledged: { color: "amber", label: "Acknowledged" },
  resolved: { color: "emerald", label: "Resolved" },
} as const;

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
      <h2 className="mb-3 font-semibold">Recent alerts (last 24 h)</h2>
      {alerts.length === 0 ? (
        <p className="text-sm text-slate-500">No alerts. Everything within its rules.</p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="alert-list">
          {alerts.map((alert) => (
            <li
              key={alert.id}
              className="flex flex-col gap-2 py-2.5 sm:flex-row sm:items-start sm:justify-between"
              data-testid="alert-row"
              data-status={alert.status}
              data-severity={alert.severity}
            >
              <div className="min-w-0">
                <div className="flex flex-wrap items-center gap-2">
                  <Badge color={SEVERITY[alert.severity].color}>{SEVERITY[alert.severity].label}</Badge>
                  <span className="min-w-0 font-medium">{alert.ruleName}</span>
                </div>
                <p className="mt-1 text-sm text-slate-500">{alert.reason}</p>
              </div>
              <div className="flex shrink-0 flex-wrap items-center gap-2 text-sm text-slate-500">
                <Badge color={STATUS[alert.status].color} data-testid="alert-state">
                  {STATUS[alert.status].label}
                </Badge>
                <span>
                  {alert.status === "resolved" && alert.resolvedAt
                    ? `resolved ${relativeTime(alert.resolvedAt, now)}`
                    : `since ${relativeTime(alert.triggeredAt, now)}`}
                </span>
                {canAcknowledge && alert.status === "firing" && (
                  // 44 px tall on phones (a thumb), compact from the sm breakpoint up.
                  <button
                    type="button"
                    onClick={() => onAcknowledge(alert.id)}
                    className="min-h-11 rounded-md border border-slate-300 px-4 font-medium text-slate-700 hover:bg-slate-100 sm:min-h-0 sm:px-2 sm:py-0.5 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
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
