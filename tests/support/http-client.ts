import { inject } from "vitest";
import { signInAt } from "./sign-in";
import { TEST_ADMIN, TEST_INGEST_KEY } from "./vigil-process";

export const baseUrl = () => inject("vigilUrl");

export function signIn(email = TEST_ADMIN.email, password = TEST_ADMIN.password) {
  return signInAt(baseUrl(), email, password);
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
