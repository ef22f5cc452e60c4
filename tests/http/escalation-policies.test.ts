import { describe, expect, it } from "vitest";
import { baseUrl, signIn } from "../support/http-client";

const ROUTE = "/api/admin/monitoring/escalation-policies";

async function call(cookie: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${baseUrl()}${path}`, { method, headers: { cookie, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: response.status === 204 ? null : ((await response.json()) as Record<string, any>) };
}

describe("escalation policies over HTTP", () => {
  it("lists the seeded defaults, one per severity", async () => {
    const { cookie } = await signIn();
    const { status, body } = await call(cookie, "GET", ROUTE);
    expect(status).toBe(200);
    const defaults = body!.policies.filter((p: { severity: string | null }) => p.severity).map((p: { severity: string }) => p.severity);
    expect(defaults.sort()).toEqual(["critical", "info", "warning"]);
  });

  it("creates, changes and deletes a policy, with errors in the documented shape", async () => {
    const { cookie } = await signIn();
    const created = await call(cookie, "POST", ROUTE, { name: `night shift ${Date.now()}`, tiers: [{ after: "0s" }, { after: "10m", channels: ["sms"] }] });
    expect(created.status).toBe(201);
    const id = created.body!.policy.id as string;
    expect(created.body!.policy.tiers).toEqual([
      { after: "0s", userIds: null, channels: null },
      { after: "10m", userIds: null, channels: ["sms"] },
    ]);

    const outOfOrder = await call(cookie, "PUT", `${ROUTE}/${id}`, { name: "x", tiers: [{ after: "5m" }, { after: "1m" }] });
    expect(outOfOrder.status).toBe(400);
    expect(outOfOrder.body!.error.details.issues[0].path).toBe("tiers[1].after");

    const notAnAdmin = await call(cookie, "PUT", `${ROUTE}/${id}`, { name: "x", tiers: [{ after: "0s", userIds: ["00000000-0000-4000-8000-000000000000"] }] });
    expect(notAnAdmin.status).toBe(400);
    expect(notAnAdmin.body!.error.details.issues[0].path).toBe("tiers[0].userIds");

    const taken = await call(cookie, "PUT", `${ROUTE}/${id}`, { name: "x", severity: "critical", tiers: [{ after: "0s" }] });
    expect(taken.status).toBe(409);
    expect(taken.body!.error.code).toBe("CONFLICT");

    expect((await call(cookie, "PUT", `${ROUTE}/not-an-id`, { name: "x", tiers: [{ after: "0s" }] })).status).toBe(400);
    expect((await call(cookie, "DELETE", `${ROUTE}/${id}`)).status).toBe(204);
    expect((await call(cookie, "DELETE", `${ROUTE}/${id}`)).status).toBe(404);
  });
});
