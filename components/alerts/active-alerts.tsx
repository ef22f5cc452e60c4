"use client";

import { Card } from "@tremor/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNow } from "@/components/dashboard/use-live-dashboard";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { SilenceView } from "@/lib/alerts/silences";
import { ActiveAlertRow } from "./active-alert-row";
import { alertsApi, QUERY_KEYS } from "./alerts-api";

const ORDER: Record<AlertView["status"], number> = { firing: 0, acknowledged: 1, pending: 2, resolved: 3 };
const SEVERITY_ORDER: Record<AlertView["severity"], number> = { critical: 0, warning: 1, info: 2 };

/** What needs someone first: firing before acknowledged before pending, critical first within each. */
function byUrgency(a: AlertView, b: AlertView): number {
  return ORDER[a.status] - ORDER[b.status] || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || Date.parse(b.triggeredAt) - Date.parse(a.triggeredAt);
}

export function ActiveAlerts({
  alerts,
  ruleNames,
  silences,
  canEdit,
}: {
  alerts: AlertView[];
  ruleNames: ReadonlyMap<string, string>;
  silences: readonly SilenceView[];
  canEdit: boolean;
}) {
  const queryClient = useQueryClient();
  const now = useNow();
  const refresh = () => queryClient.invalidateQueries({ queryKey: QUERY_KEYS.activeAlerts });
  const acknowledge = useMutation({ mutationFn: (alert: AlertView) => alertsApi.acknowledge(alert.id), onSettled: refresh });
  const resolve = useMutation({ mutationFn: ({ alert, notes }: { alert: AlertView; notes: string }) => alertsApi.resolve(alert.id, notes), onSettled: refresh });
  const busyId = acknowledge.isPending ? acknowledge.variables?.id : resolve.isPending ? resolve.variables?.alert.id : undefined;
  const error = acknowledge.error ?? resolve.error;

  return (
    <Card className="min-w-0 p-4">
      <h2 className="mb-3 font-semibold">Active alerts</h2>
      {error && (
        <p role="alert" className="mb-3 rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-700 dark:bg-red-950 dark:text-red-300" data-testid="alert-action-error">
          {error.message}
        </p>
      )}
      {alerts.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="active-alerts-empty">
          No active alerts. Everything is within its rules.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="active-alerts">
          {[...alerts].sort(byUrgency).map((alert) => (
            <ActiveAlertRow
              key={alert.id}
              alert={alert}
              now={now}
              ruleNames={ruleNames}
              silences={silences}
              canEdit={canEdit}
              busy={busyId === alert.id}
              onAcknowledge={() => {
                resolve.reset();
                acknowledge.mutate(alert);
              }}
              onResolve={(notes) => {
                acknowledge.reset();
                resolve.mutate({ alert, notes });
              }}
            />
          ))}
        </ul>
      )}
    </Card>
  );
}
