import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertRule, anomalyEvent, anomalyWatch } from "@/db/schema";
import { listActiveAlerts } from "@/lib/alerts/alert-lifecycle";
import { listAnomalies } from "@/lib/anomaly/events";
import { detectAnomalies } from "@/lib/anomaly/online";
import { ensureWatch, listWatches, seedDefaultWatches, unwatchSeries, watchSeries, DEFAULT_WATCHES } from "@/lib/anomaly/watches";
import { ensureAdmin, authenticate } from "@/lib/auth/users";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import type { Actor } from "@/lib/context";
import { seededRandom } from "@/lib/demo/seeded-random";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { loadDashboard } from "@/lib/metrics/dashboard";
import { loadTrends } from "@/lib/metrics/trends";
import { rollUpRange, rollUpRecent } from "@/lib/rollups/rollup";
import { RuleEvaluator } from "@/lib/rules/rule-evaluator";
import { createRule, updateRule } from "@/lib/rules/rules";
import { soleLeader } from "@/lib/runtime/leader-lease";
import { openTestStore, type TestStore } from "../support/test-store";

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
/** A Monday, so the history below spans weekdays. */
const START = Date.parse("2026-03-02T00:00:00Z");
const HISTORY_DAYS = 3.5;
const NOW = START + HISTORY_DAYS * DAY;

/** A traffic-shaped series: about 20 connections at night, 60 in the afternoon, with noise. */
function usualConnections(t: number, random: () => number): number {
  const hour = ((t % DAY) / DAY) * 24;
  return 40 - 20 * Math.cos(((hour - 3) / 24) * 2 * Math.PI) + (random() - 0.5) * 6;
}

describe("online anomaly detection over the store", () => {
  let t: TestStore;
  let admin: Actor;
  const cache = new SeriesCache();
  const random = seededRandom(7);
  /** One sample a minute for db.connections.in_use in [from, to), `shape` giving the value. */
  const write = async (from: number, to: number, shape: (t: number) => number) => {
    const samples = [];
    for (let ts = from; ts < to; ts += MINUTE) samples.push({ metric: "db.connections.in_use", service: "postgres", tags: {}, value: shape(ts), ts: ts + 30_000 });
    for (let i = 0; i < samples.length; i += 5000) await writeSamples(t.store, cache, samples.slice(i, i + 5000));
    await rollUpRange(t.store, new Date(from), new Date(to));
  };
  /** A minute of data at `minute` past NOW, then the detection run that follows its end. */
  const liveMinute = async (minute: number, shape: (t: number) => number) => {
    const from = NOW + minute * MINUTE;
    await write(from, from + MINUTE, shape);
    t.setNow(new Date(from + MINUTE + 2000));
    return detectAnomalies(t.ctx, t.ctx.now(), "UTC");
  };

  /** An anomaly rule on the DB connections series at the detection threshold. */
  const anomalyRule = (over: Record<string, unknown>) =>
    createRule(t.ctx, admin, { kind: "anomaly", metric: "db.connections.in_use", service: "postgres", aggregation: "avg", operator: ">=", threshold: 0.5, ...over });

  beforeAll(async () => {
    t = await openTestStore(new Date(NOW));
    await ensureAdmin(t.ctx, "ops@shop.test", "ops-password");
    admin = await authenticate(t.ctx, new LoginThrottle(), { email: "ops@shop.test", password: "ops-password", address: "x" });
    await write(START, NOW, (ts) => usualConnections(ts, random));
  });
  afterAll(() => t.close());

  it("seeds the dashboard's critical metrics as default watches, once", async () => {
    await seedDefaultWatches(t.ctx);
    await t.ctx.db.update(anomalyWatch).set({ isActive: false }).where(eq(anomalyWatch.metric, "payment.success_rate"));
    await seedDefaultWatches(t.ctx);
    const watches = await listWatches(t.ctx);
    expect(watches.filter((w) => w.isDefault).map((w) => [w.metric, w.stat])).toEqual(
      expect.arrayContaining(DEFAULT_WATCHES.map((w) => [w.metric, w.stat])),
    );
    // One an admin switched off stays off.
    expect(watches.find((w) => w.metric === "payment.success_rate")!.isActive).toBe(false);
    await t.ctx.db.update(anomalyWatch).set({ isActive: false });
  });

  it("learns a new watch from the history there is, and finds nothing unusual in a usual week", async () => {
    const { watch, created } = await watchSeries(t.ctx, admin, { metric: "db.connections.in_use", service: "postgres", label: "DB connections" });
    expect(created).toBe(true);
    const result = await detectAnomalies(t.ctx, new Date(NOW), "Europe/Berlin");
    expect(result.judged).toBe(HISTORY_DAYS * 1440);
    expect(result.opened).toBe(0);
    const [stored] = await listWatches(t.ctx).then((ws) => ws.filter((w) => w.id === watch.id));
    expect(stored!.learnedMinutes).toBe(HISTORY_DAYS * 1440 - 1);
    // Its profiles follow the configured zone's wall clock, and keep it: the later runs here pass
    // "UTC", which only changes how explanations are written.
    const [row] = await t.ctx.db.select().from(anomalyWatch).where(eq(anomalyWatch.id, watch.id));
    expect(row!.detector!.options.timeZone).toBe("Europe/Berlin");
    // A second run at the same instant has nothing left to judge: each minute is judged once.
    expect((await detectAnomalies(t.ctx, new Date(NOW), "UTC")).judged).toBe(0);
  });

  it("rejects anomaly rules that cannot mean anything, with the field named", async () => {
    const base = { name: "odd", kind: "anomaly", metric: "db.connections.in_use", service: "postgres", aggregation: "avg", operator: ">=", threshold: 0.8, severity: "warning" };
    for (const [change, path] of [
      [{ aggregation: "max" }, "aggregation"],
      [{ threshold: 2 }, "threshold"],
      [{ operator: "<" }, "operator"],
      [{ clearThreshold: 0.5 }, "clearThreshold"],
      [{ tags: { env: "prod" } }, "tags"],
    ] as const) {
      await expect(createRule(t.ctx, admin, { ...base, ...change })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: [path] })] });
    }
  });

  it("opens an anomaly within two minutes of a spike, explains it, pages through an anomaly rule, and resolves both when it passes", async () => {
    const rule = await anomalyRule({ name: "DB connections unusual", for: "1m", severity: "warning" });
    const evaluator = new RuleEvaluator(t.ctx, soleLeader, 1000, () => {});
    await evaluator.tick();
    expect(await listActiveAlerts(t.ctx, { includePending: true })).toEqual([]);

    const spike = (ts: number) => 3.5 * usualConnections(ts, random);
    const opened: number[] = [];
    for (let minute = 0; minute < 5; minute++) {
      if ((await liveMinute(minute, spike)).opened > 0) opened.push(minute);
      await evaluator.tick();
    }
    expect(opened).toHaveLength(1);
    expect(opened[0]).toBeLessThanOrEqual(1);
    const [anomaly] = await listAnomalies(t.ctx, { since: new Date(NOW), openOnly: true });
    const [watchRow] = await t.ctx.db.select().from(anomalyWatch).where(eq(anomalyWatch.id, anomaly!.watchId));
    expect(watchRow!.detector!.options.timeZone).toBe("Europe/Berlin");
    expect(anomaly!.explanation).toMatch(/^DB connections \d+(\.\d)?× the usual (for \d\d:\d\d|for \w+day \d\d:\d\d|lately)$/);
    expect(anomaly!.peakScore).toBeGreaterThanOrEqual(0.5);
    // The live dashboard lists it as unusual now.
    expect((await loadDashboard(t.ctx)).anomalies.map((a) => a.id)).toEqual([anomaly!.id]);

    // The rule waited out its `for` of a minute on the detector's score, then fired with the explanation.
    const [alert] = await listActiveAlerts(t.ctx);
    expect(alert).toMatchObject({ ruleId: rule.id, status: "firing" });
    expect(alert!.reason).toContain(anomaly!.explanation);

    // While an anomaly rule watches the series, it cannot be unwatched.
    await expect(unwatchSeries(t.ctx, admin, anomaly!.watchId)).rejects.toMatchObject({ code: "CONFLICT" });

    let resolvedAt = -1;
    for (let minute = 5; minute < 25 && resolvedAt < 0; minute++) {
      if ((await liveMinute(minute, (ts) => usualConnections(ts, random))).resolved > 0) resolvedAt = minute;
    }
    // Not while the spike lasts (minutes 0-4); five calm minutes in a row close it.
    expect(resolvedAt).toBeGreaterThanOrEqual(5);
    expect(resolvedAt).toBeLessThan(15);
    await evaluator.tick();
    expect(await listActiveAlerts(t.ctx)).toEqual([]);
    const [ended] = await t.ctx.db.select().from(anomalyEvent);
    expect(ended!.endedAt).not.toBeNull();
    // The drop back to normal was a surprise too, but the explanation still tells of the spike.
    expect(ended!.explanation).toMatch(/× the usual/);

    // The trends page's database chart carries it as a marker.
    const trends = await loadTrends(t.ctx, "24h", "UTC");
    const database = trends.charts.find((c) => c.key === "database")!;
    expect(database.anomalies.map((a) => a.anomalyId)).toEqual([anomaly!.id]);
    expect(database.alerts.map((a) => a.ruleName)).toEqual(["DB connections unusual"]);
    expect(trends.anomalies.map((a) => a.id)).toEqual([anomaly!.id]);

    await updateRule(t.ctx, admin, rule.id, { isActive: false });
    await unwatchSeries(t.ctx, admin, anomaly!.watchId);
    expect((await t.ctx.db.select().from(alertRule).where(eq(alertRule.id, rule.id)))[0]!.isActive).toBe(false);
  });

  it("gives an anomaly rule no data while its detector is not keeping up", async () => {
    t.setNow(new Date(NOW + 60 * MINUTE));
    const rule = await anomalyRule({ name: "stale", noData: "alert", severity: "info" });
    const evaluator = new RuleEvaluator(t.ctx, soleLeader, 1000, () => {});
    await evaluator.tick();
    const [alert] = await listActiveAlerts(t.ctx);
    expect(alert).toMatchObject({ ruleId: rule.id });
    expect(alert!.reason).toMatch(/no anomaly score .* judged nothing lately/);
  });
});

describe("online detection and late samples", () => {
  it("resolves an anomaly whose series stops reporting, and judges nothing for a watch switched off", async () => {
    const t = await openTestStore(new Date(NOW));
    try {
      await ensureAdmin(t.ctx, "ops@shop.test", "ops-password");
      const admin = await authenticate(t.ctx, new LoginThrottle(), { email: "ops@shop.test", password: "ops-password", address: "x" });
      const cache = new SeriesCache();
      const random = seededRandom(3);
      const write = async (from: number, to: number, factor: number) => {
        const samples = [];
        for (let ts = from; ts < to; ts += MINUTE) samples.push({ metric: "db.connections.in_use", service: "postgres", tags: {}, value: factor * usualConnections(ts, random), ts: ts + 30_000 });
        for (let i = 0; i < samples.length; i += 5000) await writeSamples(t.store, cache, samples.slice(i, i + 5000));
        await rollUpRange(t.store, new Date(from), new Date(to));
      };
      await write(START, NOW, 1);
      const { watch } = await watchSeries(t.ctx, admin, { metric: "db.connections.in_use", service: "postgres" });
      await write(NOW, NOW + 2 * MINUTE, 4);
      expect((await detectAnomalies(t.ctx, new Date(NOW + 2 * MINUTE), "UTC")).opened).toBe(1);
      // Then nothing: the series went quiet. Five minutes without data are five calm ones.
      expect((await detectAnomalies(t.ctx, new Date(NOW + 6 * MINUTE), "UTC")).resolved).toBe(0);
      expect((await detectAnomalies(t.ctx, new Date(NOW + 7 * MINUTE), "UTC")).resolved).toBe(1);

      await unwatchSeries(t.ctx, admin, watch.id);
      await write(NOW + 7 * MINUTE, NOW + 9 * MINUTE, 4);
      expect(await detectAnomalies(t.ctx, new Date(NOW + 9 * MINUTE), "UTC")).toEqual({ watches: 0, judged: 0, opened: 0, resolved: 0 });
      expect(await listAnomalies(t.ctx, { since: new Date(NOW), openOnly: true })).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it("does not judge minutes whose late samples are still waiting for the rollup", async () => {
    const t = await openTestStore(new Date(NOW));
    try {
      await watchSeriesAs(t, { metric: "queue.depth", service: null });
      const cache = new SeriesCache();
      // Samples an hour old are written as a backfill, marked for the next rollup run.
      await writeSamples(t.store, cache, [{ metric: "queue.depth", service: "worker", tags: {}, value: 3, ts: NOW - 60 * MINUTE }], { from: new Date(NOW - 60 * MINUTE), to: new Date(NOW - 59 * MINUTE) });
      expect((await detectAnomalies(t.ctx, new Date(NOW), "UTC")).judged).toBe(0);
      const [before] = await t.ctx.db.select().from(anomalyWatch);
      expect(before!.judgedTo!.getTime()).toBeLessThan(NOW - 60 * MINUTE);
      // Once the rollup has folded them in, their minute is judged with them.
      await rollUpRecent(t.store, new Date(NOW));
      expect((await detectAnomalies(t.ctx, new Date(NOW), "UTC")).judged).toBe(1);
    } finally {
      await t.close();
    }
  });
});

async function watchSeriesAs(t: TestStore, series: { metric: string; service: string | null }) {
  await t.ctx.db.transaction((tx) => ensureWatch(tx, { ...series, stat: "avg" }, t.ctx.now()));
}
