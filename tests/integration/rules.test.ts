import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { alertEvent, alertHistory, alertRule } from "@/db/schema";
import { acknowledgeAlert, listActiveAlerts, listAlertEvents, listAlertHistory, listRecentAlerts, resolveAlertByHand, type AppliedChange } from "@/lib/alerts/alert-lifecycle";
import { createSilence, expireSilence } from "@/lib/alerts/silences";
import { authenticate, ensureAdmin } from "@/lib/auth/users";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import type { Actor } from "@/lib/context";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { backtestSavedRule } from "@/lib/rules/backtest";
import { DEFAULT_RULES, seedDefaultRules } from "@/lib/rules/default-rules";
import { RuleEvaluator } from "@/lib/rules/rule-evaluator";
import { createRule, deleteRule, listRules, updateRule } from "@/lib/rules/rules";
import { soleLeader, type LeaderLease } from "@/lib/runtime/leader-lease";
import { openTestStore, type TestStore } from "../support/test-store";

const T0 = Date.parse("2026-01-05T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe("rules, evaluation and the alert lifecycle over the store", () => {
  let t: TestStore;
  let admin: Actor;
  let viewer: Actor;
  const cache = new SeriesCache();
  const write = (metric: string, value: number, second: number, service = "api") =>
    writeSamples(t.store, cache, [{ metric, service, tags: {}, value, ts: T0 + second * 1000 - 1 }]);
  const changes: AppliedChange[] = [];
  let evaluator: RuleEvaluator;
  /** One evaluation pass at `second`, as the live loop makes every second. */
  const passAt = async (second: number) => {
    t.setNow(at(second));
    const applied = await evaluator.tick();
    changes.push(...applied);
    return applied;
  };
  const rule = (body: Record<string, unknown>) => createRule(t.ctx, admin, { operator: ">", severity: "critical", window: "5s", aggregation: "last", ...body });

  beforeAll(async () => {
    t = await openTestStore(at(0));
    await ensureAdmin(t.ctx, "ops@shop.test", "ops-password");
    admin = await authenticate(t.ctx, new LoginThrottle(), { email: "ops@shop.test", password: "ops-password", address: "x" });
    viewer = { ...admin, role: "viewer" };
    evaluator = new RuleEvaluator(t.ctx, soleLeader, 1000, () => {});
  });
  afterAll(() => t.close());

  it("seeds the default rules once, into an empty table only", async () => {
    expect(await seedDefaultRules(t.ctx)).toBe(DEFAULT_RULES.length);
    expect(await seedDefaultRules(t.ctx)).toBe(0);
    // The defaults stay quiet in this file: it is about the rules it makes.
    await t.ctx.db.update(alertRule).set({ isActive: false });
  });

  describe("the rules API", () => {
    it("takes the API's fields and gives them back, durations as text", async () => {
      const created = await rule({ name: "queue deep", metric: "queue.depth", threshold: 50, clearThreshold: 30, for: "2m30s", window: 300, labels: { team: "ops" } });
      expect(created).toMatchObject({ name: "queue deep", window: "5m", for: "2m30s", keepFiringFor: "0s", noData: "keep", cooldownMinutes: 15, maxAlertsPerHour: 4, isActive: true });
      const { rule: updated } = await updateRule(t.ctx, admin, created.id, { isActive: false, for: "10s" });
      expect(updated).toMatchObject({ isActive: false, for: "10s", threshold: 50, labels: { team: "ops" } });
      expect((await listRules(t.ctx)).map((r) => r.name)).toContain("queue deep");
      await deleteRule(t.ctx, admin, created.id);
    });

    it.each([
      [{ aggregation: "ratio" }, "denominator", /needs the metric to divide by/],
      [{ aggregation: "avg", denominator: "x" }, "denominator", /only a ratio/],
      [{ clearThreshold: 200 }, "clearThreshold", /at or below the threshold/],
      [{ operator: "==", clearThreshold: 1 }, "clearThreshold", /no meaning/],
      [{ window: "5 minutes" }, "window", /a duration like/],
      [{ for: "3d" }, "for", /between 0s and 1d/],
      [{ metric: "has spaces" }, "metric", /letters, digits/],
      [{ channels: ["pager"] }, "channels[0]", /./],
    ])("refuses %j with a message at %s", async (body, path, message) => {
      const error = await rule({ name: "bad", metric: "m", threshold: 100, ...body }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "ZodError" });
      const issue = (error as { issues: { path: (string | number)[]; message: string }[] }).issues[0]!;
      expect(issue.path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(".[", "[")).toBe(path);
      expect(issue.message).toMatch(message);
    });

    it("allows an unknown metric, but not a dependency on an unknown rule or a cycle", async () => {
      const a = await rule({ name: "a", metric: "not.yet.reported", threshold: 1, isActive: false });
      const b = await rule({ name: "b", metric: "m", threshold: 1, dependsOn: [a.id], isActive: false });
      await expect(updateRule(t.ctx, admin, a.id, { dependsOn: [b.id] })).rejects.toThrow(/cycle/);
      await expect(updateRule(t.ctx, admin, a.id, { dependsOn: [a.id] })).rejects.toThrow(/itself/);
      await expect(rule({ name: "c", metric: "m", threshold: 1, dependsOn: ["00000000-0000-4000-8000-000000000009"] })).rejects.toThrow(/no rule/);
      await expect(deleteRule(t.ctx, admin, a.id)).rejects.toMatchObject({ code: "CONFLICT" });
      await deleteRule(t.ctx, admin, b.id);
      await deleteRule(t.ctx, admin, a.id);
    });

    it("a viewer cannot change rules", async () => {
      await expect(createRule(t.ctx, viewer, { name: "x", metric: "m", operator: ">", threshold: 1, severity: "info" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      const [any] = await listRules(t.ctx);
      await expect(updateRule(t.ctx, viewer, any!.id, { isActive: true })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(deleteRule(t.ctx, viewer, any!.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    });
  });

  describe("an incident, pass by pass", () => {
    let ruleId: string;
    let alertId: string;

    it("a sustained breach goes pending, then fires once `for` has passed; a continuing breach opens nothing new", async () => {
      ruleId = (await rule({ name: "checkout slow", metric: "checkout.latency", threshold: 1000, clearThreshold: 800, for: "2s" })).id;
      for (const second of [10, 11, 12, 13, 14]) await write("checkout.latency", 1500, second);
      expect((await passAt(10)).map((c) => c.alert?.status)).toEqual(["pending"]);
      expect(await passAt(11)).toEqual([]);
      const fired = await passAt(12);
      expect(fired.map((c) => [c.alert?.status, c.event?.name])).toEqual([
        ["firing", undefined],
        ["firing", "monitoring/alert.fired"],
      ]);
      alertId = fired[0]!.alert!.id;
      expect(fired[1]!.alert).toMatchObject({ notifyState: "notified", triggeredAt: at(10).toISOString(), firedAt: at(12).toISOString(), metricValue: 1500 });
      expect(await passAt(13)).toEqual([]);
      expect(await t.ctx.db.select().from(alertHistory).where(eq(alertHistory.ruleId, ruleId))).toHaveLength(1);
    });

    it("a value between the thresholds keeps it firing; past the clear threshold it resolves by itself", async () => {
      await write("checkout.latency", 900, 15);
      expect(await passAt(15)).toEqual([]);
      await write("checkout.latency", 700, 16);
      const [resolved] = await passAt(16);
      expect(resolved).toMatchObject({ alert: { id: alertId, status: "resolved", autoResolved: true }, event: { name: "monitoring/alert.resolved" } });
    });

    it("every step is in the alert's history, with its time", async () => {
      const events = await listAlertEvents(t.ctx, alertId);
      expect(events.map((e) => [e.fromStatus, e.toStatus, e.at.toISOString(), e.note])).toEqual([
        ["inactive", "pending", at(10).toISOString(), "last of checkout.latency is 1500 over 5s (alert when > 1000)"],
        ["pending", "firing", at(12).toISOString(), "last of checkout.latency is 1500 over 5s (alert when > 1000)"],
        ["firing", "firing", at(12).toISOString(), "announced"],
        ["firing", "resolved", at(16).toISOString(), "cleared: last of checkout.latency is 700 over 5s (alert when > 1000)"],
      ]);
    });

    it("a new breach within the cooldown fires but waits to be announced", async () => {
      await write("checkout.latency", 2000, 20);
      await passAt(20);
      await write("checkout.latency", 2000, 22);
      const second = await passAt(22);
      expect(second.at(-1)!.alert).toMatchObject({ status: "firing", notifyState: "cooldown" });
      expect(second.some((c) => c.event)).toBe(false); // held back: nothing for the notification workflow yet
      alertId = second.at(-1)!.alert!.id;
      expect((await listAlertEvents(t.ctx, alertId)).at(-1)!.note).toMatch(/^held back \(cooldown\): cooldown after the last alert until /);
    });

    it("acknowledging: admins only, a firing alert only, once", async () => {
      await expect(acknowledgeAlert(t.ctx, viewer, alertId)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(acknowledgeAlert(t.ctx, admin, "nope")).rejects.toThrow(/not an alert id/);
      await expect(acknowledgeAlert(t.ctx, admin, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "NOT_FOUND" });
      t.setNow(at(23));
      const { alert, event } = await acknowledgeAlert(t.ctx, admin, alertId);
      expect(alert).toMatchObject({ status: "acknowledged", acknowledgedBy: admin.id, acknowledgedAt: at(23).toISOString() });
      expect(event.name).toBe("monitoring/alert.acknowledged");
      await expect(acknowledgeAlert(t.ctx, admin, alertId)).rejects.toMatchObject({ code: "CONFLICT" });
    });

    it("a new leader picks up the firing alert from the store without firing it again", async () => {
      const successor = new RuleEvaluator(t.ctx, soleLeader, 1000, () => {});
      await write("checkout.latency", 2000, 24);
      t.setNow(at(24));
      expect(await successor.tick()).toEqual([]);
      expect((await listActiveAlerts(t.ctx)).map((a) => [a.id, a.status])).toEqual([[alertId, "acknowledged"]]);
    });

    it("resolving by hand keeps the notes; if the breach goes on, the next pass opens a new alert", async () => {
      await expect(resolveAlertByHand(t.ctx, viewer, alertId, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
      t.setNow(at(25));
      const { alert } = await resolveAlertByHand(t.ctx, admin, alertId, { notes: "restarted the checkout pods" });
      expect(alert).toMatchObject({ status: "resolved", resolvedBy: admin.id, autoResolved: false, resolutionNotes: "restarted the checkout pods" });
      await expect(resolveAlertByHand(t.ctx, admin, alertId, {})).rejects.toMatchObject({ code: "CONFLICT" });
      await write("checkout.latency", 2000, 26);
      const reopened = await passAt(26);
      expect(reopened[0]!.alert!.id).not.toBe(alertId);
      expect((await listAlertEvents(t.ctx, reopened[0]!.alert!.id))[0]).toMatchObject({ fromStatus: "resolved", toStatus: "pending" });
      // Switching the rule off closes what it had open.
      await write("checkout.latency", 2000, 28);
      expect((await passAt(28)).map((c) => c.alert!.status)).toEqual(["firing", "firing"]);
      const { closedAlerts } = await updateRule(t.ctx, admin, ruleId, { isActive: false });
      expect(closedAlerts.map((c) => [c.alert!.status, c.event!.name])).toEqual([["resolved", "monitoring/alert.resolved"]]);
      expect(await passAt(29)).toEqual([]);
      expect(await listActiveAlerts(t.ctx, { includePending: true })).toEqual([]);
    });
  });

  describe("silences and dependencies", () => {
    it("a silenced alert fires and shows, is recorded as silenced, and is announced when the silence ends", async () => {
      const silenced = await rule({ name: "batch slow", metric: "batch.latency", threshold: 10, service: "batch" });
      t.setNow(at(30));
      const s = await createSilence(t.ctx, admin, { matcher: { service: "batch" }, endsAt: at(90).toISOString(), reason: "nightly batch maintenance" });
      await write("batch.latency", 99, 31, "batch");
      const fired = await passAt(31);
      expect(fired.at(-1)!.alert).toMatchObject({ status: "firing", notifyState: "silenced", heldBy: s.id });
      await write("batch.latency", 99, 33, "batch");
      t.setNow(at(33));
      await expireSilence(t.ctx, admin, s.id);
      expect((await passAt(33)).at(-1)!.alert).toMatchObject({ notifyState: "notified" });
      await updateRule(t.ctx, admin, silenced.id, { isActive: false });
    });

    it("refuses a silence that would match everything, or that has already ended", async () => {
      await expect(createSilence(t.ctx, admin, { matcher: {}, endsAt: at(100).toISOString(), reason: "x" })).rejects.toThrow(/match at least/);
      await expect(createSilence(t.ctx, admin, { matcher: { metric: "m" }, endsAt: at(1).toISOString(), reason: "x" })).rejects.toThrow(/past/);
      await expect(createSilence(t.ctx, viewer, { matcher: { metric: "m" }, endsAt: at(100).toISOString(), reason: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    });

    it("while the database rule fires, the API rule that depends on it is inhibited; announced if it outlasts the cause", async () => {
      const database = await rule({ name: "database down", metric: "db.up", operator: "<", threshold: 1, service: "db" });
      const api = await rule({ name: "api errors", metric: "api.errors", threshold: 5, dependsOn: [database.id] });
      await write("db.up", 0, 40, "db");
      await write("api.errors", 50, 40);
      const both = await passAt(40);
      const decided = (name: string) => both.filter((c) => c.alert?.ruleName === name).at(-1)!;
      expect(decided("database down")).toMatchObject({ alert: { notifyState: "notified", heldBy: null }, event: { name: "monitoring/alert.fired" } });
      expect(decided("api errors")).toMatchObject({ alert: { notifyState: "inhibited", heldBy: database.id }, event: undefined });
      await write("db.up", 1, 41, "db");
      await write("api.errors", 50, 41);
      const after = await passAt(41);
      expect(after.filter((c) => c.event).map((c) => [c.alert!.ruleName, c.alert!.status, c.alert!.notifyState])).toEqual([
        ["database down", "resolved", "notified"],
        ["api errors", "firing", "notified"],
      ]);
      await updateRule(t.ctx, admin, api.id, { isActive: false, dependsOn: [] });
      await updateRule(t.ctx, admin, database.id, { isActive: false });
    });
  });

  describe("rules that change under their alerts", () => {
    it("relabelling a firing rule closes its old alert; the breach opens one under the new labels", async () => {
      const relabelled = await rule({ name: "stock low", metric: "stock.level", operator: "<", threshold: 5, labels: { team: "shop" } });
      await write("stock.level", 1, 50);
      const [opened] = await passAt(50);
      await updateRule(t.ctx, admin, relabelled.id, { labels: { team: "warehouse" } });
      await write("stock.level", 1, 51);
      const next = await passAt(51);
      expect(next[0]).toMatchObject({ alert: { id: opened!.alert!.id, status: "resolved", resolutionNotes: "closed: its rule was switched off or changed" }, event: { name: "monitoring/alert.resolved" } });
      expect(next.find((c) => c.alert?.status === "firing")!.alert).toMatchObject({ labels: { team: "warehouse" } });
      await updateRule(t.ctx, admin, relabelled.id, { isActive: false });
    });

    it("an alert acknowledged while held back is not announced when released", async () => {
      const held = await rule({ name: "disk full", metric: "disk.used", threshold: 90, service: "db" });
      t.setNow(at(60));
      const s = await createSilence(t.ctx, admin, { matcher: { ruleId: held.id }, endsAt: at(120).toISOString(), reason: "resizing the volume" });
      await write("disk.used", 95, 61, "db");
      const fired = (await passAt(61)).at(-1)!.alert!;
      expect(fired.notifyState).toBe("silenced");
      await acknowledgeAlert(t.ctx, admin, fired.id);
      await expireSilence(t.ctx, admin, s.id);
      await write("disk.used", 95, 62, "db");
      const released = await passAt(62);
      expect(released.map((c) => c.event)).toEqual([undefined]);
      expect((await listAlertEvents(t.ctx, fired.id)).at(-1)!.note).toBe("not announced: already acknowledged");
      await updateRule(t.ctx, admin, held.id, { isActive: false });
    });
  });

  it("an alert opened before fingerprints existed (an upgraded install) is adopted, not opened twice", async () => {
    const legacyRule = await rule({ name: "legacy", metric: "legacy.metric", threshold: 1 });
    const [legacy] = await t.ctx.db
      .insert(alertHistory)
      .values({ ruleId: legacyRule.id, fingerprint: "", severity: "critical", status: "firing", reason: "from before", metricValue: 9, triggeredAt: at(69), firedAt: at(69), notifyState: "notified" })
      .returning();
    const successor = new RuleEvaluator(t.ctx, soleLeader, 1000, () => {});
    await write("legacy.metric", 9, 70);
    t.setNow(at(70));
    expect(await successor.tick()).toEqual([]);
    const open = await listActiveAlerts(t.ctx);
    expect(open.filter((a) => a.ruleId === legacyRule.id).map((a) => [a.id, a.fingerprint !== ""])).toEqual([[legacy!.id, true]]);
    await updateRule(t.ctx, admin, legacyRule.id, { isActive: false });
  });

  describe("history and backtests", () => {
    it("pages through history newest first with filters and a cursor", async () => {
      const all = await listAlertHistory(t.ctx, { limit: "100" });
      expect(all.total).toBeGreaterThanOrEqual(4);
      const first = await listAlertHistory(t.ctx, { limit: "2" });
      const second = await listAlertHistory(t.ctx, { limit: "2", cursor: first.nextCursor! });
      expect([...first.alerts, ...second.alerts].map((a) => a.id)).toEqual(all.alerts.slice(0, 4).map((a) => a.id));
      const resolved = await listAlertHistory(t.ctx, { status: "resolved", severity: "critical" });
      expect(resolved.alerts.every((a) => a.status === "resolved" && a.severity === "critical")).toBe(true);
      await expect(listAlertHistory(t.ctx, { cursor: "garbage" })).rejects.toMatchObject({ code: "INVALID" });
      expect((await listRecentAlerts(t.ctx, at(0))).some((a) => a.status === "pending")).toBe(false);
    });

    it("backtests a rule, and an unsaved edit of it, over the last 24 hours of stored samples", async () => {
      const day = 86_400;
      const samples = [];
      // A day of a healthy value with one 5-minute excursion six hours ago.
      for (let s = -day + 60; s <= 0; s += 30) {
        const excursion = s > -6 * 3600 && s <= -6 * 3600 + 300;
        samples.push({ metric: "orders.failed", service: "shop", tags: {}, value: excursion ? 40 : 2, ts: T0 + 1_000_000 + s * 1000 });
      }
      await writeSamples(t.store, cache, samples);
      const saved = await rule({ name: "orders failing", metric: "orders.failed", threshold: 20, window: "1m", aggregation: "max", for: "1m", isActive: false });
      t.setNow(new Date(T0 + 1_000_000));
      const backtest = await backtestSavedRule(t.ctx, saved.id, { period: "24h" });
      expect(backtest.alerts).toHaveLength(1);
      const [alert] = backtest.alerts;
      expect(Date.parse(alert!.firedAt) - Date.parse(alert!.pendingAt)).toBe(60_000);
      expect(alert!.peak).toBe(40);
      expect(backtest.points.length).toBeLessThanOrEqual(500);
      expect(backtest.samplesRead).toBeGreaterThan(2800);
      // Before saving a higher threshold, the admin sees it would not have fired.
      expect((await backtestSavedRule(t.ctx, saved.id, { period: "24h", rule: { threshold: 50 } })).alerts).toEqual([]);
    });
  });

  describe("the evaluation loop", () => {
    it("does nothing while another instance leads", async () => {
      const follower: LeaderLease = { acquire: async () => false, release: async () => {} };
      expect(await new RuleEvaluator(t.ctx, follower, 1000, () => {}).tick()).toEqual([]);
    });

    it("evaluates every interval on its own and reports what changed", async () => {
      const onChange = vi.fn();
      await rule({ name: "loop test", metric: "loop.metric", threshold: 1 });
      t.setNow(at(300));
      await write("loop.metric", 5, 300);
      const loop = new RuleEvaluator(t.ctx, soleLeader, 20, onChange);
      loop.start();
      await vi.waitFor(() => expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ event: expect.objectContaining({ name: "monitoring/alert.fired" }) })));
      await loop.stop();
      expect(loop.stats.cycles).toBeGreaterThan(0);
      expect(loop.stats.lastRuleCount).toBeGreaterThan(0);
    });

    it("logs a failed pass and keeps going", async () => {
      const log = vi.spyOn(console, "error").mockImplementation(() => {});
      const broken = { ...t.ctx, db: { select: () => { throw new Error("store down"); } } } as unknown as typeof t.ctx;
      const loop = new RuleEvaluator(broken, soleLeader, 10, () => {});
      loop.start();
      await vi.waitFor(() => expect(log.mock.calls.length).toBeGreaterThan(1));
      await loop.stop();
      expect(log).toHaveBeenCalledWith("rule evaluation failed", expect.any(Error));
      log.mockRestore();
    });

    it("keeps the history rows of every step", async () => {
      expect((await t.ctx.db.select().from(alertEvent)).length).toBeGreaterThan(10);
    });
  });
});
