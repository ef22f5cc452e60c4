import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertRule, user } from "@/db/schema";
import { ensureAdmin } from "@/lib/auth/users";
import type { Actor } from "@/lib/context";
import { pinMetric, unpinMetric } from "@/lib/metrics/pins";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { loadDashboard, loadLatestValues } from "@/lib/metrics/dashboard";
import { seedDefaultRules } from "@/lib/rules/default-rules";
import { RuleEvaluator } from "@/lib/rules/rule-evaluator";
import { soleLeader } from "@/lib/runtime/leader-lease";
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
    // Two passes 10 s apart: the payment rule's breach must last its `for` (10 s) to fire.
    const evaluator = new RuleEvaluator(t.ctx, soleLeader, 1000, () => {});
    t.setNow(new Date(T0 - 10_000));
    await evaluator.tick();
    t.setNow(new Date(T0));
    await evaluator.tick();

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

  it("colours each card from the rules that watch it, whatever their aggregation", async () => {
    // The pool is 44 % full: the default ratio rule (> 90 %) is satisfied, so green.
    expect((await loadDashboard(t.ctx)).cards[2]).toMatchObject({ key: "db-pool", state: "ok" });
    expect((await loadDashboard(t.ctx)).cards[2]!.rules).toEqual([
      expect.objectContaining({ ruleName: "DB connection pool > 90% in use", aggregation: "ratio", value: expect.closeTo(42, 0), breached: false }),
    ]);
    // A stricter rule of the admin's own turns it amber; deactivating it, green again.
    const [strict] = await t.ctx.db
      .insert(alertRule)
      .values({ name: "pool above 40", metric: "db.connections.in_use", aggregation: "max", windowSeconds: 60, comparison: ">", threshold: 40, severity: "warning" })
      .returning();
    const pool = (await loadDashboard(t.ctx)).cards[2]!;
    expect(pool.state).toBe("warning");
    expect(pool.rules.find((r) => r.ruleName === "pool above 40")).toMatchObject({ value: 44, breached: true, alertOpen: false });
    await t.ctx.db.update(alertRule).set({ isActive: false }).where(eq(alertRule.id, strict!.id));
    expect((await loadDashboard(t.ctx)).cards[2]!.state).toBe("ok");
  });

  it("adds a card per pinned metric, after the built-in ones, unwatched until a rule watches it", async () => {
    await ensureAdmin(t.ctx, "pins@x.test", "password-1");
    const [row] = await t.ctx.db.select().from(user).where(eq(user.email, "pins@x.test"));
    const admin: Actor = { id: row!.id, email: "pins@x.test", role: "admin" };

    const { pin, created } = await pinMetric(t.ctx, admin, { metric: "db.connections.max", service: "db" });
    expect(created).toBe(true);
    expect((await pinMetric(t.ctx, admin, { metric: "db.connections.max", service: "db" })).created).toBe(false);
    let cards = (await loadDashboard(t.ctx)).cards;
    expect(cards.map((c) => c.key)).toEqual(["payments", "api", "db-pool", `pin-${pin.id}`]);
    expect(cards[3]).toMatchObject({ title: "db.connections.max (db)", value: 100, state: "unwatched", pinId: pin.id });

    await t.ctx.db
      .insert(alertRule)
      .values({ name: "pool shrank", metric: "db.connections.max", service: "db", comparison: "<", threshold: 150, severity: "critical" });
    cards = (await loadDashboard(t.ctx)).cards;
    expect(cards[3]).toMatchObject({ state: "critical" });

    await expect(pinMetric(t.ctx, { ...admin, role: "viewer" }, { metric: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(pinMetric(t.ctx, admin, { metric: "bad name!" })).rejects.toThrow();
    await unpinMetric(t.ctx, admin, pin.id);
    expect((await loadDashboard(t.ctx)).cards).toHaveLength(3);
    await expect(unpinMetric(t.ctx, admin, pin.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("latest values leave out series that went quiet", async () => {
    t.setNow(new Date(T0 + 600_000));
    expect(await loadLatestValues(t.ctx, t.ctx.now(), 300)).toEqual([]);
  });
});
