"use client";

import { Badge } from "@tremor/react";
import Link from "next/link";
import { useState } from "react";
import { relativeTime } from "@/components/dashboard/alert-list";
import { RowButton } from "@/components/row-button";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { SilenceView } from "@/lib/alerts/silences";
import { formatTime } from "./format-time";
import { ResolveForm } from "./resolve-form";
import { SeverityBadge } from "./severity-badge";

type OpenStatus = Exclude<AlertView["status"], "resolved">;

const STATUS = {
  pending: { color: "slate", label: "Pending" },
  firing: { color: "red", label: "Firing" },
  acknowledged: { color: "amber", label: "Acknowledged" },
} as const satisfies Record<OpenStatus, { color: string; label: string }>;

/** Why nobody was told yet, in words; null when it was announced (or is not firing yet). */
function heldLabel(alert: AlertView, ruleNames: ReadonlyMap<string, string>, silences: readonly SilenceView[], now: number): string | null {
  switch (alert.notifyState) {
    case "silenced": {
      const silence = silences.find((s) => s.id === alert.heldBy);
      return silence ? `Silenced until ${formatTime(silence.endsAt, now)}: ${silence.reason}` : "Silenced";
    }
    case "inhibited": {
      const cause = alert.heldBy ? ruleNames.get(alert.heldBy) : undefined;
      return cause ? `Inhibited by a dependency (${cause} is firing)` : "Inhibited by a dependency";
    }
    case "cooldown":
      return "Held: cooldown after the last alert";
    case "rate_limited":
      return "Held: hourly alert limit reached";
    default:
      return null;
  }
}

export function ActiveAlertRow({
  alert,
  now,
  ruleNames,
  silences,
  canEdit,
  busy,
  onAcknowledge,
  onResolve,
}: {
  alert: AlertView;
  now: number;
  ruleNames: ReadonlyMap<string, string>;
  silences: readonly SilenceView[];
  canEdit: boolean;
  /** An acknowledge or resolve of this alert is on its way. */
  busy: boolean;
  onAcknowledge: () => void;
  onResolve: (notes: string) => void;
}) {
  const [resolving, setResolving] = useState(false);
  const status = STATUS[alert.status as OpenStatus] ?? STATUS.firing;
  const held = heldLabel(alert, ruleNames, silences, now);
  const since = alert.status === "pending" ? `breaching since ${relativeTime(alert.triggeredAt, now)}` : `since ${relativeTime(alert.firedAt ?? alert.triggeredAt, now)}`;

  return (
    <li className="py-3" data-testid="active-alert" data-status={alert.status} data-alert-id={alert.id} data-rule-id={alert.ruleId} data-severity={alert.severity}>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <SeverityBadge severity={alert.severity} />
            <Badge color={status.color} data-testid="alert-status">
              {status.label}
            </Badge>
            <Link
              href={`/alerts/${alert.id}`}
              className="min-w-0 font-medium break-words underline decoration-slate-300 underline-offset-2 hover:decoration-current dark:decoration-slate-600"
              data-testid="alert-rule-name"
            >
              {alert.ruleName}
            </Link>
          </div>
          <p className="mt-1 text-sm break-words" data-testid="alert-reason">
            {alert.reason}
          </p>
          <p className="mt-1 text-xs text-slate-500">
            <span data-testid="alert-since">{since}</span>
            {alert.acknowledgedAt && ` · acknowledged ${relativeTime(alert.acknowledgedAt, now)}`}
          </p>
          {held && (
            <p className="mt-1 text-sm break-words text-amber-800 dark:text-amber-300" data-testid="notify-state">
              {held}
            </p>
          )}
          {alert.runbookUrl && (
            <a href={alert.runbookUrl} target="_blank" rel="noreferrer" className="mt-1 inline-block text-sm text-indigo-700 underline dark:text-indigo-400">
              Runbook
            </a>
          )}
        </div>
        {canEdit && !resolving && (
          <div className="flex shrink-0 flex-wrap items-center gap-2 text-sm">
            {alert.status === "firing" && (
              <RowButton onClick={onAcknowledge} disabled={busy} aria-label={`Acknowledge ${alert.ruleName}`} data-testid="alert-acknowledge">
                Acknowledge
              </RowButton>
            )}
            <RowButton onClick={() => setResolving(true)} disabled={busy} aria-label={`Resolve ${alert.ruleName}`} data-testid="alert-resolve">
              Resolve
            </RowButton>
          </div>
        )}
      </div>
      {canEdit && resolving && <ResolveForm ruleName={alert.ruleName} busy={busy} onResolve={onResolve} onCancel={() => setResolving(false)} />}
    </li>
  );
}
