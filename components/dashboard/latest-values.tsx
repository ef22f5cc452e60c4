"use client";

import { Card } from "@tremor/react";
import { RowButton } from "@/components/row-button";
import type { LatestValue } from "@/lib/metrics/dashboard";
import { formatValue } from "./metric-card";

export function LatestValues({
  values,
  pinned,
  onPin,
}: {
  values: LatestValue[];
  /** `metric|service` of the series already shown as cards. */
  pinned: ReadonlySet<string>;
  /** Absent for viewers, who cannot pin. */
  onPin?: (value: LatestValue) => void;
}) {
  return (
    <Card className="p-4">
      <h2 className="mb-3 font-semibold">Every series, latest value</h2>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="latest-values">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="py-1 pr-4 font-medium">Service</th>
              <th className="py-1 pr-4 font-medium">Metric</th>
              <th className="hidden py-1 pr-4 font-medium sm:table-cell">Tags</th>
              <th className="py-1 text-right font-medium">Value</th>
              {onPin && (
                <th className="py-1 pl-2 font-medium">
                  <span className="sr-only">Pin</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {values.map((v) => (
              <tr key={v.seriesId} className="border-t border-slate-100 dark:border-slate-800" data-testid="latest-row" data-metric={v.metric}>
                <td className="py-1 pr-4">{v.service}</td>
                <td className="py-1 pr-4 font-mono break-all">{v.metric}</td>
                <td className="hidden py-1 pr-4 text-slate-500 sm:table-cell">
                  {Object.entries(v.tags)
                    .map(([k, val]) => `${k}=${val}`)
                    .join(" ")}
                </td>
                <td className="py-1 text-right whitespace-nowrap tabular-nums">{formatValue(v.value, v.unit ?? "")}</td>
                {onPin && (
                  <td className="py-1 pl-2 text-right">
                    {pinned.has(`${v.metric}|${v.service}`) || pinned.has(`${v.metric}|`) ? (
                      <span className="text-xs text-slate-400">on dashboard</span>
                    ) : (
                      <RowButton onClick={() => onPin(v)} aria-label={`Pin ${v.service} ${v.metric}`} className="text-xs">
                        Pin
                      </RowButton>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
