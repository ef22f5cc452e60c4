import type { z } from "zod";
import type { HealthCheck, healthCheckInputSchema } from "@/lib/checks/health-checks";
import { apiRequest } from "@/components/api-client";
export { ApiRequestError } from "@/components/api-client";

/** A health check as the API sends it: dates are ISO strings. */
export type CheckView = Omit<HealthCheck, "lastCheckedAt" | "createdAt"> & { lastCheckedAt: string | null; createdAt: string };

export type CheckInput = z.input<typeof healthCheckInputSchema>;

const BASE = "/api/admin/monitoring/health/services";

const request = apiRequest;

export const healthChecksApi = {
  list: async () => (await request<{ checks: CheckView[] }>(BASE)).checks,
  create: async (input: CheckInput) => (await request<{ check: CheckView }>(BASE, { method: "POST", body: JSON.stringify(input) })).check,
  update: async (id: string, input: CheckInput) =>
    (await request<{ check: CheckView }>(`${BASE}/${id}`, { method: "PUT", body: JSON.stringify(input) })).check,
  remove: (id: string) => request<void>(`${BASE}/${id}`, { method: "DELETE" }),
};
