/**
 * The history benchmark: seven days of one metric at `samples` raw rows (10 million by
 * default), loaded with COPY and rolled up, then the 7-day p50/p95/p99 chart query answered
 * from the 1-hour rollups and the same query answered from the raw rows; the whole trends
 * page (24 h, 7 d, 30 d) over the same store; and the anomaly detector catching up on the
 * week's 1-minute rollups of that metric's p95, as a newly watched series does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateStore, openStore, type Store } from "../db";
import type { Ctx } from "../lib/context";
import { SeriesCache, writeSamples } from "../lib/ingest/write-samples";
import { detectAnomalies } from "../lib/anomaly/online";
import { ensureWatch } from "../lib/anomaly/watches";
import { loadHistory, loadHistoryFromRaw, type HistoryQuery } from "../lib/metrics/history";
import { loadTrends } from "../lib/metrics/trends";
import { rollUpRange } from "../lib/rollups/rollup";
import { createDatabase } from "../tests/support/test-store";

const ROUTES = 20;
const WEEK_MS = 7 * 86_400_000;
const COPY_CHUNK = 500_000;

export interface HistoryFigures {
  history_raw_samples: number;
  history_rollup_build_samples_per_s: number;
  history_7d_rollup_query_ms: number;
  history_7d_raw_query_ms: number;
  history_rollup_to_raw_ratio: number;
  trends_page_24h_ms: number;
  trends_page_7d_ms: number;
  trends_page_30d_ms: number;
  /** The 7-day page against the single 7-day chart from raw rows. */
  trends_page_7d_to_raw_chart_ratio: number;
  anomaly_catch_up_minutes: number;
  anomaly_catch_up_minutes_per_s: number;
}

export async function measureHistory(options: { samples: number; postgresUrl?: string; log: (line: string) => void }): Promise<HistoryFigures> {
  const database = options.postgresUrl ? await createDatabase(options.postgresUrl) : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), "vigil-bench-history-"));
  const store = await openStore({ databaseUrl: database?.url, dataDir });
  try {
    await migrateStore(store, database?.url);
    const now = new Date();
    const from = now.getTime() - WEEK_MS;
    const loadStarted = performance.now();
    await loadWeek(store, from, options.samples);
    options.log(`history: ${options.samples.toLocaleString()} raw samples over 7 days loaded in ${seconds(loadStarted)} s`);

    const rollupStarted = performance.now();
    await rollUpRange(store, new Date(from), now);
    const rollupSeconds = (performance.now() - rollupStarted) / 1000;
    options.log(`history: rolled up in ${rollupSeconds.toFixed(1)} s (${Math.round(options.samples / rollupSeconds).toLocaleString()} samples/s)`);
    await store.query("analyze");

    const ctx: Ctx = { db: store.db, now: () => now };
    const query: HistoryQuery = { metric: "api.response_time", service: "shop", period: "7d" };
    const rollupMs = await medianMs(7, () => loadHistory(ctx, query));
    const rawMs = await medianMs(3, () => loadHistoryFromRaw(ctx, query));
    options.log(`history: 7-day p95 chart from rollups ${rollupMs.toFixed(1)} ms, from raw rows ${Math.round(rawMs)} ms (${(rawMs / rollupMs).toFixed(0)}× faster)`);

    const trendsMs = {
      "24h": await medianMs(5, () => loadTrends(ctx, "24h", "UTC")),
      "7d": await medianMs(5, () => loadTrends(ctx, "7d", "UTC")),
      "30d": await medianMs(5, () => loadTrends(ctx, "30d", "UTC")),
    };
    options.log(`trends page: 24 h ${trendsMs["24h"].toFixed(1)} ms, 7 d ${trendsMs["7d"].toFixed(1)} ms, 30 d ${trendsMs["30d"].toFixed(1)} ms (every chart, markers and the anomaly list)`);

    await ctx.db.transaction((tx) => ensureWatch(tx, { metric: query.metric, service: query.service, stat: "p95", label: "API p95" }, now));
    const detectStarted = performance.now();
    const detected = await detectAnomalies(ctx, now, "UTC");
    const detectSeconds = (performance.now() - detectStarted) / 1000;
    options.log(`anomaly catch-up: ${detected.judged.toLocaleString()} minutes of p95 judged in ${detectSeconds.toFixed(1)} s (${Math.round(detected.judged / detectSeconds).toLocaleString()} minutes/s, reading the rollups included)`);
    return {
      trends_page_24h_ms: Number(trendsMs["24h"].toFixed(1)),
      trends_page_7d_ms: Number(trendsMs["7d"].toFixed(1)),
      trends_page_30d_ms: Number(trendsMs["30d"].toFixed(1)),
      trends_page_7d_to_raw_chart_ratio: Number((trendsMs["7d"] / rawMs).toFixed(4)),
      anomaly_catch_up_minutes: detected.judged,
      anomaly_catch_up_minutes_per_s: Math.round(detected.judged / detectSeconds),
      history_raw_samples: options.samples,
      history_rollup_build_samples_per_s: Math.round(options.samples / rollupSeconds),
      history_7d_rollup_query_ms: Number(rollupMs.toFixed(1)),
      history_7d_raw_query_ms: Math.round(rawMs),
      history_rollup_to_raw_ratio: Number((rollupMs / rawMs).toFixed(5)),
    };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

/** `count` latency samples spread evenly over the week across ROUTES series, with a daily shape. */
async function loadWeek(store: Store, from: number, count: number): Promise<void> {
  const cache = new SeriesCache();
  const seed = Array.from({ length: ROUTES }, (_, r) => ({
    metric: "api.response_time",
    service: "shop",
    unit: "ms",
    tags: { route: `/api/route-${r}` },
    value: 0,
    ts: from - WEEK_MS, // outside the queried week
  }));
  await writeSamples(store, cache, seed);
  const ids = seed.map((s) => cache.get(`shop|api.response_time|route=${s.tags.route}`)!);
  const step = WEEK_MS / count;
  for (let start = 0; start < count; start += COPY_CHUNK) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(start + COPY_CHUNK, count); i++) {
      const ts = from + i * step;
      const hourOfDay = (ts / 3_600_000) % 24;
      const daily = 1 + 0.5 * Math.sin((hourOfDay / 24) * 2 * Math.PI);
      const value = (80 + ((i * 7919) % 400)) * daily;
      lines.push(`${ids[i % ROUTES]},${new Date(ts).toISOString()},${value.toFixed(2)}`);
    }
    await store.copyCsv("sample", ["series_id", "ts", "value"], lines.join("\n") + "\n");
  }
}

async function medianMs(runs: number, task: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const seconds = (started: number) => ((performance.now() - started) / 1000).toFixed(1);
