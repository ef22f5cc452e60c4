import { describe, expect, it } from "vitest";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { baseUrl, getJson, ingest, signIn } from "../support/http-client";

const PINS = "/api/admin/monitoring/dashboard/pins";

describe("pinned metrics over HTTP", () => {
  it("an admin pins a metric: it becomes a card on the live snapshot until unpinned", async () => {
    const { cookie } = await signIn();
    const metric = `checkout.queue_depth_${Date.now()}`;
    expect((await ingest({ samples: [{ metric, service: "shop", value: 7 }] })).status).toBe(200);

    expect((await fetch(`${baseUrl()}${PINS}`, { method: "POST", body: "{}" })).status).toBe(401);
    const pin = (body: unknown) =>
      fetch(`${baseUrl()}${PINS}`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(body) });

    const invalid = await pin({ metric: "no spaces allowed" });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { details: { issues: { path: string }[] } } }).error.details.issues[0]!.path).toBe("metric");

    const created = await pin({ metric, service: "shop", aggregation: "max", title: "Checkout queue" });
    expect(created.status).toBe(201);
    const { pin: made } = (await created.json()) as { pin: { id: string } };
    expect((await pin({ metric, service: "shop", aggregation: "max" })).status).toBe(200); // already pinned: the same pin
    expect((await getJson<{ pins: { id: string }[] }>(PINS, cookie)).body.pins.map((p) => p.id)).toContain(made.id);

    const { body: snapshot } = await getJson<DashboardSnapshot>("/api/admin/monitoring/metrics/realtime", cookie);
    expect(snapshot.cards.find((c) => c.pinId === made.id)).toMatchObject({ title: "Checkout queue", value: 7, state: "unwatched" });

    expect((await fetch(`${baseUrl()}${PINS}/${made.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(204);
    expect((await fetch(`${baseUrl()}${PINS}/${made.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(404);
    const { body: after } = await getJson<DashboardSnapshot>("/api/admin/monitoring/metrics/realtime", cookie);
    expect(after.cards.some((c) => c.pinId === made.id)).toBe(false);
  });
});
