"use client";

import { useQueryClient } from "@tanstack/react-query";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { AlertList } from "./alert-list";
import { JobList } from "./job-list";
import { LatestValues } from "./latest-values";
import { MetricCard } from "./metric-card";
import { ServiceHealth } from "./service-health";
import { useLiveDashboard, useNow, type Connection } from "./use-live-dashboard";

/** Snapshots arrive at least every 5 s; this long without one means the page is not live. */
const STALE_AFTER_MS = 12_000;

const STATUS_TEXT: Record<DashboardSnapshot["status"], { text: string; className: string }> = {
  operational: { text: "All systems operational", className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" },
  degraded: { text: "Degraded: alerts open", className: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300" },
  outage: { text: "Critical alerts open", className: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300" },
};

function ConnectionBadge({ connection, stale }: { connection: Connection; stale: boolean }) {
  const [text, className] = stale
    ? ["Stale: no update", "bg-amber-100 text-amber-800"]
    : connection === "live"
      ? ["Live", "bg-emerald-100 text-emerald-800"]
      : connection === "connecting"
        ? ["Connecting…", "bg-slate-200 text-slate-700"]
        : ["Reconnecting…", "bg-amber-100 text-amber-800"];
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${className}`} data-testid="connection" data-connection={stale ? "stale" : connection}>
      {text}
    </span>
  );
}

export function Dashboard({ canAcknowledge }: { canAcknowledge: boolean }) {
  const { snapshot, error, connection, lastMessageAt } = useLiveDashboard();
  const queryClient = useQueryClient();
  const now = useNow();

  if (!snapshot) {
    return <p className="text-slate-500">{error ? `Could not load the dashboard: ${error.message}` : "Loading…"}</p>;
  }

  const updatedAt = lastMessageAt ?? Date.parse(snapshot.generatedAt);
  const stale = now - updatedAt > STALE_AFTER_MS;
  const status = STATUS_TEXT[snapshot.status];

  async function acknowledge(id: string) {
    await fetch(`/api/admin/monitoring/alerts/${id}/acknowledge`, { method: "POST" });
    await queryClient.invalidateQueries({ queryKey: ["dashboard"] });
  }

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">System monitoring</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className={`rounded-full px-3 py-1 font-medium ${status.className}`} data-testid="overall-status">
            {status.text}
          </span>
          <ConnectionBadge connection={connection} stale={stale} />
          <span className="text-slate-500" data-testid="last-updated">
            Updated {Math.max(0, Math.round((now - updatedAt) / 1000))} s ago
          </span>
        </div>
      </div>
      <section className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Critical metrics">
        {snapshot.cards.map((card) => (
          <MetricCard key={card.key} card={card} />
        ))}
      </section>
      <ServiceHealth services={snapshot.services} />
      <AlertList alerts={snapshot.alerts} now={now} canAcknowledge={canAcknowledge} onAcknowledge={(id) => void acknowledge(id)} />
      <JobList jobs={snapshot.jobs} />
      <LatestValues values={snapshot.latest} />
    </div>
  );
}
