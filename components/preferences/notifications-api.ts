import { apiRequest } from "@/components/api-client";
export { ApiRequestError, asApiError } from "@/components/api-client";
import type { ChannelStatus } from "@/lib/notify/channel-status";
import type { PreferencesView } from "@/lib/notify/preferences";
import type { TestResult } from "@/lib/notify/send-test";

export type { ChannelStatus, TestResult };

const BASE = "/api/admin/monitoring";

export interface PreferencesResponse {
  preferences: PreferencesView;
  channels: ChannelStatus[];
}

export const preferencesApi = {
  get: () => apiRequest<PreferencesResponse>(`${BASE}/preferences`),
  save: (preferences: PreferencesView) => apiRequest<PreferencesResponse>(`${BASE}/preferences`, { method: "PUT", body: JSON.stringify(preferences) }),
  /** Sends to the saved preferences, not to what the form holds. */
  sendTest: async () => (await apiRequest<{ results: TestResult[] }>(`${BASE}/notifications/test`, { method: "POST" })).results,
};

export const PREFERENCES_QUERY_KEY = ["notification-preferences"] as const;
