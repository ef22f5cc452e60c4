"use client";

import { Card } from "@tremor/react";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

type Service = DashboardSnapshot["services"][number];

const STATE: Record<NonNullable<Service["state"]> | "pending", { dot: string; label: string; text: string }> = {
  healthy: { dot: "bg-emerald-500", label: "Healthy", text: "text-emerald-700 dark:text-emerald-400" },
  warning: { dot: "bg-amber-500", label: "Warning", text: "text-amber-700 dark:text-amber-400" },
  down: { dot: "bg-red-500", label: "Down", text: "text-red-700 dark:text-red-400" },
  pending: { dot: "bg-slate-400", label: "Not checked yet", text: "text-slate-500" },
};

export function ServiceHealth({ services }: { services: Service[] }) {
  return (
    <Card className="p-4">
      <h2 className="mb-3 font-semibold">Service health</h2>
      {services.length === 0 ? (
        <p className="text-sm text-slate-500">No health checks yet. Add one on the Checks page.</p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="service-list">
          {services.map((service) => {
            const style = STATE[service.state ?? "pending"];
            return (
              <li key={service.name} className="py-2.5" data-testid="service-row" data-state={service.state ?? "pending"}>
                <div className="flex items-center justify-between gap-3">
                  <span className="flex min-w-0 items-center gap-2">
                    <span className={`inline-block h-2.5 w-2.5 shrink-0 rounded-full ${style.dot}`} aria-hidden />
                    <span className="min-w-0 font-medium">{service.name}</span>
                  </span>
                  <span className={`shrink-0 text-sm font-medium ${style.text}`}>
                    {style.label}
                    {service.latencyMs !== null && service.state !== null ? <span className="font-normal text-slate-500"> · {Math.round(service.latencyMs)} ms</span> : null}
                  </span>
                </div>
                {service.reason && service.state !== "healthy" ? <p className="mt-0.5 pl-4.5 text-sm text-slate-500">{service.reason}</p> : null}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
