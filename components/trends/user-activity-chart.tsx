"use client";

import { BarChart, Card } from "@tremor/react";
import type { Trends } from "./trends-api";

const USERS = "signed-in users";
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/** Average signed-in users by hour of the day, in the browser's time zone (the page asked for it). */
export function UserActivityChart({ byHour, timeZone }: { byHour: Trends["userActivityByHour"]; timeZone: string }) {
  const hasData = byHour.some((h) => h.users !== null);
  const busiest = hasData ? byHour.reduce((best, h) => ((h.users ?? -1) > (best.users ?? -1) ? h : best)) : null;
  const rows = byHour.map((h) => ({ hour: String(h.hour).padStart(2, "0"), [USERS]: h.users }));
  return (
    <Card className="min-w-0 p-4" data-testid="trend-chart-users">
      <h3 className="font-medium">User activity by hour of day</h3>
      <p className="text-xs text-slate-500">Average signed-in users, hours in {timeZone}</p>
      {hasData ? (
        <figure className="mt-2 min-w-0">
          <BarChart
            className="h-48 w-full"
            data={rows}
            index="hour"
            categories={[USERS]}
            colors={["indigo"]}
            valueFormatter={(value) => compact.format(value)}
            yAxisWidth={40}
            showLegend={false}
            showAnimation={false}
            tickGap={8}
            aria-hidden
          />
          <figcaption className="mt-1 text-xs text-slate-600 dark:text-slate-400" data-testid="trend-users-busiest">
            Busiest hour: {String(busiest!.hour).padStart(2, "0")}:00, {compact.format(busiest!.users!)} users on average
          </figcaption>
        </figure>
      ) : (
        <p className="mt-2 flex h-32 items-center justify-center rounded-md bg-slate-100 px-3 text-center text-sm text-slate-600 dark:bg-slate-800 dark:text-slate-300" data-testid="trend-chart-empty">
          No user activity in this period yet.
        </p>
      )}
    </Card>
  );
}
