import { describe, expect, it } from "vitest";
import type { AnomalyView } from "@/lib/anomaly/events";
import type { WatchView } from "@/lib/anomaly/watches";
import type { Trends } from "@/lib/metrics/trends";
import { baseUrl, getJson, signIn } from "../support/http-client";

const WATCHES = "/api/admin/monitoring/anomalies/watches";

describe("anomaly detection over HTTP", () => {
  it("lists the default watches, watches and unwatches a series, and names the field a bad request got wrong", async () => {
    const { cookie } = await signIn();
    const post = (body: unknown) => fetch(`${baseUrl()}${WATCHES}`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(body) });

    const { body: listed } = await getJson<{ watches: WatchView[] }>(WATCHES, cookie);
    expect(listed.watches.filter((w) => w.isDefault).map((w) => w.metric)).toEqual(
      expect.arrayContaining(["payment.success_rate", "api.response_time", "db.connections.in_use"]),
    );

    const invalid = await post({ metric: "queue depth", stat: "p99" });
    expect(invalid.status).toBe(400);
    const { error } = (await invalid.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(error.code).toBe("INVALID");
    expect(error.details.issues.map((i) => i.path).sort()).toEqual(["metric", "stat"]);

    const metric = `queue.depth_${Date.now()}`;
    const created = await post({ metric, service: "worker", stat: "avg", label: "Queue depth" });
    expect(created.status).toBe(201);
    const { watch } = (await created.json()) as { watch: WatchView };
    expect(watch).toMatchObject({ metric, service: "worker", stat: "avg", label: "Queue depth", isActive: true, learnedMinutes: 0, openAnomalyId: null });
    expect((await post({ metric, service: "worker" })).status).toBe(200); // already watched: the same watch

    expect((await fetch(`${baseUrl()}${WATCHES}/${watch.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(204);
    const { body: after } = await getJson<{ watches: WatchView[] }>(WATCHES, cookie);
    expect(after.watches.find((w) => w.id === watch.id)!.isActive).toBe(false);
    expect((await fetch(`${baseUrl()}${WATCHES}/not-an-id`, { method: "DELETE", headers: { cookie } })).status).toBe(400);
  });

  it("serves the anomaly list and the trends page's charts with their markers", async () => {
    const { cookie } = await signIn();
    const anomalies = await getJson<{ anomalies: AnomalyView[] }>("/api/admin/monitoring/anomalies?period=24h&state=open", cookie);
    expect(anomalies.status).toBe(200);
    expect(Array.isArray(anomalies.body.anomalies)).toBe(true);
    expect((await getJson("/api/admin/monitoring/anomalies?period=1y", cookie)).status).toBe(400);

    const trends = await getJson<Trends>("/api/admin/monitoring/performance/trends?period=7d&tz=Asia/Taipei", cookie);
    expect(trends.status).toBe(200);
    expect(trends.body.charts.map((c) => c.key)).toEqual(["payments", "api", "database"]);
    for (const chart of trends.body.charts) {
      expect(chart.points).toHaveLength(168);
      expect(Array.isArray(chart.alerts) && Array.isArray(chart.anomalies)).toBe(true);
    }
    expect(trends.body.userActivityByHour).toHaveLength(24);
  });

  it("takes an anomaly rule through the rules API and refuses to backtest it", async () => {
    const { cookie } = await signIn();
    const rules = (init: RequestInit, path = "") => fetch(`${baseUrl()}/api/admin/monitoring/rules${path}`, { ...init, headers: { cookie, "content-type": "application/json" } });
    const metric = `orders.per_minute_${Date.now()}`;
    const rule = { name: "orders unusual", kind: "anomaly", metric, aggregation: "avg", operator: ">=", threshold: 0.8, for: "2m", severity: "warning" };
    const created = await rules({ method: "POST", body: JSON.stringify(rule) });
    expect(created.status).toBe(201);
    const { rule: made } = (await created.json()) as { rule: { id: string; kind: string } };
    expect(made.kind).toBe("anomaly");
    // Its series is watched with it.
    const { body } = await getJson<{ watches: WatchView[] }>(WATCHES, cookie);
    expect(body.watches.find((w) => w.metric === metric)).toMatchObject({ isActive: true, stat: "avg" });

    const backtest = await rules({ method: "POST", body: JSON.stringify({ period: "24h" }) }, `/${made.id}/test`);
    expect(backtest.status).toBe(400);
    expect(((await backtest.json()) as { error: { message: string } }).error.message).toMatch(/cannot be backtested/);

    // Unwatching the series under an active anomaly rule is refused: the rule would go blind.
    const watch = body.watches.find((w) => w.metric === metric)!;
    expect((await fetch(`${baseUrl()}${WATCHES}/${watch.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(409);
    expect((await rules({ method: "DELETE" }, `/${made.id}`)).status).toBe(204);
  });
});
