"use client";

import { Card } from "@tremor/react";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

const STATE_STYLE: Record<DashboardSnapshot["jobs"][number]["state"], string> = {
  up: "bg-emerald-500",
  too_fast: "bg-amber-500",
  late: "bg-amber-500",
  too_slow: "bg-amber-500",
  failed: "bg-red-500",
  down: "bg-red-500",
};

export function JobList({ jobs }: { jobs: DashboardSnapshot["jobs"] }) {
  if (jobs.length === 0) return null;
  return (
    <Card className="p-4">
      <h2 className="mb-3 font-semibold">Background jobs</h2>
      <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="job-list">
        {jobs.map((job) => (
          <li key={job.slug} className="flex flex-col gap-1 py-2.5 sm:flex-row sm:items-center sm:justify-between sm:gap-2" data-testid="job-row" data-state={job.state}>
            <span className="flex min-w-0 flex-wrap items-center gap-x-2">
              <span className={`inline-block h-2.5 w-2.5 shrink-0 rounded-full ${STATE_STYLE[job.state]}`} aria-hidden />
              <span className="font-medium">{job.name}</span>
              <span className="font-mono text-xs break-all text-slate-500">{job.slug}</span>
            </span>
            <span className="text-sm text-slate-500">
              {job.state.replace("_", " ")}
              {job.running ? " · running" : ""} — {job.reason}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
