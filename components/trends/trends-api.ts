import { apiRequest } from "@/components/api-client";
import type { AnomalyView } from "@/lib/anomaly/events";
import type { WatchView } from "@/lib/anomaly/watches";
import type { TrendChart, TrendPeriod, Trends } from "@/lib/metrics/trends";

export type { AnomalyView, TrendChart, TrendPeriod, Trends, WatchView };

const BASE = "/api/admin/monitoring";

// The API's enums, repeated here because db/schema is server code; `satisfies` keeps them in step.
export const TREND_PERIODS = ["24h", "7d", "30d"] as const satisfies readonly TrendPeriod[];
export const WATCH_STATS = ["avg", "p95"] as const satisfies readonly WatchView["stat"][];

/** A watch as the form sends it: blank optional fields are left to the API's defaults. */
export interface WatchBody {
  metric: string;
  service?: string;
  stat: WatchView["stat"];
  label?: string;
}

export const trendsApi = {
  trends: (period: TrendPeriod, timeZone: string) =>
    apiRequest<Trends>(`${BASE}/performance/trends?${new URLSearchParams({ period, tz: timeZone })}`),
  watches: async () => (await apiRequest<{ watches: WatchView[] }>(`${BASE}/anomalies/watches`)).watches,
  watch: async (body: WatchBody) =>
    (await apiRequest<{ watch: WatchView }>(`${BASE}/anomalies/watches`, { method: "POST", body: JSON.stringify(body) })).watch,
  unwatch: (id: string) => apiRequest<void>(`${BASE}/anomalies/watches/${id}`, { method: "DELETE" }),
};

export const TREND_QUERY_KEYS = {
  trends: (period: TrendPeriod, timeZone: string) => ["trends", period, timeZone] as const,
  allTrends: ["trends"] as const,
  watches: ["anomaly-watches"] as const,
};
