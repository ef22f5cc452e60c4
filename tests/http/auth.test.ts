import { describe, expect, it } from "vitest";
import { baseUrl, getJson, hasSession, signIn } from "../support/http-client";
import { TEST_ADMIN } from "../support/vigil-process";

describe("admin login", () => {
  it("signs in with the configured admin and opens the admin API", async () => {
    const { cookie } = await signIn();
    expect(hasSession(cookie)).toBe(true);
    const session = await getJson<{ user: { email: string; role: string } }>("/api/auth/session", cookie);
    expect(session.body.user).toMatchObject({ email: TEST_ADMIN.email, role: "admin" });
    const alerts = await getJson("/api/admin/monitoring/alerts/active", cookie);
    expect(alerts.status).toBe(200);
  });

  it("refuses a wrong password and an unknown email", async () => {
    for (const [email, password] of [
      [TEST_ADMIN.email, "not-the-password"],
      ["nobody@test.local", TEST_ADMIN.password],
    ] as const) {
      const { cookie, response } = await signIn(email, password);
      expect(hasSession(cookie)).toBe(false);
      expect(response.status).toBe(401);
    }
  });

  it("throttles repeated failures for one account, even with the right password afterwards", async () => {
    const { cookie: adminCookie } = await signIn();
    const email = `throttled-${Date.now()}@test.local`;
    const created = await fetch(`${baseUrl()}/api/admin/users`, {
      method: "POST",
      headers: { cookie: adminCookie, "content-type": "application/json" },
      body: JSON.stringify({ email, password: "the-right-one", role: "viewer" }),
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 5; i++) expect(hasSession((await signIn(email, "wrong-password")).cookie)).toBe(false);
    const blocked = await signIn(email, "the-right-one");
    expect(hasSession(blocked.cookie)).toBe(false);
    const body = (await blocked.response.json()) as { url: string };
    expect(decodeURIComponent(body.url)).toMatch(/Too many failed attempts/);
  });

  it("pages need a session: the dashboard redirects to login, the login page is public", async () => {
    const dashboard = await fetch(`${baseUrl()}/`, { redirect: "manual" });
    expect(dashboard.status).toBe(307);
    expect(dashboard.headers.get("location")).toMatch(/\/login$/);
    const login = await fetch(`${baseUrl()}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Sign in");
  });
});

describe("admin API access", () => {
  const adminRoutes = [
    ["GET", "/api/admin/monitoring/alerts/active"],
    ["GET", "/api/admin/monitoring/metrics/realtime"],
    ["GET", "/api/admin/monitoring/stream"],
    ["GET", "/api/admin/users"],
    ["POST", "/api/admin/users"],
    ["POST", "/api/admin/ingest-keys"],
    ["POST", "/api/admin/monitoring/alerts/00000000-0000-0000-0000-000000000000/acknowledge"],
    ["GET", "/api/admin/monitoring/performance/trends"],
    ["GET", "/api/admin/monitoring/anomalies"],
    ["GET", "/api/admin/monitoring/anomalies/watches"],
    ["POST", "/api/admin/monitoring/anomalies/watches"],
    ["DELETE", "/api/admin/monitoring/anomalies/watches/00000000-0000-0000-0000-000000000000"],
  ] as const;

  it.each(adminRoutes)("%s %s answers 401 JSON without a session", async (method, path) => {
    const response = await fetch(`${baseUrl()}${path}`, { method });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "UNAUTHORIZED", message: "sign in first" } });
  });

  it("a forged session cookie is no session", async () => {
    const response = await fetch(`${baseUrl()}/api/admin/monitoring/alerts/active`, {
      headers: { cookie: "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.forged" },
    });
    expect(response.status).toBe(401);
  });

  it("a viewer reads but gets 403 on anything that changes state", async () => {
    const { cookie: adminCookie } = await signIn();
    const email = `viewer-${Date.now()}@test.local`;
    await fetch(`${baseUrl()}/api/admin/users`, {
      method: "POST",
      headers: { cookie: adminCookie, "content-type": "application/json" },
      body: JSON.stringify({ email, password: "viewer-password", role: "viewer" }),
    });
    const { cookie } = await signIn(email, "viewer-password");
    expect(hasSession(cookie)).toBe(true);
    expect((await getJson("/api/admin/monitoring/alerts/active", cookie)).status).toBe(200);

    for (const path of ["/api/admin/users", "/api/admin/ingest-keys", "/api/admin/monitoring/dashboard/pins", "/api/admin/monitoring/rules", "/api/admin/monitoring/silences", "/api/admin/monitoring/alerts/00000000-0000-0000-0000-000000000000/acknowledge", "/api/admin/monitoring/notifications/test", "/api/admin/monitoring/escalation-policies", "/api/admin/monitoring/anomalies/watches"]) {
      const response = await fetch(`${baseUrl()}${path}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ name: "x" }),
      });
      expect(response.status, path).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    }
    expect((await getJson("/api/admin/users", cookie)).status).toBe(403);
    expect((await getJson("/api/admin/monitoring/preferences", cookie)).status).toBe(403);
    expect((await getJson("/api/admin/monitoring/anomalies/watches", cookie)).status).toBe(200);
    expect((await getJson("/api/admin/monitoring/anomalies", cookie)).status).toBe(200);
    // A backtest is a POST that changes nothing: a viewer may run one.
    const backtest = await fetch(`${baseUrl()}/api/admin/monitoring/rules/test`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ period: "24h", rule: { name: "try", metric: "api.response_time", operator: ">", threshold: 1000, severity: "info" } }),
    });
    expect(backtest.status).toBe(200);
  });

  it("an admin creates an ingest key that works at once and is shown only once", async () => {
    const { cookie } = await signIn();
    const response = await fetch(`${baseUrl()}/api/admin/ingest-keys`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "billing worker" }),
    });
    expect(response.status).toBe(201);
    const { ingestKey } = (await response.json()) as { ingestKey: { key: string; prefix: string } };
    expect(ingestKey.key.startsWith(ingestKey.prefix)).toBe(true);
    const ingested = await fetch(`${baseUrl()}/api/ingest/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${ingestKey.key}`, "content-type": "application/json" },
      body: JSON.stringify({ samples: [{ metric: "billing.runs", value: 1 }] }),
    });
    expect(ingested.status).toBe(200);
  });

  it("health is public and says ok", async () => {
    const { status, body } = await getJson<{ status: string }>("/api/health");
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
  });
});
