"use client";

import { Badge, Card } from "@tremor/react";
import { RowButton } from "@/components/row-button";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";

const SEVERITY = {
  critical: { color: "red", label: "Critical" },
  warning: { color: "amber", label: "Warning" },
  info: { color: "blue", label: "Info" },
} as const;

const STATUS = {
  pending: { color: "slate", label: "Pending" },
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
  onAcknowledge,
}: {
  alerts: AlertView[];
  now: number;
  /** Absent for viewers, who cannot acknowledge. */
  onAcknowledge?: (id: string) => void;
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
                {onAcknowledge && alert.status === "firing" && <RowButton onClick={() => onAcknowledge(alert.id)}>Acknowledge</RowButton>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
