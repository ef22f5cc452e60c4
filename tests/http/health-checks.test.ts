import { describe, expect, it } from "vitest";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { baseUrl, getJson, signIn } from "../support/http-client";

describe("service health checks over HTTP", () => {
  it("an admin adds a check; Vigil runs it and the dashboard shows its state", async () => {
    const { cookie } = await signIn();
    const name = `Vigil itself ${Date.now()}`;
    const created = await fetch(`${baseUrl()}/api/admin/monitoring/health/services`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      // Vigil's own health endpoint is a real HTTP service on loopback.
      body: JSON.stringify({ name, url: `${baseUrl()}/api/health`, bodyCondition: 'status == "ok"', intervalSeconds: 5 }),
    });
    expect(created.status).toBe(201);
    const { check } = (await created.json()) as { check: { id: string } };

    await expect
      .poll(async () => (await getJson<DashboardSnapshot>("/api/admin/monitoring/metrics/realtime", cookie)).body.services.find((s) => s.name === name)?.state, {
        timeout: 10_000,
      })
      .toBe("healthy");
    const { body } = await getJson<{ checks: { id: string; lastReason: string }[] }>("/api/admin/monitoring/health/services", cookie);
    expect(body.checks.find((c) => c.id === check.id)?.lastReason).toMatch(/^HTTP 200 in \d+ ms$/);

    const invalid = await fetch(`${baseUrl()}/api/admin/monitoring/health/services/${check.id}`, {
      method: "PUT",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name, url: "not a url" }),
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { details: { issues: { path: string }[] } } }).error.details.issues[0]!.path).toBe("url");
    expect((await fetch(`${baseUrl()}/api/admin/monitoring/health/services/${check.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(204);
  });
});
