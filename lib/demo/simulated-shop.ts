import type { SampleInput } from "@/lib/ingest/batch-schema";
import { activeIncident, describeSchedule, incidentAnnouncements, incidentAt, type Incident } from "./incident-schedule";
import { logNormal, poisson, seededRandom, type Random } from "./seeded-random";
import { shopTrafficAt } from "./traffic-shape";

/** The demo's heartbeat job, seeded by `seedDemo`. */
export const DEMO_JOB_SLUG = "invoice-sync";

export const DB_POOL_SIZE = 100;

export interface RouteProfile {
  route: string;
  /** Share of the shop's requests. */
  share: number;
  medianMs: number;
  /** Served from the product cache, so slow when the cache is down. */
  cached: boolean;
  /** Needs a database connection for a write, so waits when the pool is exhausted. */
  writes: boolean;
}

export const ROUTES: readonly RouteProfile[] = [
  { route: "/api/products", share: 0.35, medianMs: 70, cached: true, writes: false },
  { route: "/api/search", share: 0.2, medianMs: 140, cached: true, writes: false },
  { route: "/api/cart", share: 0.2, medianMs: 60, cached: false, writes: true },
  { route: "/api/login", share: 0.1, medianMs: 180, cached: false, writes: true },
  { route: "/api/checkout", share: 0.15, medianMs: 320, cached: false, writes: true },
];

/** Each query kind is timed this often a second; enough for a steady p95 the detector can judge. */
export const QUERY_SAMPLES_PER_SECOND = 4;
export const QUERY_SPREAD = 0.4;

export const QUERIES = [
  { query: "products.list", medianMs: 3 },
  { query: "orders.insert", medianMs: 8 },
  { query: "sessions.lookup", medianMs: 1.5 },
] as const;

const REQUESTS_PER_SECOND = { quiet: 3, peak: 30 };
const PAYMENTS_PER_SECOND = { quiet: 4, peak: 16 };
export const DECLINE_RATE = 0.006;
export const TIMEOUT_RATE = { usual: 0.001, incident: 0.3 };
const CACHE_DOWN_EXTRA_MS = 1400;
const POOL_WAIT_MS = 150;
/** A missing index slows every query about fourfold; the routes that write wait on them a little. */
const SLOW_QUERY_FACTOR = 4;
const SLOW_QUERY_EXTRA_MS = 40;
const POOL_RAMP_MS = 20_000;
export const FAILED_LOGIN_RATE = 0.08;
/** Database queries per API request, for counting slow ones. */
const QUERIES_PER_REQUEST = 3;
/**
 * Share of queries slower than 100 ms: a rare straggler usually; many while an index is
 * missing or the export's locks hold them, a few when cache misses land on the database.
 */
const SLOW_QUERY_SHARE: Record<Incident, number> = {
  none: 0.0005,
  "gateway-timeouts": 0.0005,
  "latency-spike": 0.004,
  "pool-exhaustion": 0.02,
  "slow-queries": 0.04,
};

function between(quiet: number, peak: number, traffic: number): number {
  return quiet + (peak - quiet) * traffic;
}

/**
 * The shop's model, shared by the live seconds and the written history (demo-history.ts):
 * means and medians for a traffic level (0 to about 1.2) and an incident.
 */
export function requestsPerSecond(traffic: number): number {
  return between(REQUESTS_PER_SECOND.quiet, REQUESTS_PER_SECOND.peak, traffic);
}

export function paymentsPerSecond(traffic: number): number {
  return between(PAYMENTS_PER_SECOND.quiet, PAYMENTS_PER_SECOND.peak, traffic);
}

export function timeoutRate(incident: Incident): number {
  return incident === "gateway-timeouts" ? TIMEOUT_RATE.incident : TIMEOUT_RATE.usual;
}

export function routeMedianMs(profile: RouteProfile, incident: Incident, traffic: number): number {
  let median = profile.medianMs * (1 + 0.4 * traffic);
  if (incident === "latency-spike" && profile.cached) median += CACHE_DOWN_EXTRA_MS;
  if (incident === "pool-exhaustion" && profile.writes) median += POOL_WAIT_MS;
  if (incident === "slow-queries" && profile.writes) median += SLOW_QUERY_EXTRA_MS;
  return median;
}

export function queryMedianMs(query: (typeof QUERIES)[number], incident: Incident): number {
  let median: number = query.medianMs;
  if (incident === "latency-spike" && query.query === "products.list") median *= 10;
  if (incident === "pool-exhaustion") median *= 2.5; // the export's locks
  if (incident === "slow-queries") median *= SLOW_QUERY_FACTOR;
  return median;
}

/** Connections in use before the noise; pool exhaustion's ramp is the caller's. */
export function usualPoolInUse(incident: Incident, traffic: number): number {
  let inUse = DB_POOL_SIZE * (0.12 + 0.5 * traffic);
  if (incident === "latency-spike") inUse += 12; // cache misses land on the database
  if (incident === "slow-queries") inUse += 5; // queries hold their connections longer
  return inUse;
}

export function slowQueriesPerSecond(incident: Incident, traffic: number): number {
  return requestsPerSecond(traffic) * QUERIES_PER_REQUEST * SLOW_QUERY_SHARE[incident];
}

export function signedInUsers(traffic: number): number {
  return 40 + 1500 * traffic;
}

export function passwordResetsPerSecond(traffic: number): number {
  return 0.05 + 0.3 * traffic;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function apiSamples(incident: Incident, traffic: number, now: number, random: Random): { samples: SampleInput[]; logins: number } {
  const samples: SampleInput[] = [];
  const rps = requestsPerSecond(traffic);
  let logins = 0;
  for (const profile of ROUTES) {
    const count = poisson(rps * profile.share, random);
    if (profile.route === "/api/login") logins = count;
    const median = routeMedianMs(profile, incident, traffic);
    for (let i = 0; i < count; i++) {
      samples.push({
        metric: "api.response_time",
        service: "shop-api",
        unit: "ms",
        value: Math.round(logNormal(median, 0.4, random)),
        timestamp: now - Math.floor(random() * 1000),
        tags: { route: profile.route },
      });
    }
    samples.push({ metric: "api.requests", service: "shop-api", unit: "req/s", value: count, timestamp: now, tags: { route: profile.route } });
  }
  return { samples, logins };
}

/** How `attempts` payments end when this share of them times out. */
export function paymentOutcomes(attempts: number, timeoutShare: number, random: Random): { success: number; declined: number; timeout: number } {
  const outcomes = { success: 0, declined: 0, timeout: 0 };
  for (let i = 0; i < attempts; i++) {
    const draw = random();
    if (draw < timeoutShare) outcomes.timeout++;
    else if (draw < timeoutShare + DECLINE_RATE) outcomes.declined++;
    else outcomes.success++;
  }
  return outcomes;
}

function paymentSamples(incident: Incident, traffic: number, now: number, random: Random): { samples: SampleInput[]; succeeded: number } {
  const attempts = poisson(paymentsPerSecond(traffic), random);
  const timeouts = timeoutRate(incident);
  const outcomes = paymentOutcomes(attempts, timeouts, random);
  const tags = { gateway: "ecpay" };
  const samples: SampleInput[] = Object.entries(outcomes).map(([outcome, value]) => ({
    metric: "payment.attempts",
    service: "payments",
    unit: "attempts",
    value,
    timestamp: now,
    tags: { ...tags, outcome },
  }));
  // A second without attempts has no rate, rather than a made-up 100%.
  if (attempts > 0) {
    samples.push({ metric: "payment.success_rate", service: "payments", unit: "%", value: round1((100 * outcomes.success) / attempts), timestamp: now, tags });
  }
  return { samples, succeeded: outcomes.success };
}

function databaseSamples(elapsedMs: number, incident: Incident, traffic: number, now: number, random: Random): SampleInput[] {
  let inUse = usualPoolInUse(incident, traffic) + (random() - 0.5) * 6;
  let waiting = 0;
  if (incident === "pool-exhaustion") {
    const ramp = Math.min(1, activeIncident(elapsedMs)!.sinceMs / POOL_RAMP_MS);
    inUse += (DB_POOL_SIZE - inUse) * ramp - (ramp === 1 ? Math.floor(random() * 3) : 0);
    if (ramp === 1) waiting = poisson(6 + 25 * traffic, random);
  }
  const samples: SampleInput[] = [
    { metric: "db.connections.in_use", service: "postgres", unit: "connections", value: Math.min(DB_POOL_SIZE, Math.round(inUse)), timestamp: now },
    { metric: "db.connections.max", service: "postgres", unit: "connections", value: DB_POOL_SIZE, timestamp: now },
    { metric: "db.connections.waiting", service: "postgres", unit: "connections", value: waiting, timestamp: now },
    { metric: "db.queries.slow", service: "postgres", unit: "queries", value: poisson(slowQueriesPerSecond(incident, traffic), random), timestamp: now },
  ];
  for (const profile of QUERIES) {
    const { query } = profile;
    const median = queryMedianMs(profile, incident);
    for (let i = 0; i < QUERY_SAMPLES_PER_SECOND; i++) {
      samples.push({
        metric: "db.query.duration",
        service: "postgres",
        unit: "ms",
        value: round1(logNormal(median, QUERY_SPREAD, random)),
        timestamp: now - Math.floor(random() * 1000),
        tags: { query },
      });
    }
  }
  return samples;
}

function userSamples(traffic: number, logins: number, now: number, random: Random): SampleInput[] {
  let failed = 0;
  for (let i = 0; i < logins; i++) if (random() < FAILED_LOGIN_RATE) failed++;
  return [
    { metric: "users.signed_in", service: "shop-api", unit: "users", value: Math.round(signedInUsers(traffic) * (0.98 + 0.04 * random())), timestamp: now },
    { metric: "users.logins", service: "shop-api", unit: "logins", value: logins - failed, timestamp: now, tags: { outcome: "success" } },
    { metric: "users.logins", service: "shop-api", unit: "logins", value: failed, timestamp: now, tags: { outcome: "failed" } },
  ];
}

function emailSamples(incident: Incident, traffic: number, ordersPaid: number, now: number, random: Random): SampleInput[] {
  // The email service sends from an outbox table; with no database connection nothing goes out.
  const stalled = incident === "pool-exhaustion";
  const sent = { order_confirmation: stalled ? 0 : ordersPaid, password_reset: stalled ? 0 : poisson(passwordResetsPerSecond(traffic), random) };
  return Object.entries(sent).map(([template, value]) => ({ metric: "email.sent", service: "email", unit: "emails", value, timestamp: now, tags: { template } }));
}

/**
 * One second of the shop's metrics, `elapsedMs` into the demo (which sets any incident),
 * stamped at `now` (whose hour and weekday in `timeZone` set the traffic). Pure given `random`. Per-request
 * `api.response_time` by route; `payment.attempts` by outcome and `payment.success_rate`;
 * the database pool and query times; signed-in users and logins; emails sent.
 */
export function simulateSecond(elapsedMs: number, now: number, random: Random, timeZone: string): SampleInput[] {
  const incident = incidentAt(elapsedMs);
  const traffic = shopTrafficAt(now, timeZone);
  const api = apiSamples(incident, traffic, now, random);
  const payments = paymentSamples(incident, traffic, now, random);
  return [
    ...api.samples,
    ...payments.samples,
    ...databaseSamples(elapsedMs, incident, traffic, now, random),
    ...userSamples(traffic, api.logins, now, random),
    ...emailSamples(incident, traffic, payments.succeeded, now, random),
  ];
}

export interface SimulatedShopOptions {
  /** Seeds the numbers; defaults to the start time. */
  seed?: number;
  /** Where incident announcements go. */
  log?: (line: string) => void;
  /** The shop's time zone, which sets its hour of day; the machine's unless given. */
  timeZone?: string;
}

/**
 * Posts the simulated shop's metrics to Vigil's own ingest route once a second, as a real
 * application would, so the demo exercises the same path as production traffic.
 */
export function startSimulatedShop(baseUrl: string, ingestKey: string, started = Date.now(), options: SimulatedShopOptions = {}): () => void {
  const random = seededRandom(options.seed ?? started);
  const log = options.log ?? console.log;
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const post = (path: string, body?: string) =>
    fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
      body,
    })
      .then(async (response) => {
        if (!response.ok) console.error(`demo workload: ${path} answered ${response.status}: ${await response.text()}`);
      })
      .catch((error: unknown) => console.error(`demo workload: ${path} failed`, error));
  log(describeSchedule(timeZone));
  let previousElapsed = Date.now() - started;
  let nextJobSecond = Math.max(0, Math.floor(previousElapsed / 1000));
  const timer = setInterval(() => {
    const now = Date.now();
    const elapsed = now - started;
    for (const line of incidentAnnouncements(previousElapsed, elapsed, { now, timeZone })) log(line);
    previousElapsed = elapsed;
    void post("/api/ingest/metrics", JSON.stringify({ samples: simulateSecond(elapsed, now, random, timeZone) }));
    // The job's seconds follow the clock, not the tick count, so a late tick neither skips nor shifts a ping.
    for (; nextJobSecond <= Math.floor(elapsed / 1000); nextJobSecond++) {
      const job = jobEventAt(nextJobSecond, incidentAt(nextJobSecond * 1000));
      if (job !== undefined) void post(`/api/ingest/heartbeat/${DEMO_JOB_SLUG}${job}`);
    }
  }, 1000);
  return () => clearInterval(timer);
}

/**
 * The demo job's heartbeat for this second of the run, if any ("" is success): a Celery beat
 * task that starts every minute, takes 3 s, and fails while the database pool is exhausted.
 */
export function jobEventAt(second: number, incident: Incident): "/start" | "" | "/fail" | undefined {
  if (second % 60 === 0) return "/start";
  if (second % 60 === 3) return incident === "pool-exhaustion" ? "/fail" : "";
  return undefined;
}
