"use client";

import { Callout, type Color } from "@tremor/react";
import { describeConnection, formatAge, type ConnectionKind } from "@/lib/live/transport-policy";
import type { BannerLevel, StatusBanner } from "@/lib/metrics/status-banner";
import type { LiveStatus } from "./live-connection";

const BANNER_COLOR: Record<BannerLevel, Color> = { operational: "emerald", degraded: "amber", outage: "red" };

const CONNECTION_STYLE: Record<ConnectionKind, { badge: string; dot: string }> = {
  connecting: { badge: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300", dot: "bg-slate-400" },
  live: { badge: "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300", dot: "bg-emerald-500 animate-pulse" },
  polling: { badge: "bg-sky-50 text-sky-800 dark:bg-sky-950 dark:text-sky-300", dot: "bg-sky-500" },
  stale: { badge: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300", dot: "bg-amber-500" },
  reconnecting: { badge: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300", dot: "bg-amber-500" },
  offline: { badge: "bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-300", dot: "bg-red-500" },
};

/** The mockup's "Status: [All systems operational] [Last updated: 2 s]" line, plus the connection. */
export function StatusBar({
  banner,
  live,
  lastUpdateAt,
  online,
  now,
}: {
  banner: StatusBanner;
  live: LiveStatus;
  lastUpdateAt: number | null;
  online: boolean;
  now: number;
}) {
  const connection = describeConnection({ transport: live.transport, phase: live.phase, lastUpdateAt, online }, now);
  const style = CONNECTION_STYLE[connection.kind];
  return (
    <section aria-label="Status" className="flex flex-col gap-3 md:flex-row md:items-start">
      <Callout
        title={banner.text}
        color={BANNER_COLOR[banner.level]}
        className="min-w-0 flex-1"
        role="status"
        data-testid="overall-status"
        data-level={banner.level}
      >
        {/* Callout renders its children in a <p>: spans, not a list. */}
        {banner.causes.length > 1 ? (
          <span className="block" data-testid="status-causes">
            {banner.causes.map((cause, i) => (
              <span key={i} className="block before:content-['•_']">
                {cause.text}
                {cause.level !== banner.level ? ` (${cause.level})` : ""}
              </span>
            ))}
          </span>
        ) : null}
      </Callout>
      <div className="flex flex-wrap items-center gap-2 text-sm md:flex-col md:items-end">
        <span
          className={`inline-flex items-center gap-1.5 rounded-full px-3 py-1 font-medium ${style.badge}`}
          data-testid="connection"
          data-connection={connection.kind}
          data-transport={live.transport}
          data-phase={live.phase}
        >
          <span className={`inline-block h-2 w-2 rounded-full ${style.dot}`} aria-hidden />
          {connection.text}
        </span>
        <span className="text-slate-600 tabular-nums dark:text-slate-400" data-testid="last-updated">
          Last updated: {lastUpdateAt === null ? "—" : formatAge(now - lastUpdateAt)}
        </span>
      </div>
    </section>
  );
}
