import type { z } from "zod";
import type { HealthCheck, healthCheckInputSchema } from "@/lib/checks/health-checks";
import type { ErrorBody } from "@/lib/errors";

/** A health check as the API sends it: dates are ISO strings. */
export type CheckView = Omit<HealthCheck, "lastCheckedAt" | "createdAt"> & { lastCheckedAt: string | null; createdAt: string };

export type CheckInput = z.input<typeof healthCheckInputSchema>;

const BASE = "/api/admin/monitoring/health/services";

/** An API error as `{"error":{"code","message","details"}}`, with the per-field issues pulled out. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Field path (`url`, `warningLatencyMs`) to what is wrong with it. */
    readonly fieldErrors: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

function issuesOf(details: unknown): Record<string, string> {
  const issues = (details as { issues?: { path?: unknown; message?: unknown }[] } | undefined)?.issues;
  const fields: Record<string, string> = {};
  for (const issue of Array.isArray(issues) ? issues : []) {
    if (typeof issue.path === "string" && issue.path && typeof issue.message === "string") fields[issue.path] ??= issue.message;
  }
  return fields;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { cache: "no-store", ...init, headers: { "content-type": "application/json", ...init?.headers } });
  if (response.status === 401) {
    window.location.assign("/login");
    throw new ApiRequestError(401, "UNAUTHORIZED", "signed out", {});
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
    throw new ApiRequestError(
      response.status,
      body?.error.code ?? "INTERNAL",
      body?.error.message ?? `request failed: HTTP ${response.status}`,
      issuesOf(body?.error.details),
    );
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const healthChecksApi = {
  list: async () => (await request<{ checks: CheckView[] }>(BASE)).checks,
  create: async (input: CheckInput) => (await request<{ check: CheckView }>(BASE, { method: "POST", body: JSON.stringify(input) })).check,
  update: async (id: string, input: CheckInput) =>
    (await request<{ check: CheckView }>(`${BASE}/${id}`, { method: "PUT", body: JSON.stringify(input) })).check,
  remove: (id: string) => request<void>(`${BASE}/${id}`, { method: "DELETE" }),
};
