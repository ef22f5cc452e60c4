import { inArray, sql } from "drizzle-orm";
import type { Store } from "@/db";
import { alertEvent, alertHistory, alertRule, anomalyWatch, series, type NotifyState } from "@/db/schema";
import { seriesKey } from "@/lib/ingest/write-samples";
import { rollUpHours } from "@/lib/rollups/rollup";
import { mergeSketches, sketchKey, type Sketch } from "@/lib/rollups/sketch";
import { alertLabels, describeBreach, fingerprintOf } from "@/lib/rules/engine";
import { toEngineRule } from "@/lib/rules/rules";
import { INCIDENT_KINDS, INCIDENT_SCHEDULE, type Incident, type IncidentKind } from "./incident-schedule";
import { logNormal, poisson, seededRandom, type Random } from "./seeded-random";
import {
  DB_POOL_SIZE,
  paymentOutcomes,
  FAILED_LOGIN_RATE,
  passwordResetsPerSecond,
  paymentsPerSecond,
  QUERIES,
  QUERY_SAMPLES_PER_SECOND,
  QUERY_SPREAD,
  queryMedianMs,
  requestsPerSecond,
  ROUTES,
  routeMedianMs,
  signedInUsers,
  slowQueriesPerSecond,
  timeoutRate,
  usualPoolInUse,
} from "./simulated-shop";
import { shopTrafficAt } from "./traffic-shape";

/**
 * A week of the demo shop's past, written straight into the 1-minute rollups on a first start,
 * so the trends page has a week to show and the anomaly detector has a daily and weekly
 * pattern to learn before the live data arrives. Minute by minute it follows the live model
 * (simulated-shop.ts) at the same clock-driven traffic, with past incidents of every kind and
 * the resolved alerts the default rules would have raised for them.
 *
 * Raw samples are not written (a week of them would take minutes), and nothing is marked for
 * rollup backfill: the rollup job rebuilds only minutes that have raw samples, so it leaves
 * these alone, and the hourly rollups are built here from them.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
export const HISTORY_DAYS = 7;
/** Demo data older than this means a week was written (or the demo ran that long) already. */
const ALREADY_THERE_MS = HOUR_MS;
/**
 * No past incident in the last hours before the start: the live demo's first incidents must
 * find the rules out of their cooldown and the detector out of its quiet spell after an
 * anomaly (100 minutes), so they raise alerts and anomalies as the console says.
 */
const QUIET_BEFORE_START_MS = 3 * HOUR_MS;
/** Rows per insert statement. */
const CHUNK_ROWS = 5000;

interface SeriesSpec {
  metric: string;
  service: string;
  unit: string;
  tags: Record<string, string>;
}

const spec = (metric: string, service: string, unit: string, tags: Record<string, string> = {}): SeriesSpec => ({ metric, service, unit, tags });

/** Every series the live shop posts (simulateSecond), in the order `simulateMinute` fills them. */
export const SHOP_SERIES: readonly SeriesSpec[] = [
  ...ROUTES.map((r) => spec("api.response_time", "shop-api", "ms", { route: r.route })),
  ...ROUTES.map((r) => spec("api.requests", "shop-api", "req/s", { route: r.route })),
  ...["success", "declined", "timeout"].map((outcome) => spec("payment.attempts", "payments", "attempts", { gateway: "ecpay", outcome })),
  spec("payment.success_rate", "payments", "%", { gateway: "ecpay" }),
  spec("db.connections.in_use", "postgres", "connections"),
  spec("db.connections.max", "postgres", "connections"),
  spec("db.connections.waiting", "postgres", "connections"),
  spec("db.queries.slow", "postgres", "queries"),
  ...QUERIES.map((q) => spec("db.query.duration", "postgres", "ms", { query: q.query })),
  spec("users.signed_in", "shop-api", "users"),
  ...["success", "failed"].map((outcome) => spec("users.logins", "shop-api", "logins", { outcome })),
  ...["order_confirmation", "password_reset"].map((template) => spec("email.sent", "email", "emails", { template })),
];

const at = (metric: string, tags: Record<string, string> = {}) =>
  SHOP_SERIES.findIndex((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
const SERIES_INDEX = {
  responseTime: at("api.response_time"),
  requests: at("api.requests"),
  attempts: { success: at("payment.attempts", { outcome: "success" }), declined: at("payment.attempts", { outcome: "declined" }), timeout: at("payment.attempts", { outcome: "timeout" }) },
  successRate: at("payment.success_rate"),
  inUse: at("db.connections.in_use"),
  max: at("db.connections.max"),
  waiting: at("db.connections.waiting"),
  slow: at("db.queries.slow"),
  queryDuration: at("db.query.duration"),
  signedIn: at("users.signed_in"),
  logins: { success: at("users.logins", { outcome: "success" }), failed: at("users.logins", { outcome: "failed" }) },
  email: { order_confirmation: at("email.sent", { template: "order_confirmation" }), password_reset: at("email.sent", { template: "password_reset" }) },
};

/**
 * The shop's values repeat (whole milliseconds, tenths, counts), so their sketch keys are
 * remembered: a week is millions of values, and the logarithm per value was most of the time.
 */
const KEY_MEMO_LIMIT = 200_000;
const keyMemo = new Map<number, string>();
function memoSketchKey(value: number): string {
  let key = keyMemo.get(value);
  if (key === undefined) {
    key = sketchKey(value);
    if (keyMemo.size < KEY_MEMO_LIMIT) keyMemo.set(value, key);
  }
  return key;
}

/** One series' minute (or hour): what a rollup row holds. */
export class MinuteStats {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  readonly sketch: Sketch = {};
  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const key = memoSketchKey(value);
    this.sketch[key] = (this.sketch[key] ?? 0) + 1;
  }
  merge(other: MinuteStats): void {
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    mergeSketches(this.sketch, other.sketch);
  }
}

export interface PastIncident {
  kind: IncidentKind;
  start: number;
  end: number;
}

/** How long each kind lasted in the past: long enough to see on a week's chart. */
const PAST_DURATION_MINUTES: Record<IncidentKind, { min: number; max: number }> = {
  "slow-queries": { min: 10, max: 30 },
  "gateway-timeouts": { min: 6, max: 20 },
  "latency-spike": { min: 5, max: 15 },
  "pool-exhaustion": { min: 4, max: 12 },
};

/**
 * The week's incidents: one or two of the threshold kinds a day, taking turns so each kind
 * comes several times, at varied hours at least a few hours apart (the detector stays quiet for
 * 100 minutes after an anomaly, and each should be its own). None in the last hours before `to`.
 *
 * No slow queries: a dropped index is a one-off, and the detector judges a jump against the
 * largest its series has made lately, so last week's slow queries would make the demo's first
 * live ones merely "as unusual as before", raised after minutes instead of at once. The live
 * demo then shows what the detector does with a jump it has never seen.
 */
export function planPastIncidents(from: number, to: number, random: Random): PastIncident[] {
  const kindsOfThePast = INCIDENT_KINDS.filter((k) => k !== "slow-queries");
  const incidents: PastIncident[] = [];
  for (let day = 0; from + day * DAY_MS < to; day++) {
    const kinds: IncidentKind[] = [kindsOfThePast[day % kindsOfThePast.length]!];
    if (random() < 0.6) kinds.push(kindsOfThePast[(day + 1) % kindsOfThePast.length]!);
    shuffle(kinds, random);
    // One incident per equal slice of the day, somewhere in its middle, so two are always hours apart.
    const slice = DAY_MS / kinds.length;
    kinds.forEach((kind, i) => {
      const start = Math.floor((from + day * DAY_MS + i * slice + slice * (0.15 + 0.5 * random())) / MINUTE_MS) * MINUTE_MS;
      const { min, max } = PAST_DURATION_MINUTES[kind];
      const end = start + Math.round(min + (max - min) * random()) * MINUTE_MS;
      if (end <= to - QUIET_BEFORE_START_MS) incidents.push({ kind, start, end });
    });
  }
  return incidents.sort((a, b) => a.start - b.start);
}

function shuffle<T>(items: T[], random: Random): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * One minute of the shop as rollups, one `MinuteStats` per SHOP_SERIES entry: the per-second
 * series drawn second by second as the live shop does, each request and each timed query drawn
 * into its route's or query's sketch. Pure given `random`.
 */
export function simulateMinute(traffic: number, incident: Incident, incidentSinceMs: number, random: Random): MinuteStats[] {
  const stats = SHOP_SERIES.map(() => new MinuteStats());
  const add = (index: number, value: number) => stats[index]!.add(value);
  const rps = requestsPerSecond(traffic);
  const stalled = incident === "pool-exhaustion";
  const timeouts = timeoutRate(incident);
  const requestsByRoute = ROUTES.map(() => 0);
  for (let second = 0; second < 60; second++) {
    let logins = 0;
    ROUTES.forEach((profile, r) => {
      const n = poisson(rps * profile.share, random);
      requestsByRoute[r]! += n;
      add(SERIES_INDEX.requests + r, n);
      if (profile.route === "/api/login") logins = n;
    });
    const attempts = poisson(paymentsPerSecond(traffic), random);
    const outcomes = paymentOutcomes(attempts, timeouts, random);
    add(SERIES_INDEX.attempts.success, outcomes.success);
    add(SERIES_INDEX.attempts.declined, outcomes.declined);
    add(SERIES_INDEX.attempts.timeout, outcomes.timeout);
    if (attempts > 0) add(SERIES_INDEX.successRate, round1((100 * outcomes.success) / attempts));

    let inUse = usualPoolInUse(incident, traffic) + (random() - 0.5) * 6;
    let waiting = 0;
    if (stalled) {
      const ramp = Math.min(1, (incidentSinceMs + second * 1000) / 20_000);
      inUse += (DB_POOL_SIZE - inUse) * ramp - (ramp === 1 ? Math.floor(random() * 3) : 0);
      if (ramp === 1) waiting = poisson(6 + 25 * traffic, random);
    }
    add(SERIES_INDEX.inUse, Math.min(DB_POOL_SIZE, Math.round(inUse)));
    add(SERIES_INDEX.max, DB_POOL_SIZE);
    add(SERIES_INDEX.waiting, waiting);
    add(SERIES_INDEX.slow, poisson(slowQueriesPerSecond(incident, traffic), random));
    QUERIES.forEach((query, q) => {
      const median = queryMedianMs(query, incident);
      for (let i = 0; i < QUERY_SAMPLES_PER_SECOND; i++) add(SERIES_INDEX.queryDuration + q, round1(logNormal(median, QUERY_SPREAD, random)));
    });

    add(SERIES_INDEX.signedIn, Math.round(signedInUsers(traffic) * (0.98 + 0.04 * random())));
    let failed = 0;
    for (let i = 0; i < logins; i++) if (random() < FAILED_LOGIN_RATE) failed++;
    add(SERIES_INDEX.logins.success, logins - failed);
    add(SERIES_INDEX.logins.failed, failed);
    add(SERIES_INDEX.email.order_confirmation, stalled ? 0 : outcomes.success);
    add(SERIES_INDEX.email.password_reset, stalled ? 0 : poisson(passwordResetsPerSecond(traffic), random));
  }
  ROUTES.forEach((profile, r) => {
    const median = routeMedianMs(profile, incident, traffic);
    for (let i = 0; i < requestsByRoute[r]!; i++) add(SERIES_INDEX.responseTime + r, Math.round(logNormal(median, 0.4, random)));
  });
  return stats;
}

/** What the rule engine would have recorded for one past alert. */
export interface PastAlert {
  rule: string;
  triggeredAt: number;
  firedAt: number;
  resolvedAt: number;
  /** The window's value as it fired, and as it cleared. */
  firingValue: number;
  clearedValue: number;
  /** Held back while a rule it depends on fires (the job behind the pool). */
  inhibited: boolean;
}

const jitter = (random: Random, from: number, to: number) => Math.round((from + (to - from) * random()) * 1000);
const nextJobFinish = (t: number) => Math.ceil((t - 3000) / MINUTE_MS) * MINUTE_MS + 3000;

/**
 * The alerts an incident raised, timed as the default rules would: a breach once enough of the
 * window is bad, firing after the rule's `for`, resolving once the window has drained (plus
 * `keepFiringFor` for the pool). Rules are named as in the live schedule.
 */
export function pastAlerts(incident: PastIncident, random: Random): PastAlert[] {
  const { start, end } = incident;
  const names = INCIDENT_SCHEDULE.find((i) => i.kind === incident.kind)!.alerts;
  return names.map((rule): PastAlert => {
    switch (rule) {
      case "Payment success rate < 95%": {
        const triggeredAt = start + jitter(random, 8, 15);
        return { rule, triggeredAt, firedAt: triggeredAt + 10_000, resolvedAt: end + jitter(random, 40, 58), firingValue: 69 + 3 * random(), clearedValue: 97.2 + random(), inhibited: false };
      }
      case "API response time p95 > 1000 ms": {
        const triggeredAt = start + jitter(random, 4, 10);
        return { rule, triggeredAt, firedAt: triggeredAt + 30_000, resolvedAt: end + jitter(random, 50, 60), firingValue: 1700 + 500 * random(), clearedValue: 700 + 90 * random(), inhibited: false };
      }
      case "DB connection pool > 90% in use": {
        const triggeredAt = start + jitter(random, 18, 24);
        return { rule, triggeredAt, firedAt: triggeredAt + 15_000, resolvedAt: end + jitter(random, 80, 90), firingValue: 97 + 2 * random(), clearedValue: 60 + 15 * random(), inhibited: false };
      }
      default: {
        // The job fails at its first run in the pool's grip and recovers at its first run after.
        const triggeredAt = nextJobFinish(start + 1000);
        return { rule, triggeredAt, firedAt: triggeredAt + 30_000, resolvedAt: nextJobFinish(end + 1000), firingValue: 0, clearedValue: 1, inhibited: true };
      }
    }
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

async function hasDemoHistory(store: Store, keys: readonly string[], before: number): Promise<boolean> {
  const rows = await store.query(
    `select 1 from rollup_1m r join series s on s.id = r.series_id
     where s.key = any($1::text[]) and r.bucket < $2 limit 1`,
    [keys, iso(before)],
  );
  return rows.length > 0;
}

export interface DemoHistoryOptions {
  /** The demo's start; the week ends at its minute. */
  now: Date;
  timeZone: string;
  /** Seeds the numbers; a fixed default makes every first start's week the same. */
  seed?: number;
  log?: (line: string) => void;
}

export interface DemoHistoryResult {
  written: boolean;
  minutes: number;
  rows: number;
  incidents: PastIncident[];
  alerts: number;
}

/**
 * Writes the week before `now` when the store has no demo data older than an hour (a first
 * start); otherwise writes nothing. Minutes that already have rollups (a demo that ran a few
 * minutes before a restart) keep theirs.
 */
export async function writeDemoHistory(store: Store, options: DemoHistoryOptions): Promise<DemoHistoryResult> {
  const keys = SHOP_SERIES.map((s) => seriesKey(s.service, s.metric, s.tags));
  const end = Math.floor(options.now.getTime() / MINUTE_MS) * MINUTE_MS;
  const from = end - HISTORY_DAYS * DAY_MS;
  if (await hasDemoHistory(store, keys, options.now.getTime() - ALREADY_THERE_MS)) return { written: false, minutes: 0, rows: 0, incidents: [], alerts: 0 };
  const started = performance.now();
  const random = seededRandom(options.seed ?? 20_260_105);
  const incidents = planPastIncidents(from, end, random);

  // Created as ingest creates them, so the live samples land on the same series.
  const created = await store.db
    .insert(series)
    .values(SHOP_SERIES.map((s, i) => ({ key: keys[i]!, name: s.metric, service: s.service, unit: s.unit, tags: s.tags })))
    .onConflictDoUpdate({ target: series.key, set: { unit: sql`coalesce(excluded.unit, ${series.unit})` } })
    .returning({ id: series.id, key: series.key });
  const idOf = new Map(created.map((row) => [row.key, row.id]));
  const seriesIds = keys.map((key) => idOf.get(key)!);

  const minuteRows = new RollupRows(store, "rollup_1m");
  const hourRows = new RollupRows(store, "rollup_1h");
  // Hours are summed here from the same minutes, as rollUpHours would (a tenth of the time on
  // PGlite); the last two, where a short earlier run's live minutes may sit, are left to it.
  const hoursBuiltHere = Math.floor((end - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  let hour = SHOP_SERIES.map(() => new MinuteStats());
  let next = 0;
  for (let t = from; t < end; t += MINUTE_MS) {
    while (next < incidents.length && incidents[next]!.end <= t) next++;
    const incident = incidents[next] && incidents[next]!.start <= t ? incidents[next]! : undefined;
    const minute = simulateMinute(shopTrafficAt(t + MINUTE_MS / 2, options.timeZone), incident?.kind ?? "none", incident ? t - incident.start : 0, random);
    minute.forEach((stats, i) => {
      minuteRows.add(seriesIds[i]!, t, stats);
      hour[i]!.merge(stats);
    });
    const hourEnd = t + MINUTE_MS;
    if (hourEnd % HOUR_MS === 0 && hourEnd <= hoursBuiltHere) {
      hour.forEach((stats, i) => hourRows.add(seriesIds[i]!, hourEnd - HOUR_MS, stats));
      hour = SHOP_SERIES.map(() => new MinuteStats());
    }
    await minuteRows.flushIfFull();
    await hourRows.flushIfFull();
  }
  await minuteRows.flush();
  // A first hour that starts mid-hour is partial, as the week is.
  await hourRows.flush();
  await rollUpHours(store, new Date(hoursBuiltHere), new Date(end));
  const rows = minuteRows.written;
  const alerts = await writePastAlerts(store, incidents, random);
  await relearnDemoWatches(store);
  const result = { written: true, minutes: (end - from) / MINUTE_MS, rows, incidents, alerts };
  const kinds = INCIDENT_KINDS.map((kind) => `${incidents.filter((i) => i.kind === kind).length} ${kind}`).join(", ");
  (options.log ?? console.log)(
    `demo: wrote a week of history in ${((performance.now() - started) / 1000).toFixed(1)} s: ${rows} one-minute rollups of ${keys.length} series from ${iso(from)}, ${incidents.length} past incidents (${kinds}) and ${alerts} resolved alerts`,
  );
  return result;
}

/** Rollup rows gathered into multi-row inserts; rows already there (live data) are kept. */
class RollupRows {
  written = 0;
  private ids: number[] = [];
  private buckets: number[] = [];
  private counts: number[] = [];
  private sums: number[] = [];
  private mins: number[] = [];
  private maxes: number[] = [];
  private sketches: string[] = [];
  constructor(
    private readonly store: Store,
    private readonly table: "rollup_1m" | "rollup_1h",
  ) {}

  add(seriesId: number, bucket: number, stats: MinuteStats): void {
    if (stats.count === 0) return;
    this.ids.push(seriesId);
    this.buckets.push(bucket / 1000);
    this.counts.push(stats.count);
    this.sums.push(stats.sum);
    this.mins.push(stats.min);
    this.maxes.push(stats.max);
    this.sketches.push(JSON.stringify(stats.sketch));
  }

  async flushIfFull(): Promise<void> {
    if (this.ids.length >= CHUNK_ROWS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.ids.length === 0) return;
    // unnest keeps it at seven parameters whatever the row count, as ingest does.
    await this.store.query(
      `insert into ${this.table} (series_id, bucket, count, sum, min, max, sketch)
       select s, to_timestamp(b), n, su, lo, hi, sk::jsonb
       from unnest($1::int[], $2::float8[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::text[]) as u(s, b, n, su, lo, hi, sk)
       on conflict (series_id, bucket) do nothing`,
      [this.ids, this.buckets, this.counts, this.sums, this.mins, this.maxes, this.sketches],
    );
    this.written += this.ids.length;
    this.ids = [];
    this.buckets = [];
    this.counts = [];
    this.sums = [];
    this.mins = [];
    this.maxes = [];
    this.sketches = [];
  }
}

/** The resolved alerts and their steps, for the default rules that still exist and are on. */
async function writePastAlerts(store: Store, incidents: readonly PastIncident[], random: Random): Promise<number> {
  const rules = new Map((await store.db.select().from(alertRule)).filter((r) => r.isActive && r.kind === "threshold").map((r) => [r.name, r]));
  const histories: (typeof alertHistory.$inferInsert)[] = [];
  const events: (typeof alertEvent.$inferInsert)[] = [];
  for (const incident of incidents) {
    const past = pastAlerts(incident, random);
    for (const alert of past) {
      const row = rules.get(alert.rule);
      if (!row) continue;
      const rule = toEngineRule(row);
      const id = crypto.randomUUID();
      const breach = describeBreach(rule, round1(alert.firingValue));
      const cleared = `cleared: ${describeBreach(rule, round1(alert.clearedValue))}`;
      const cause = alert.inhibited ? [...rules.values()].find((r) => row.dependsOn.includes(r.id)) : undefined;
      const notify: NotifyState = cause ? "inhibited" : "notified";
      histories.push({
        id,
        ruleId: row.id,
        fingerprint: fingerprintOf(rule),
        labels: alertLabels(rule),
        metricValue: round1(alert.clearedValue),
        severity: row.severity,
        status: "resolved",
        reason: breach,
        triggeredAt: new Date(alert.triggeredAt),
        firedAt: new Date(alert.firedAt),
        notifyState: notify,
        heldBy: cause?.id ?? null,
        notifiedAt: cause ? null : new Date(alert.firedAt),
        resolvedAt: new Date(alert.resolvedAt),
        resolutionNotes: cleared,
        autoResolved: true,
      });
      const step = (atMs: number, fromStatus: string, toStatus: string, value: number, note: string) =>
        events.push({ alertId: id, at: new Date(atMs), fromStatus, toStatus, value: round1(value), note });
      step(alert.triggeredAt, "inactive", "pending", alert.firingValue, breach);
      step(alert.firedAt, "pending", "firing", alert.firingValue, breach);
      step(alert.firedAt, "firing", "firing", alert.firingValue, cause ? "held back (inhibited): a rule it depends on is firing" : "announced");
      step(alert.resolvedAt, "firing", "resolved", alert.clearedValue, cleared);
    }
  }
  if (histories.length === 0) return 0;
  await store.db.transaction(async (tx) => {
    await tx.insert(alertHistory).values(histories);
    await tx.insert(alertEvent).values(events);
  });
  return histories.length;
}

/**
 * The watches on the shop's metrics start learning again from the written week. Only reached
 * on a first start, when they have seen an hour of the shop at most: their first run then
 * catches up on the week, as a new watch does.
 */
async function relearnDemoWatches(store: Store): Promise<void> {
  const metrics = [...new Set(SHOP_SERIES.map((s) => s.metric))];
  await store.db
    .update(anomalyWatch)
    .set({ detector: null, judgedTo: null, episodeRun: 0, lastValue: null, lastExpected: null, lastScore: null })
    .where(inArray(anomalyWatch.metric, metrics));
}
