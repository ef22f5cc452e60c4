import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGGREGATIONS } from "@/db/schema";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { seededRandom } from "@/lib/demo/seeded-random";
import { MemoryWindows } from "@/lib/rules/memory-windows";
import { observeWindows, type WindowSpec } from "@/lib/rules/observe";
import { openTestStore, type TestStore } from "../support/test-store";

const T0 = Date.parse("2026-01-05T10:00:00Z");

/** The live evaluator reads windows with SQL, rules:replay and backtests from memory: they must agree. */
describe("rule windows: SQL and memory agree", () => {
  let t: TestStore;
  const memory = new MemoryWindows();
  const random = seededRandom(7);

  beforeAll(async () => {
    t = await openTestStore(new Date(T0));
    const samples = [];
    let counter = 0;
    for (let s = 0; s < 300; s++) {
      const ts = T0 - 300_000 + s * 1000 + Math.floor(random() * 900);
      // A counter that resets once, two services of a latency metric, and a ratio pair.
      counter = s === 150 ? 3 : counter + Math.floor(random() * 10);
      samples.push(
        { metric: "requests.total", service: "api", tags: {}, value: counter, ts },
        { metric: "latency", service: "api", tags: {}, value: Math.round(random() * 1000) / 10, ts },
        { metric: "latency", service: "web", tags: {}, value: Math.round(random() * 2000) / 10, ts: ts + 1 },
        { metric: "pool.in_use", service: "db", tags: {}, value: Math.floor(random() * 20), ts },
        { metric: "pool.max", service: "db", tags: {}, value: 20, ts },
      );
    }
    await writeSamples(t.store, new SeriesCache(), samples);
    for (const s of samples) memory.add(s.metric, s.service, s.ts, s.value);
    memory.seal();
  });
  afterAll(() => t.close());

  const spec = (over: Partial<WindowSpec>): WindowSpec => ({ metric: "latency", service: null, tags: {}, aggregation: "avg", denominator: null, windowSeconds: 60, ...over });
  const specs: WindowSpec[] = [
    ...AGGREGATIONS.filter((a) => a !== "ratio" && a !== "rate").flatMap((aggregation) => [spec({ aggregation }), spec({ aggregation, service: "web", windowSeconds: 17 })]),
    spec({ metric: "requests.total", aggregation: "rate", windowSeconds: 200 }), // spans the reset
    spec({ metric: "pool.in_use", aggregation: "ratio", denominator: "pool.max", windowSeconds: 45 }),
    spec({ metric: "nothing.here", aggregation: "avg" }),
    spec({ metric: "pool.in_use", aggregation: "ratio", denominator: "nothing.here" }),
  ];

  it.each([0, -1_000, -123_456])("at now%+d ms, every aggregation", async (offset) => {
    const now = T0 + offset;
    const fromSql = await observeWindows(t.ctx.db, specs, new Date(now));
    const fromMemory = memory.observe(specs, now);
    specs.forEach((s, i) => {
      const label = `${s.aggregation} of ${s.metric}/${s.service ?? "*"} over ${s.windowSeconds}s`;
      expect(fromSql[i]!.sampleCount, label).toBe(fromMemory[i]!.sampleCount);
      if (fromMemory[i]!.value === null) expect(fromSql[i]!.value, label).toBeNull();
      else expect(fromSql[i]!.value, label).toBeCloseTo(fromMemory[i]!.value!, 6);
    });
    expect(fromSql.at(-2)).toEqual({ value: null, sampleCount: 0 });
    expect(fromSql.at(-1)!.value).toBeNull(); // nothing to divide by is no data
  });

  it("a counter's rate counts a reset as a restart from zero", async () => {
    const w = new MemoryWindows();
    [10, 20, 35, 5, 15].forEach((value, i) => w.add("c", "s", i * 1000 + 1, value));
    w.seal();
    // Steps: +10, +15, reset to 5 (counts 5), +10 = 40 over 10 s.
    expect(w.observe([spec({ metric: "c", aggregation: "rate", windowSeconds: 10 })], 5000)[0]).toEqual({ value: 4, sampleCount: 5 });
  });

  it("a window holding one sample of a counter has no rate, in SQL and in memory", async () => {
    await writeSamples(t.store, new SeriesCache(), [{ metric: "scraped.total", service: "x", tags: {}, value: 500, ts: T0 - 30_000 }]);
    const once = spec({ metric: "scraped.total", aggregation: "rate", windowSeconds: 60 });
    expect(await observeWindows(t.ctx.db, [once], new Date(T0))).toEqual([{ value: null, sampleCount: 1 }]);
    const w = new MemoryWindows();
    w.add("scraped.total", "x", T0 - 30_000, 500);
    expect(w.observe([once], T0)).toEqual([{ value: null, sampleCount: 1 }]);
  });

  it("a tag filter narrows the series in SQL", async () => {
    await writeSamples(t.store, new SeriesCache(), [
      { metric: "tagged", service: "x", tags: { region: "eu" }, value: 1, ts: T0 - 1000 },
      { metric: "tagged", service: "x", tags: { region: "us" }, value: 100, ts: T0 - 1000 },
    ]);
    const [eu, all] = await observeWindows(t.ctx.db, [spec({ metric: "tagged", tags: { region: "eu" } }), spec({ metric: "tagged" })], new Date(T0));
    expect(eu).toEqual({ value: 1, sampleCount: 1 });
    expect(all).toEqual({ value: 50.5, sampleCount: 2 });
  });
});
