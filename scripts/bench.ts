/**
 * `npm run bench [-- --json] [-- --samples N]`: Vigil's performance figures, each beside a
 * reference measured in the same run on the same machine, because these machines are noisy.
 *
 *  - ingest: samples/s through POST /api/ingest/metrics (JSON, auth, validation, commit)
 *    against a raw COPY of the same samples into the same store. Target: ratio ≥ 0.3 on Postgres.
 *  - alert latency: a breaching sample's POST until its alert arrives on the live stream,
 *    against the evaluation interval.
 *  - live stream: an ingested sample until its snapshot reaches a client (against the 250 ms
 *    snapshot debounce), the same at 1,000 concurrent streams (`--live-clients N`) and Vigil's
 *    RSS per stream, both against a bare node:http SSE server.
 *  - history: a 7-day percentile chart over 10 million raw samples (`--history-samples N`),
 *    answered from the 1-hour rollups against the same query over the raw rows.
 *  - rules: evaluation time per one-second cycle at 100 and 1,000 rules over live data,
 *    against the interval (target ≤ 0.25), cycles missed; the labelled scenarios' critical
 *    false-positive share and time to fire.
 *  - notify: a breaching sample's POST until the fake Resend, Twilio and Slack receive their
 *    requests through the real SDKs (p50, p95), against the same breach reaching the stream.
 *  - instrumentation: a trivial handler's throughput with and without lib/instrument.
 *  - anomaly: the detector's points/s on one core against a running z-score (target 100,000),
 *    and its NAB score on ../shared/datasets/nab against the best published detector.
 *
 * `--only ingest,live,rules,notify,history,instrumentation,anomaly` runs some of them.
 * The store is PGlite, or a fresh database on the server in DATABASE_URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrateStore, openStore } from "../db";
import type { Sample } from "../lib/ingest/batch-schema";
import { SeriesCache, writeSamples } from "../lib/ingest/write-samples";
import { signInAt } from "../tests/support/sign-in";
import { readEventsUntil } from "../tests/support/sse";
import { ensureRule } from "../tests/support/rules";
import type { AlertView } from "../lib/alerts/alert-lifecycle";
import { createDatabase } from "../tests/support/test-store";
import { startVigilProcess, TEST_ADMIN, TEST_INGEST_KEY } from "../tests/support/vigil-process";
import { buildIfNeeded } from "./build-if-needed";
import { measureAnomaly } from "./bench-anomaly";
import { measureHistory } from "./bench-history";
import { measureInstrumentationOverhead } from "./bench-instrumentation";
import { measureLive } from "./bench-live";
import { measureNotifications } from "./bench-notify";
import { measureRules } from "./bench-rules";

const args = process.argv.slice(2);
const json = args.includes("--json");
const numberArg = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback);
const sampleCount = numberArg("--samples", 200_000);
const historySamples = numberArg("--history-samples", 10_000_000);
const liveClients = numberArg("--live-clients", 1000);
const BATCH = 5_000;
const CONCURRENCY = 4;
const SERIES = 100;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (line: string) => {
  if (!json) console.log(line);
};

function makeSamples(n: number, start: number): Sample[] {
  return Array.from({ length: n }, (_, i) => ({
    metric: "bench.latency",
    service: "bench",
    unit: "ms",
    tags: { instance: `i-${i % SERIES}` },
    value: (i * 7919) % 1000,
    ts: start + i,
  }));
}

const SECTIONS = ["ingest", "live", "rules", "notify", "history", "instrumentation", "anomaly"] as const;
type Section = (typeof SECTIONS)[number];
const onlyArg = args.includes("--only") ? args[args.indexOf("--only") + 1]?.split(",") : undefined;
const unknownSection = onlyArg?.find((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknownSection) throw new Error(`--only ${unknownSection}: one of ${SECTIONS.join(", ")}`);
const wants = (section: Section) => !onlyArg || onlyArg.includes(section);

async function main() {
  buildIfNeeded(root);
  const postgresUrl = process.env.DATABASE_URL;
  const figures: Record<string, unknown> = { store: postgresUrl ? "postgres" : "pglite" };
  if (wants("ingest")) Object.assign(figures, await measureIngestAndAlerts(postgresUrl));
  // A fresh server for the stream figures: the ingest run's garbage would make its memory
  // per connection meaningless (RSS can fall as that garbage is collected).
  if (wants("live")) Object.assign(figures, await measureLiveOnFreshServer(liveClients));
  if (wants("rules")) Object.assign(figures, await measureRules({ postgresUrl, log }));
  if (wants("notify")) Object.assign(figures, await measureNotifications({ rounds: numberArg("--notify-rounds", 20), log }));
  if (wants("history")) Object.assign(figures, await measureHistory({ samples: historySamples, postgresUrl, log }));
  if (wants("instrumentation")) {
    const overhead = await measureInstrumentationOverhead({ requests: 200_000 });
    log(
      `instrumentation: ${Math.round(overhead.plainRps).toLocaleString()} req/CPU-s plain, ${Math.round(overhead.instrumentedRps).toLocaleString()} instrumented: ` +
        `${overhead.overheadPercent.toFixed(2)} % ± ${overhead.uncertaintyPercent.toFixed(2)} overhead`,
    );
    Object.assign(figures, {
      instrumentation_plain_req_per_cpu_s: Math.round(overhead.plainRps),
      instrumentation_instrumented_req_per_cpu_s: Math.round(overhead.instrumentedRps),
      instrumentation_overhead_percent: Number(overhead.overheadPercent.toFixed(2)),
      instrumentation_overhead_uncertainty_percent: Number(overhead.uncertaintyPercent.toFixed(2)),
    });
  }
  if (wants("anomaly")) Object.assign(figures, await measureAnomaly({ root, log }));
  if (json) console.log(JSON.stringify(figures));
}

/** HTTP ingest against COPY into the same store, then a breach's POST until its alert is on the stream. */
async function measureIngestAndAlerts(postgresUrl: string | undefined) {
  const database = postgresUrl ? await createDatabase(postgresUrl) : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), "vigil-bench-"));
  log(`store: ${database ? "postgres" : "pglite"}, ${sampleCount} samples in batches of ${BATCH}, ${SERIES} series`);
  // Current timestamps, as a live app sends: samples an hour old would each be a backfill,
  // and the rollup job rebuilding them would be measured as ingest cost.
  const start = Date.now() - 5_000;

  // Reference: COPY straight into the sample table, series already known.
  const store = await openStore({ databaseUrl: database?.url, dataDir });
  await migrateStore(store, database?.url);
  const cache = new SeriesCache();
  const samples = makeSamples(sampleCount, start);
  await writeSamples(store, cache, samples.slice(0, SERIES));
  const ids = await store.query<{ id: number; key: string }>("select id, key from series");
  const idByInstance = new Map(ids.map((r) => [r.key.split("instance=")[1]!, r.id]));
  const csv = samples.map((s) => `${idByInstance.get(s.tags.instance!)},${new Date(s.ts).toISOString()},${s.value}`).join("\n") + "\n";
  const copyStarted = performance.now();
  await store.copyCsv("sample", ["series_id", "ts", "value"], csv);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await store.close();
  const copyRate = sampleCount / copySeconds;
  log(`COPY:            ${Math.round(copyRate).toLocaleString()} samples/s`);

  // Measured: the same samples through the HTTP route of a running Vigil on the same store.
  const vigil = await startVigilProcess({}, { dataDir, databaseUrl: database?.url });
  try {
    const bodies: string[] = [];
    for (let i = 0; i < samples.length; i += BATCH) {
      const batch = samples.slice(i, i + BATCH).map((s) => ({ metric: s.metric, service: s.service, unit: s.unit, tags: s.tags, value: s.value, timestamp: s.ts }));
      bodies.push(JSON.stringify({ samples: batch }));
    }
    const post = (body: string) =>
      fetch(`${vigil.url}/api/ingest/metrics`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
        body,
      }).then(async (r) => {
        if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
      });
    await post(bodies[0]!); // warm-up: first request compiles the route
    let next = 1;
    const httpStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) await post(bodies[next++]!);
      }),
    );
    const httpSeconds = (performance.now() - httpStarted) / 1000;
    const httpRate = ((bodies.length - 1) * BATCH) / httpSeconds;
    log(`HTTP ingest:     ${Math.round(httpRate).toLocaleString()} samples/s  (${(httpRate / copyRate).toFixed(2)}× COPY)`);

    const alertLatency = await measureAlertLatency(vigil.url);
    log(`alert latency:   ${Math.round(alertLatency)} ms from POST to alert on the stream (evaluation interval 1000 ms)`);
    return {
      samples: sampleCount,
      batch_size: BATCH,
      http_ingest_samples_per_s: Math.round(httpRate),
      copy_samples_per_s: Math.round(copyRate),
      http_ingest_to_copy_ratio: Number((httpRate / copyRate).toFixed(3)),
      alert_latency_ms: Math.round(alertLatency),
      evaluation_interval_ms: 1000,
      alert_latency_to_interval_ratio: Number((alertLatency / 1000).toFixed(3)),
    };
  } finally {
    await vigil.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

async function measureLiveOnFreshServer(clients: number) {
  const fresh = await startVigilProcess();
  try {
    const { cookie } = await signInAt(fresh.url, TEST_ADMIN.email, TEST_ADMIN.password);
    return await measureLive({ baseUrl: fresh.url, cookie, ingestKey: TEST_INGEST_KEY, clients, log, pid: fresh.child.pid });
  } finally {
    await fresh.stop();
  }
}

/** Signs in, opens the live stream, posts one breaching batch and times the alert's arrival. */
/** A breach, from the POST that carries it to the firing alert on the stream, with a rule whose `for` is 0. */
async function measureAlertLatency(baseUrl: string): Promise<number> {
  const { cookie } = await signInAt(baseUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  const rule = { name: "bench: breach > 1000, at once", metric: "bench.breach", aggregation: "last", window: "1m", operator: ">", threshold: 1000, for: "0s", severity: "critical" };
  await ensureRule(baseUrl, cookie, rule);
  const stream = await fetch(`${baseUrl}/api/admin/monitoring/stream`, { headers: { cookie } });
  const sent = performance.now();
  await fetch(`${baseUrl}/api/ingest/metrics`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ samples: [{ metric: "bench.breach", value: 5000 }] }),
  });
  await readEventsUntil(stream, (e) => e.event === "alert" && (e.data as AlertView).ruleName === rule.name && (e.data as AlertView).status === "firing");
  return performance.now() - sent;
}

await main();
