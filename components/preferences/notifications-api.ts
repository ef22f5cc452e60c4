import { apiRequest } from "@/components/api-client";
export { ApiRequestError, asApiError } from "@/components/api-client";
import type { Channel } from "@/db/schema";
import type { PreferencesView } from "@/lib/notify/preferences";

const BASE = "/api/admin/monitoring";

/** Whether this server can send on a channel at all; `detail` names the provider, or the settings it lacks. */
export interface ChannelStatus {
  channel: Channel;
  configured: boolean;
  detail: string;
}

export interface PreferencesResponse {
  preferences: PreferencesView;
  channels: ChannelStatus[];
}

export interface TestResult {
  channel: Channel;
  target: string | null;
  status: "sent" | "failed" | "not_configured" | "disabled";
  providerMessageId: string | null;
  error: string | null;
}

export const preferencesApi = {
  get: () => apiRequest<PreferencesResponse>(`${BASE}/preferences`),
  save: (preferences: PreferencesView) => apiRequest<PreferencesResponse>(`${BASE}/preferences`, { method: "PUT", body: JSON.stringify(preferences) }),
  /** Sends to the saved preferences, not to what the form holds. */
  sendTest: async () => (await apiRequest<{ results: TestResult[] }>(`${BASE}/notifications/test`, { method: "POST" })).results,
};

export const PREFERENCES_QUERY_KEY = ["notification-preferences"] as const;
