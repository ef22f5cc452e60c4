"use client";

import { useQueryClient } from "@tanstack/react-query";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { deriveStatusBanner } from "@/lib/metrics/status-banner";
import { AlertList } from "./alert-list";
import { JobList } from "./job-list";
import { LatestValues } from "./latest-values";
import type { LiveStatus } from "./live-connection";
import { MetricCard } from "./metric-card";
import { ServiceHealth } from "./service-health";
import { StatusBar } from "./status-bar";
import { useLiveDashboard, useNow } from "./use-live-dashboard";

export function Dashboard({ canAcknowledge }: { canAcknowledge: boolean }) {
  const { snapshot, error, status, lastUpdateAt, online } = useLiveDashboard();
  const queryClient = useQueryClient();
  const now = useNow();

  async function acknowledge(id: string) {
    await fetch(`/api/admin/monitoring/alerts/${id}/acknowledge`, { method: "POST" });
    await queryClient.invalidateQueries({ queryKey: ["dashboard"] });
  }

  return (
    <DashboardView
      snapshot={snapshot}
      error={error}
      live={status}
      lastUpdateAt={lastUpdateAt}
      online={online}
      now={now}
      canAcknowledge={canAcknowledge}
      onAcknowledge={(id) => void acknowledge(id)}
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
  canAcknowledge,
  onAcknowledge,
}: {
  snapshot: DashboardSnapshot | undefined;
  error: Error | null;
  live: LiveStatus;
  lastUpdateAt: number | null;
  online: boolean;
  now: number;
  canAcknowledge: boolean;
  onAcknowledge: (id: string) => void;
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
                <MetricCard key={card.key} card={card} />
              ))}
            </div>
          </section>
          <ServiceHealth services={snapshot.services} />
          <AlertList alerts={snapshot.alerts} now={now} canAcknowledge={canAcknowledge} onAcknowledge={onAcknowledge} />
          <JobList jobs={snapshot.jobs} />
          <LatestValues values={snapshot.latest} />
        </>
      )}
    </div>
  );
}
