import { describe, expect, it } from "vitest";
import type { History } from "@/lib/metrics/history";
import type { Trends } from "@/lib/metrics/trends";
import { getJson, ingest, signIn } from "../support/http-client";

describe("history and trends over HTTP", () => {
  it("the last hour comes from raw samples, with exact percentiles, filtered by tag", async () => {
    const metric = `test.history.${Date.now()}`;
    const now = Date.now();
    const samples = Array.from({ length: 100 }, (_, i) => ({
      metric,
      service: "shop",
      value: i + 1,
      tags: { route: i % 2 === 0 ? "/even" : "/odd" },
      timestamp: now - 1000,
    }));
    expect((await ingest({ samples })).status).toBe(200);
    const { cookie } = await signIn();

    const all = await getJson<History>(`/api/admin/monitoring/metrics/history?metric=${metric}&service=shop&period=1h`, cookie);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ metric, service: "shop", period: "1h", source: "raw", stepSeconds: 15 });
    expect(all.body.points.length).toBeLessThanOrEqual(241);
    const filled = all.body.points.filter((p) => p.count > 0);
    expect(filled).toHaveLength(1);
    expect(filled[0]).toMatchObject({ count: 100, min: 1, max: 100, sum: 5050, avg: 50.5 });
    expect(filled[0]!.p95).toBeCloseTo(95.05, 5);

    const odd = await getJson<History>(`/api/admin/monitoring/metrics/history?metric=${metric}&period=1h&tag=route:/odd`, cookie);
    expect(odd.body.points.reduce((n, p) => n + p.count, 0)).toBe(50);
  });

  it("longer periods come from rollups", async () => {
    const { cookie } = await signIn();
    for (const [period, source] of [["24h", "rollup_1m"], ["7d", "rollup_1h"], ["30d", "rollup_1h"]]) {
      const { status, body } = await getJson<History>(`/api/admin/monitoring/metrics/history?metric=api.response_time&period=${period}`, cookie);
      expect(status).toBe(200);
      expect(body.source).toBe(source);
      expect(body.points.length).toBeLessThanOrEqual(300);
    }
  });

  it("says what is wrong with a bad query", async () => {
    const { cookie } = await signIn();
    const missing = await getJson<{ error: { code: string; details: unknown } }>("/api/admin/monitoring/metrics/history?period=1h", cookie);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.error.details)).toContain("metric");
    const period = await getJson<{ error: { code: string } }>("/api/admin/monitoring/metrics/history?metric=a&period=1y", cookie);
    expect(period.status).toBe(400);
    const tag = await getJson("/api/admin/monitoring/metrics/history?metric=a&tag=no-colon", cookie);
    expect(tag.status).toBe(400);
    const zone = await getJson("/api/admin/monitoring/performance/trends?tz=Mars/Olympus", cookie);
    expect(zone.status).toBe(400);
  });

  it("trends: the seed's charts and user activity by hour, in the admin's time zone", async () => {
    const { cookie } = await signIn();
    const { status, body } = await getJson<Trends>("/api/admin/monitoring/performance/trends?period=7d&tz=Asia/Taipei", cookie);
    expect(status).toBe(200);
    expect(body.charts.map((c) => c.key)).toEqual(["payments", "api", "database"]);
    expect(body.charts[1]!.lines.map((l) => l.label)).toEqual(["p50", "p95", "p99"]);
    expect(body.userActivityByHour).toHaveLength(24);
    expect(body.timeZone).toBe("Asia/Taipei");
  });

  it("needs a session", async () => {
    expect((await getJson("/api/admin/monitoring/metrics/history?metric=a")).status).toBe(401);
    expect((await getJson("/api/admin/monitoring/performance/trends")).status).toBe(401);
  });
});
