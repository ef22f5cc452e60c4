"use client";

import { useQueryClient } from "@tanstack/react-query";
import type { DashboardSnapshot, LatestValue } from "@/lib/metrics/dashboard";
import { deriveStatusBanner } from "@/lib/metrics/status-banner";
import { AlertList } from "./alert-list";
import { JobList } from "./job-list";
import { LatestValues } from "./latest-values";
import type { LiveStatus } from "./live-connection";
import { MetricCard } from "./metric-card";
import { ServiceHealth } from "./service-health";
import { StatusBar } from "./status-bar";
import { UnusualNow } from "./unusual-now";
import { useLiveDashboard, useNow } from "./use-live-dashboard";

/** What an admin can change from the dashboard; a viewer gets none of it. */
export interface DashboardActions {
  acknowledge(alertId: string): void;
  pin(value: Pick<LatestValue, "metric" | "service" | "unit">): void;
  unpin(pinId: string): void;
}

export function Dashboard({ isAdmin }: { isAdmin: boolean }) {
  const { snapshot, error, status, lastUpdateAt, online } = useLiveDashboard();
  const queryClient = useQueryClient();
  const now = useNow();

  // Each action refetches the snapshot so the change shows at once, stream or not.
  const send = async (path: string, init: RequestInit) => {
    await fetch(path, init);
    await queryClient.invalidateQueries({ queryKey: ["dashboard"] });
  };
  const actions: DashboardActions = {
    acknowledge: (id) => void send(`/api/admin/monitoring/alerts/${id}/acknowledge`, { method: "POST" }),
    pin: ({ metric, service, unit }) =>
      void send("/api/admin/monitoring/dashboard/pins", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ metric, service, unit }),
      }),
    unpin: (pinId) => void send(`/api/admin/monitoring/dashboard/pins/${pinId}`, { method: "DELETE" }),
  };

  return (
    <DashboardView
      snapshot={snapshot}
      error={error}
      live={status}
      lastUpdateAt={lastUpdateAt}
      online={online}
      now={now}
      actions={isAdmin ? actions : undefined}
    />
  );
}

/** The mockup's screen, from plain props (no fetching), so it can be rendered on its own. */
export function DashboardView({
  snapshot,
  error,
  live,
  lastUpdateAt,
  online,
  now,
  actions,
}: {
  snapshot: DashboardSnapshot | undefined;
  error: Error | null;
  live: LiveStatus;
  lastUpdateAt: number | null;
  online: boolean;
  now: number;
  /** Absent for viewers. */
  actions?: DashboardActions;
}) {
  return (
    // overflow-wrap is inherited: a long service or rule name wraps instead of widening a phone's page.
    <div className="space-y-6 wrap-break-word">
      <div>
        <h1 className="text-xl font-semibold">System monitoring</h1>
        <p className="text-sm text-slate-500">Live status</p>
      </div>
      {!snapshot ? (
        <p className="text-slate-500" data-testid="dashboard-loading">
          {error ? `Could not load the dashboard: ${error.message}` : "Loading…"}
        </p>
      ) : (
        <>
          <StatusBar banner={deriveStatusBanner(snapshot)} live={live} lastUpdateAt={lastUpdateAt} online={online} now={now} />
          <section aria-labelledby="critical-metrics">
            <h2 id="critical-metrics" className="mb-3 font-semibold">
              Critical metrics
            </h2>
            <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {snapshot.cards.map((card) => (
                <MetricCard key={card.key} card={card} onUnpin={actions && card.pinId ? () => actions.unpin(card.pinId!) : undefined} />
              ))}
            </div>
          </section>
          <UnusualNow anomalies={snapshot.anomalies} now={now} />
          <ServiceHealth services={snapshot.services} />
          <AlertList alerts={snapshot.alerts} now={now} onAcknowledge={actions?.acknowledge} />
          <JobList jobs={snapshot.jobs} />
          <LatestValues values={snapshot.latest} pinned={pinnedKeys(snapshot)} onPin={actions?.pin} />
        </>
      )}
    </div>
  );
}

/** `metric|service` of every card already on the dashboard, so the list offers no second pin. */
function pinnedKeys(snapshot: DashboardSnapshot): Set<string> {
  return new Set(snapshot.cards.map((card) => `${card.metric}|${card.service ?? ""}`));
}
