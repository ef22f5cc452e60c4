import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sample } from "@/lib/ingest/batch-schema";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { loadHistory, loadHistoryFromRaw } from "@/lib/metrics/history";
import { enforceRetention, lateSpan, mergeSpans, rollUpRange, rollUpRecent } from "@/lib/rollups/rollup";
import { RELATIVE_ACCURACY } from "@/lib/rollups/sketch";
import { openTestStore, type TestStore } from "../support/test-store";

const NOW = new Date("2026-03-10T12:00:30Z");
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** One latency sample every 10 s for each of two routes over `hours` hours before NOW. */
function latencies(hours: number): Sample[] {
  const samples: Sample[] = [];
  const start = NOW.getTime() - hours * HOUR;
  for (let ts = start, i = 0; ts < NOW.getTime(); ts += 10_000, i++) {
    for (const route of ["/api/pay", "/api/products"]) {
      samples.push({ metric: "api.response_time", service: "shop", unit: "ms", tags: { route }, value: 50 + ((i * 37) % 400), ts });
    }
  }
  return samples;
}

describe("rollups and history", () => {
  let t: TestStore;
  const cache = new SeriesCache();
  const samples = latencies(30);

  beforeAll(async () => {
    t = await openTestStore(NOW);
    for (let i = 0; i < samples.length; i += 5000) await writeSamples(t.store, cache, samples.slice(i, i + 5000));
    await rollUpRange(t.store, new Date(NOW.getTime() - 31 * HOUR), NOW);
    await rollUpRecent(t.store, NOW);
  });
  afterAll(() => t.close());

  it("folds every raw sample into exactly one minute and one hour", async () => {
    const [minute] = await t.store.query<{ n: string; s: number }>("select sum(count) as n, sum(sum) as s from rollup_1m");
    const [hour] = await t.store.query<{ n: string; s: number }>("select sum(count) as n, sum(sum) as s from rollup_1h");
    const rawSum = samples.reduce((s, x) => s + x.value, 0);
    expect(Number(minute!.n)).toBe(samples.length);
    expect(Number(hour!.n)).toBe(samples.length);
    expect(Number(minute!.s)).toBeCloseTo(rawSum, 3);
    expect(Number(hour!.s)).toBeCloseTo(rawSum, 3);
  });

  it("rebuilding a span is idempotent", async () => {
    await rollUpRange(t.store, new Date(NOW.getTime() - 2 * HOUR), NOW);
    const [hour] = await t.store.query<{ n: string }>("select sum(count) as n from rollup_1h");
    expect(Number(hour!.n)).toBe(samples.length);
  });

  it("answers each period from the right source with a few hundred points at most", async () => {
    for (const [period, source] of [["1h", "raw"], ["24h", "rollup_1m"], ["7d", "rollup_1h"], ["30d", "rollup_1h"]] as const) {
      const history = await loadHistory(t.ctx, { metric: "api.response_time", service: "shop", period });
      expect(history.source).toBe(source);
      expect(history.points.length).toBeGreaterThan(100);
      expect(history.points.length).toBeLessThanOrEqual(300);
      const counted = history.points.reduce((n, p) => n + p.count, 0);
      expect(counted).toBeGreaterThan(0);
    }
  });

  it("percentiles from rollups agree with the raw rows within the sketch's accuracy", async () => {
    const query = { metric: "api.response_time", service: "shop", period: "7d" as const };
    const fromRollups = await loadHistory(t.ctx, query);
    const fromRaw = new Map((await loadHistoryFromRaw(t.ctx, query)).map((p) => [p.t, p]));
    const full = fromRollups.points.filter((p) => p.count === 720);
    expect(full.length).toBeGreaterThanOrEqual(28);
    for (const point of full) {
      const raw = fromRaw.get(point.t)!;
      expect(raw.count).toBe(point.count);
      expect(point.avg).toBeCloseTo(raw.avg!, 6);
      expect(point.max).toBe(raw.max);
      // percentile_cont interpolates; the sketch picks a bucket: allow accuracy plus one step of the data.
      expect(Math.abs(point.p95! - raw.p95!) / raw.p95!).toBeLessThanOrEqual(RELATIVE_ACCURACY + 0.01);
    }
  });

  it("filters by tag and keeps empty buckets as gaps", async () => {
    const pay = await loadHistory(t.ctx, { metric: "api.response_time", service: null, tags: { route: "/api/pay" }, period: "30d" });
    const all = await loadHistory(t.ctx, { metric: "api.response_time", service: null, period: "30d" });
    const sum = (h: typeof pay) => h.points.reduce((n, p) => n + p.count, 0);
    expect(sum(pay) * 2).toBe(sum(all));
    expect(pay.points.some((p) => p.count === 0 && p.p95 === null)).toBe(true);
  });

  it("late samples are marked and folded in by the next run", async () => {
    const late: Sample[] = [{ metric: "jobs.backfilled", service: "shop", unit: undefined, tags: {}, value: 7, ts: NOW.getTime() - 5 * HOUR }];
    expect(lateSpan(late, NOW)).not.toBeNull();
    await writeSamples(t.store, cache, late, lateSpan(late, NOW));
    expect(await rollUpRecent(t.store, NOW)).toEqual({ backfilledSpans: 1 });
    const history = await loadHistory(t.ctx, { metric: "jobs.backfilled", service: "shop", period: "24h" });
    expect(history.points.reduce((n, p) => n + (p.sum ?? 0), 0)).toBe(7);
    const [marks] = await t.store.query<{ n: string }>("select count(*) as n from rollup_backfill");
    expect(Number(marks!.n)).toBe(0);
  });

  it("a job that stalled picks up from where it got, not just the trailing minutes", async () => {
    const metric = "jobs.stalled";
    const stallStart = NOW.getTime() + 10 * MINUTE;
    await rollUpRecent(t.store, new Date(stallStart)); // the last run before the stall
    const onTime: Sample[] = Array.from({ length: 10 }, (_, i) => ({ metric, service: "shop", unit: undefined, tags: {}, value: 1, ts: stallStart + (i + 1) * MINUTE }));
    await writeSamples(t.store, cache, onTime); // on time: no backfill marks
    await rollUpRecent(t.store, new Date(stallStart + 12 * MINUTE)); // ten minutes later
    const [rolled] = await t.store.query<{ n: string }>(
      "select sum(count) as n from rollup_1m join series on series.id = rollup_1m.series_id where series.name = $1",
      [metric],
    );
    expect(Number(rolled!.n)).toBe(10);
  });

  it("a late sample older than the raw retention never overwrites complete rollups", async () => {
    const metric = "jobs.expired";
    const hourStart = Math.floor((NOW.getTime() - 29 * HOUR) / HOUR) * HOUR;
    const full: Sample[] = Array.from({ length: 60 }, (_, i) => ({ metric, service: "shop", unit: undefined, tags: {}, value: 2, ts: hourStart + i * MINUTE }));
    await writeSamples(t.store, cache, full);
    await rollUpRange(t.store, new Date(hourStart), new Date(hourStart + HOUR));
    await t.store.query("delete from sample where series_id = (select id from series where name = $1)", [metric]); // past raw retention
    const late: Sample[] = [{ metric, service: "shop", unit: undefined, tags: {}, value: 2, ts: hourStart + 30 * MINUTE }];
    await writeSamples(t.store, cache, late, lateSpan(late, NOW));
    await rollUpRecent(t.store, NOW, { rawDays: 1, minuteDays: 30, hourDays: 365 });
    const [hour] = await t.store.query<{ n: number }>(
      "select count as n from rollup_1h join series on series.id = rollup_1h.series_id where series.name = $1",
      [metric],
    );
    expect(Number(hour!.n)).toBe(60);
  });

  it("recent samples are not marked late", () => {
    expect(lateSpan([{ metric: "a", service: "s", unit: undefined, tags: {}, value: 1, ts: NOW.getTime() - 5000 }], NOW)).toBeNull();
  });

  it("merges overlapping and adjacent spans", () => {
    expect(mergeSpans([{ from: 5 * MINUTE, to: 6 * MINUTE }, { from: 0, to: MINUTE }, { from: MINUTE + 10, to: 2 * MINUTE }])).toEqual([
      { from: 0, to: 2 * MINUTE },
      { from: 5 * MINUTE, to: 6 * MINUTE },
    ]);
  });

  it("retention deletes raw rows and rollups past their age, and nothing younger", async () => {
    const later = new Date(NOW.getTime() + 7 * 24 * HOUR - 10 * HOUR); // raw older than 7 d: the first 20 hours
    const [before] = await t.store.query<{ n: string }>("select count(*) as n from sample");
    const [hoursBefore] = await t.store.query<{ n: string }>("select sum(count) as n from rollup_1h");
    const result = await enforceRetention(t.store, later, { rawDays: 7, minuteDays: 7, hourDays: 365 });
    const [left] = await t.store.query<{ n: string; oldest: Date }>("select count(*) as n, min(ts) as oldest from sample");
    expect(result.raw).toBeGreaterThan(0);
    expect(result.hour).toBe(0);
    expect(new Date(left!.oldest).getTime()).toBeGreaterThanOrEqual(later.getTime() - 7 * 24 * HOUR);
    expect(result.raw + Number(left!.n)).toBe(Number(before!.n));
    const [hours] = await t.store.query<{ n: string }>("select sum(count) as n from rollup_1h");
    expect(Number(hours!.n)).toBe(Number(hoursBefore!.n));
  });
});
