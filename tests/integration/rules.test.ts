import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { alertRule } from "@/db/schema";
import { acknowledgeAlert, listActiveAlerts, listRecentAlerts } from "@/lib/alerts/alert-lifecycle";
import { ensureAdmin, authenticate } from "@/lib/auth/users";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import type { Actor } from "@/lib/context";
import type { Sample } from "@/lib/ingest/batch-schema";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { aggregateWindow } from "@/lib/metrics/aggregate";
import { DEFAULT_RULES, seedDefaultRules } from "@/lib/rules/default-rules";
import { evaluateAllRules, RuleEvaluator } from "@/lib/rules/rule-evaluator";
import { soleLeader, type LeaderLease } from "@/lib/runtime/leader-lease";
import { openTestStore, type TestStore } from "../support/test-store";

const T0 = Date.parse("2026-01-05T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe("rules and alerts", () => {
  let t: TestStore;
  let admin: Actor;
  const cache = new SeriesCache();
  const write = (samples: Omit<Sample, "service" | "tags">[], service = "api") =>
    writeSamples(t.store, cache, samples.map((s) => ({ service, tags: {}, ...s })));

  beforeAll(async () => {
    t = await openTestStore(at(0));
    await ensureAdmin(t.ctx, "ops@shop.test", "ops-password");
    admin = await authenticate(t.ctx, new LoginThrottle(), { email: "ops@shop.test", password: "ops-password", address: "x" });
  });
  afterAll(() => t.close());

  it("seeds the default rules once, into an empty table only", async () => {
    expect(await seedDefaultRules(t.ctx)).toBe(DEFAULT_RULES.length);
    expect(await seedDefaultRules(t.ctx)).toBe(0);
  });

  it("aggregates a window with each function", async () => {
    await write([1, 2, 3, 4, 100].map((value, i) => ({ metric: "agg.test", value, ts: T0 - 10_000 + i * 1000 })));
    const q = (aggregation: Parameters<typeof aggregateWindow>[1]["aggregation"]) =>
      aggregateWindow(t.ctx.db, { metric: "agg.test", service: null, aggregation, from: at(-60), to: at(0) }).then((r) => r.value);
    expect(await q("last")).toBe(100);
    expect(await q("avg")).toBe(22);
    expect(await q("min")).toBe(1);
    expect(await q("max")).toBe(100);
    expect(await q("sum")).toBe(110);
    expect(await q("count")).toBe(5);
    expect(await q("p50")).toBe(3);
    expect(await q("p90")).toBeCloseTo(61.6);
    expect(await q("p95")).toBeCloseTo(80.8);
    expect(await q("p99")).toBeCloseTo(96.16);
    const scoped = await aggregateWindow(t.ctx.db, { metric: "agg.test", service: "other", aggregation: "count", from: at(-60), to: at(0) });
    expect(scoped).toEqual({ value: 0, sampleCount: 0 });
    const empty = await aggregateWindow(t.ctx.db, { metric: "agg.test", service: null, aggregation: "avg", from: at(-600), to: at(-300) });
    expect(empty).toEqual({ value: null, sampleCount: 0 });
  });

  it("opens an alert on breach, keeps one while it lasts, resolves when it clears", async () => {
    t.setNow(at(100));
    await write([2400, 2600, 2500].map((value, i) => ({ metric: "api.response_time", value, ts: T0 + 95_000 + i })));
    const fired = (await evaluateAllRules(t.ctx)).find((o) => o.decision.action === "fire");
    expect(fired?.alert).toMatchObject({ ruleName: "API response time p95 > 1000 ms", status: "firing", severity: "warning" });
    expect(fired!.alert!.metricValue).toBeGreaterThan(2400);
    expect(fired!.alert!.triggeredAt).toBe(at(100).toISOString());

    t.setNow(at(101));
    expect((await evaluateAllRules(t.ctx)).some((o) => o.alert)).toBe(false);
    expect(await listActiveAlerts(t.ctx)).toHaveLength(1);

    // 60 s later the slow samples have left the window and fast ones are in it.
    t.setNow(at(170));
    await write([120, 130, 110].map((value, i) => ({ metric: "api.response_time", value, ts: T0 + 165_000 + i })));
    const resolved = (await evaluateAllRules(t.ctx)).find((o) => o.decision.action === "resolve");
    expect(resolved?.alert).toMatchObject({ status: "resolved", resolvedAt: at(170).toISOString() });
    expect(await listActiveAlerts(t.ctx)).toHaveLength(0);
    expect((await listRecentAlerts(t.ctx, at(0))).map((a) => a.status)).toEqual(["resolved"]);
    expect(await listRecentAlerts(t.ctx, at(150))).toHaveLength(0);
  });

  it("a rule scoped to one service ignores the others, and inactive rules are not evaluated", async () => {
    const [scoped] = await t.ctx.db
      .insert(alertRule)
      .values({ name: "checkout errors", metric: "errors", service: "checkout", aggregation: "max", windowSeconds: 30, comparison: ">=", threshold: 1, severity: "critical" })
      .returning();
    await t.ctx.db
      .insert(alertRule)
      .values({ name: "disabled", metric: "errors", aggregation: "max", comparison: ">=", threshold: 1, severity: "info", isActive: false });
    t.setNow(at(200));
    await write([{ metric: "errors", value: 5, ts: T0 + 195_000 }], "search");
    let outcomes = await evaluateAllRules(t.ctx);
    expect(outcomes.find((o) => o.ruleId === scoped!.id)?.decision.action).toBe("none");
    expect(outcomes.some((o) => o.alert?.ruleName === "disabled")).toBe(false);
    await write([{ metric: "errors", value: 2, ts: T0 + 196_000 }], "checkout");
    outcomes = await evaluateAllRules(t.ctx);
    expect(outcomes.find((o) => o.ruleId === scoped!.id)?.alert).toMatchObject({ severity: "critical" });
  });

  describe("acknowledging", () => {
    let alertId: string;
    beforeEach(async () => {
      alertId = (await listActiveAlerts(t.ctx))[0]!.id;
    });

    it("a viewer may not; a bad id is 400; an unknown id 404", async () => {
      await expect(acknowledgeAlert(t.ctx, { ...admin, role: "viewer" }, alertId)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(acknowledgeAlert(t.ctx, admin, "nope")).rejects.toThrow(/not an alert id/);
      await expect(acknowledgeAlert(t.ctx, admin, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("an admin acknowledges a firing alert once", async () => {
      t.setNow(at(210));
      const acked = await acknowledgeAlert(t.ctx, admin, alertId);
      expect(acked).toMatchObject({ status: "acknowledged", acknowledgedAt: at(210).toISOString() });
      await expect(acknowledgeAlert(t.ctx, admin, alertId)).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await t.store.query("select action, target from audit_log")).toEqual([{ action: "alert.acknowledge", target: alertId }]);
    });
  });

  describe("RuleEvaluator", () => {
    it("does nothing while another instance leads", async () => {
      const follower: LeaderLease = { acquire: async () => false, release: async () => {} };
      const evaluator = new RuleEvaluator(t.ctx, follower, 1000, () => {});
      expect(await evaluator.tick()).toEqual([]);
    });

    it("evaluates on its own every interval and reports alerts", async () => {
      const onAlert = vi.fn();
      t.setNow(at(300));
      await write([{ metric: "payment.success_rate", value: 80, ts: T0 + 299_000 }], "payments");
      const evaluator = new RuleEvaluator(t.ctx, soleLeader, 20, onAlert);
      evaluator.start();
      await vi.waitFor(() => expect(onAlert).toHaveBeenCalledWith(expect.objectContaining({ ruleName: "Payment success rate < 95%" })));
      await evaluator.stop();
    });

    it("logs a failed pass and keeps going", async () => {
      const log = vi.spyOn(console, "error").mockImplementation(() => {});
      const broken = { ...t.ctx, db: { select: () => { throw new Error("store down"); } } } as unknown as typeof t.ctx;
      const evaluator = new RuleEvaluator(broken, soleLeader, 10, () => {});
      evaluator.start();
      await vi.waitFor(() => expect(log.mock.calls.length).toBeGreaterThan(1));
      await evaluator.stop();
      expect(log).toHaveBeenCalledWith("rule evaluation failed", expect.any(Error));
      log.mockRestore();
    });
  });
});
