"use client";

import { Card } from "@tremor/react";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

type Service = DashboardSnapshot["services"][number];

const STATE: Record<NonNullable<Service["state"]> | "pending", { dot: string; label: string }> = {
  healthy: { dot: "bg-emerald-500", label: "Healthy" },
  warning: { dot: "bg-amber-500", label: "Warning" },
  down: { dot: "bg-red-500", label: "Down" },
  pending: { dot: "bg-slate-400", label: "Not checked yet" },
};

export function ServiceHealth({ services }: { services: Service[] }) {
  if (services.length === 0) return null;
  return (
    <Card className="p-4">
      <h2 className="mb-3 font-semibold">Service health</h2>
      <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="service-list">
        {services.map((service) => {
          const style = STATE[service.state ?? "pending"];
          return (
            <li key={service.name} className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="service-row" data-state={service.state ?? "pending"}>
              <span className="flex items-center gap-2">
                <span className={`inline-block h-2.5 w-2.5 rounded-full ${style.dot}`} aria-hidden />
                <span className="font-medium">{service.name}</span>
              </span>
              <span className="text-sm text-slate-500">
                {style.label}
                {service.reason ? ` — ${service.reason}` : ""}
              </span>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
