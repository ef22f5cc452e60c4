import type { ErrorBody } from "@/lib/errors";

/** An API error as `{"error":{"code","message","details"}}`, with the per-field issues pulled out. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Field path (`url`, `threshold`, `matcher.metric`) to what is wrong with it. */
    readonly fieldErrors: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

/** Any thrown value as an ApiRequestError, so callers read one shape. */
export function asApiError(error: unknown): ApiRequestError | null {
  if (!error) return null;
  if (error instanceof ApiRequestError) return error;
  return new ApiRequestError(0, "INTERNAL", error instanceof Error ? error.message : String(error), {});
}

function issuesOf(details: unknown): Record<string, string> {
  const issues = (details as { issues?: { path?: unknown; message?: unknown }[] } | undefined)?.issues;
  const fields: Record<string, string> = {};
  for (const issue of Array.isArray(issues) ? issues : []) {
    if (typeof issue.path !== "string" || !issue.path || typeof issue.message !== "string") continue;
    // A list's item (`dependsOn[1]`) is shown against the list.
    fields[issue.path.replace(/\[\d+\].*$/, "")] ??= issue.message;
  }
  return fields;
}

/**
 * One JSON request to Vigil's API from the browser: a 401 sends the page to the login, any
 * other error becomes an ApiRequestError, a 204 is undefined.
 */
export async function apiRequest<T>(path: string, init?: RequestInit): Promise<T> {
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
