import { inject } from "vitest";
import { TEST_ADMIN, TEST_INGEST_KEY } from "./vigil-process";

export const baseUrl = () => inject("vigilUrl");

/** Signs in through next-auth's credentials flow, as the login form does; returns the Cookie header. */
export async function signIn(email = TEST_ADMIN.email, password = TEST_ADMIN.password): Promise<{ cookie: string; response: Response }> {
  const csrfResponse = await fetch(`${baseUrl()}/api/auth/csrf`);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const csrfCookie = cookiesOf(csrfResponse);
  const response = await fetch(`${baseUrl()}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie, "x-forwarded-for": "ignored" },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  return { cookie: [csrfCookie, cookiesOf(response)].filter(Boolean).join("; "), response };
}

export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
}

export function hasSession(cookie: string): boolean {
  return /next-auth\.session-token=/.test(cookie);
}

export function ingest(body: unknown, key: string | null = TEST_INGEST_KEY, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseUrl()}/api/ingest/metrics`, {
    method: "POST",
    ...init,
    headers: {
      "content-type": "application/json",
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(init.headers as Record<string, string> | undefined),
    },
    body: init.body ?? (typeof body === "string" ? body : JSON.stringify(body)),
  });
}

export async function getJson<T = unknown>(path: string, cookie?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl()}${path}`, { headers: cookie ? { cookie } : {} });
  return { status: response.status, body: (await response.json()) as T };
}
