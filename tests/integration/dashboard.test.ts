import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { loadDashboard, loadLatestValues } from "@/lib/metrics/dashboard";
import { seedDefaultRules } from "@/lib/rules/default-rules";
import { evaluateAllRules } from "@/lib/rules/rule-evaluator";
import { openTestStore, type TestStore } from "../support/test-store";

const T0 = Date.parse("2026-01-05T10:00:00Z");

describe("dashboard snapshot", () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(new Date(T0));
    await seedDefaultRules(t.ctx);
  });
  afterAll(() => t.close());

  it("with no data: every card says so and the status is operational", async () => {
    const snapshot = await loadDashboard(t.ctx);
    expect(snapshot.status).toBe("operational");
    expect(snapshot.cards.map((c) => [c.key, c.state, c.value])).toEqual([
      ["payments", "no-data", null],
      ["api", "no-data", null],
      ["db-pool", "no-data", null],
    ]);
    expect(snapshot.latest).toEqual([]);
  });

  it("shows the three metrics, their trend, every series' latest value and open alerts", async () => {
    const cache = new SeriesCache();
    const samples = [];
    for (let s = 0; s < 60; s++) {
      const ts = T0 - 60_000 + s * 1000;
      samples.push(
        { metric: "payment.success_rate", service: "payments", unit: "%", tags: {}, value: 90, ts },
        { metric: "api.response_time", service: "api", unit: "ms", tags: { route: "/x" }, value: 200 + s, ts },
        { metric: "db.connections.in_use", service: "db", tags: {}, value: 40 + (s % 5), ts },
        { metric: "db.connections.max", service: "db", tags: {}, value: 100, ts },
      );
    }
    await writeSamples(t.store, cache, samples);
    await evaluateAllRules(t.ctx);

    const snapshot = await loadDashboard(t.ctx);
    expect(snapshot.generatedAt).toBe(new Date(T0).toISOString());
    const [payments, api, pool] = snapshot.cards;
    expect(payments).toMatchObject({ value: 90, state: "critical" });
    expect(api!.value).toBeCloseTo(256.1); // p95 of 201..259: the sample exactly 60 s old is outside the window
    expect(api!.state).toBe("ok");
    expect(pool).toMatchObject({ value: 44, capacity: 100, state: "ok" });
    expect(api!.trend.length).toBeGreaterThanOrEqual(6);
    expect(api!.trend.every((p, i, all) => i === 0 || p.t > all[i - 1]!.t)).toBe(true);

    expect(snapshot.status).toBe("outage");
    expect(snapshot.alerts.map((a) => a.ruleName)).toEqual(["Payment success rate < 95%"]);
    expect(snapshot.latest.map((v) => `${v.service}/${v.metric}=${v.value}`)).toEqual([
      "api/api.response_time=259",
      "db/db.connections.in_use=44",
      "db/db.connections.max=100",
      "payments/payment.success_rate=90",
    ]);
    expect(snapshot.latest[0]).toMatchObject({ unit: "ms", tags: { route: "/x" }, ts: new Date(T0 - 1000).toISOString() });
  });

  it("latest values leave out series that went quiet", async () => {
    t.setNow(new Date(T0 + 600_000));
    expect(await loadLatestValues(t.ctx, t.ctx.now(), 300)).toEqual([]);
  });
});
