"use client";

import { Badge, Card } from "@tremor/react";
import { useMutation, useQuery, useQueryClient, type Query } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { apiRequest } from "@/components/api-client";
import { relativeTime } from "@/components/dashboard/alert-list";
import { useNow } from "@/components/dashboard/use-live-dashboard";
import { RowButton } from "@/components/row-button";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { DeliveryView } from "@/lib/notify/deliveries";
import { alertsApi, asApiError, QUERY_KEYS } from "./alerts-api";
import { DeliveryLog, formatStamp, IN_FLIGHT } from "./delivery-log";
import { ResolveForm } from "./resolve-form";
import { SeverityBadge } from "./severity-badge";

/** One step of the alert's life, as the API sends the alert_event row. */
export interface AlertEventView {
  id: string;
  at: string;
  fromStatus: string;
  toStatus: string;
  /** null: the evaluator. */
  actorId: string | null;
  value: number | null;
  note: string;
}

export interface AlertDetailResponse {
  alert: AlertView;
  events: AlertEventView[];
  deliveries: DeliveryView[];
}

/** While anything can still change, every 2 s: the delivery log is watched as it happens. */
const REFRESH_MS = 2000;

const detailKey = (id: string) => ["alerts", "detail", id] as const;

const STATUS = {
  pending: { color: "slate", label: "Pending" },
  firing: { color: "red", label: "Firing" },
  acknowledged: { color: "amber", label: "Acknowledged" },
  resolved: { color: "emerald", label: "Resolved" },
} as const satisfies Record<AlertView["status"], { color: string; label: string }>;

const PRIMARY = "min-h-11 rounded-md bg-indigo-600 px-5 font-semibold text-white hover:bg-indigo-500 disabled:opacity-60 sm:min-h-10";

function refreshWhileLive(query: Query<AlertDetailResponse, Error, AlertDetailResponse, readonly string[]>): number | false {
  const status = asApiError(query.state.error)?.status;
  if (status === 400 || status === 404) return false;
  const data = query.state.data;
  if (!data) return REFRESH_MS;
  // A resolved alert's own "resolved" messages are still going out for a moment after.
  const sending = data.deliveries.some((d) => IN_FLIGHT.includes(d.state));
  return data.alert.status !== "resolved" || sending ? REFRESH_MS : false;
}

function Stamp({ at, now }: { at: string; now: number }) {
  return (
    <time dateTime={at} title={new Date(at).toLocaleString()}>
      {formatStamp(at, now)} <span className="text-slate-500">({relativeTime(at, now)})</span>
    </time>
  );
}

function Fact({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="text-sm break-words" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/** Where the "Acknowledge" link of a notification lands: the one thing to do, first and large. */
function AcknowledgePrompt({ alert, now, isAdmin, busy, onAcknowledge }: { alert: AlertView; now: number; isAdmin: boolean; busy: boolean; onAcknowledge: () => void }) {
  const box = "rounded-lg border px-4 py-3 text-sm";
  if (alert.status === "firing" && isAdmin) {
    return (
      <div className={`${box} flex flex-col gap-3 border-red-300 bg-red-50 sm:flex-row sm:items-center sm:justify-between dark:border-red-900 dark:bg-red-950`} data-testid="alert-ack-prompt">
        <p className="text-red-900 dark:text-red-200">
          <span className="font-semibold">This alert is firing.</span> Acknowledge it to tell the team you are on it and stop the escalation.
        </p>
        <button type="button" onClick={onAcknowledge} disabled={busy} className={`${PRIMARY} shrink-0 sm:px-6`} data-testid="alert-acknowledge">
          {busy ? "Acknowledging…" : "Acknowledge"}
        </button>
      </div>
    );
  }
  const text =
    alert.status === "firing"
      ? "Only an admin can acknowledge this alert."
      : alert.status === "acknowledged"
        ? `Already acknowledged${alert.acknowledgedAt ? ` ${relativeTime(alert.acknowledgedAt, now)}` : ""}: someone is on it.`
        : alert.status === "resolved"
          ? "This alert is resolved: there is nothing to acknowledge."
          : "This alert is not firing yet: there is nothing to acknowledge.";
  return (
    <p className={`${box} border-slate-200 bg-slate-50 text-slate-700 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300`} data-testid="alert-ack-prompt" data-ack-state={alert.status}>
      {text}
    </p>
  );
}

function Steps({ events, now }: { events: readonly AlertEventView[]; now: number }) {
  if (events.length === 0) return <p className="text-sm text-slate-500">No steps recorded.</p>;
  return (
    <ol className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="alert-events">
      {events.map((event) => (
        <li key={event.id} className="py-2 text-sm" data-testid="alert-event" data-to-status={event.toStatus}>
          <div className="flex flex-wrap items-baseline gap-x-2">
            <span className="text-xs whitespace-nowrap text-slate-500 tabular-nums">
              <Stamp at={event.at} now={now} />
            </span>
            <span className="font-medium">{event.fromStatus === event.toStatus ? event.toStatus : `${event.fromStatus} → ${event.toStatus}`}</span>
            {event.value !== null && <span className="text-xs text-slate-500 tabular-nums">value {event.value}</span>}
          </div>
          <p className="mt-0.5 break-words text-slate-700 dark:text-slate-300">{event.note}</p>
        </li>
      ))}
    </ol>
  );
}

/**
 * One alert: what it is, where it stands, what happened to it, and every message sent about it.
 * `ackRequested`: opened from a notification's "Acknowledge" link.
 */
export function AlertDetail({ id, isAdmin, ackRequested }: { id: string; isAdmin: boolean; ackRequested: boolean }) {
  const queryClient = useQueryClient();
  const now = useNow();
  const [resolving, setResolving] = useState(false);
  const detail = useQuery({
    queryKey: detailKey(id),
    queryFn: () => apiRequest<AlertDetailResponse>(`/api/admin/monitoring/alerts/${encodeURIComponent(id)}`),
    refetchInterval: refreshWhileLive,
  });
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: detailKey(id) }), queryClient.invalidateQueries({ queryKey: QUERY_KEYS.activeAlerts })]);
  const showAlert = (alert: AlertView) => queryClient.setQueryData<AlertDetailResponse>(detailKey(id), (old) => old && { ...old, alert });
  const acknowledge = useMutation({ mutationFn: () => alertsApi.acknowledge(id), onSuccess: showAlert, onSettled: refresh });
  const resolve = useMutation({
    mutationFn: (notes: string) => alertsApi.resolve(id, notes),
    onSuccess: (alert) => {
      setResolving(false);
      showAlert(alert);
    },
    onSettled: refresh,
  });
  const busy = acknowledge.isPending || resolve.isPending;
  const actionError = acknowledge.error ?? resolve.error;

  const back = (
    <Link href="/alerts" className="inline-flex min-h-11 items-center text-sm text-indigo-700 hover:underline sm:min-h-0 dark:text-indigo-400" data-testid="alert-back">
      ← Alert management
    </Link>
  );

  if (!detail.data) {
    const error = asApiError(detail.error);
    const missing = error?.status === 404 || error?.status === 400;
    return (
      <div className="min-w-0 space-y-4">
        {back}
        <p className={`text-sm ${error ? "text-red-700 dark:text-red-400" : "text-slate-500"}`} role={error ? "alert" : undefined} data-testid={missing ? "alert-not-found" : "alert-load-state"}>
          {missing ? "There is no such alert." : error ? `Could not load the alert: ${error.message}` : "Loading…"}
        </p>
      </div>
    );
  }

  const { alert, events, deliveries } = detail.data;
  const status = STATUS[alert.status];
  const canAcknowledge = isAdmin && alert.status === "firing";
  const canResolve = isAdmin && (alert.status === "firing" || alert.status === "acknowledged");
  const labels = Object.entries(alert.labels ?? {});

  return (
    <div className="min-w-0 space-y-6" data-testid="alert-detail" data-alert-id={alert.id} data-status={alert.status}>
      {back}
      {ackRequested && (
        <AcknowledgePrompt
          alert={alert}
          now={now}
          isAdmin={isAdmin}
          busy={busy}
          onAcknowledge={() => {
            resolve.reset();
            acknowledge.mutate();
          }}
        />
      )}
      {actionError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-700 dark:bg-red-950 dark:text-red-300" data-testid="alert-action-error">
          {actionError.message}
        </p>
      )}

      <Card className="min-w-0 p-4">
        <div className="flex flex-wrap items-center gap-2">
          <SeverityBadge severity={alert.severity} />
          <Badge color={status.color} data-testid="alert-status" data-status={alert.status}>
            {status.label}
          </Badge>
        </div>
        <h1 className="mt-2 text-xl font-semibold break-words" data-testid="alert-title">
          {alert.ruleName}
        </h1>
        <p className="mt-1 break-words" data-testid="alert-reason">
          {alert.reason}
        </p>

        <dl className="mt-4 grid min-w-0 gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-3">
          <Fact label="Breach began" testId="alert-triggered-at">
            <Stamp at={alert.triggeredAt} now={now} />
          </Fact>
          <Fact label="Fired" testId="alert-fired-at">
            {alert.firedAt ? <Stamp at={alert.firedAt} now={now} /> : "Not yet"}
          </Fact>
          <Fact label="Acknowledged" testId="alert-acknowledged-at">
            {alert.acknowledgedAt ? <Stamp at={alert.acknowledgedAt} now={now} /> : "No"}
          </Fact>
          <Fact label="Resolved" testId="alert-resolved-at">
            {alert.resolvedAt ? (
              <>
                <Stamp at={alert.resolvedAt} now={now} />
                {alert.autoResolved ? " · by itself" : " · by hand"}
              </>
            ) : (
              "No"
            )}
          </Fact>
          <Fact label="Metric">
            <span className="font-mono break-all">{alert.metric}</span>
            {alert.metricValue !== null && <span className="tabular-nums"> = {alert.metricValue}</span>}
          </Fact>
          {labels.length > 0 && (
            <Fact label="Labels">
              <span className="font-mono text-xs break-all">{labels.map(([k, v]) => `${k}=${v}`).join(" ")}</span>
            </Fact>
          )}
          {alert.resolutionNotes && (
            <Fact label="Resolution notes" testId="alert-resolution-notes">
              {alert.resolutionNotes}
            </Fact>
          )}
        </dl>

        {(alert.runbookUrl || canAcknowledge || canResolve) && (
          <div className="mt-4 flex flex-wrap items-center gap-2 text-sm">
            {canAcknowledge && !ackRequested && !resolving && (
              <RowButton onClick={() => acknowledge.mutate()} disabled={busy} data-testid="alert-acknowledge">
                {acknowledge.isPending ? "Acknowledging…" : "Acknowledge"}
              </RowButton>
            )}
            {canResolve && !resolving && (
              <RowButton
                onClick={() => {
                  acknowledge.reset();
                  setResolving(true);
                }}
                disabled={busy}
                data-testid="alert-resolve"
              >
                Resolve
              </RowButton>
            )}
            {alert.runbookUrl && (
              <a
                href={alert.runbookUrl}
                target="_blank"
                rel="noreferrer"
                className="inline-flex min-h-11 items-center px-2 text-indigo-700 underline sm:min-h-0 dark:text-indigo-400"
                data-testid="alert-runbook"
              >
                Runbook
              </a>
            )}
          </div>
        )}
        {canResolve && resolving && <ResolveForm ruleName={alert.ruleName} busy={busy} onResolve={(notes) => resolve.mutate(notes)} onCancel={() => setResolving(false)} />}
      </Card>

      <Card className="min-w-0 p-4">
        <h2 className="mb-3 font-semibold">Steps</h2>
        <Steps events={events} now={now} />
      </Card>

      <Card className="min-w-0 p-4">
        <h2 className="font-semibold">Delivery log</h2>
        <p className="mb-3 text-sm text-slate-500">Every message planned for this alert: whether it went, and if not, why.</p>
        <DeliveryLog deliveries={deliveries} now={now} />
      </Card>
    </div>
  );
}
