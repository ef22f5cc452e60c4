import type { SampleInput } from "@/lib/ingest/batch-schema";
import { activeIncident, describeSchedule, incidentAnnouncements, incidentAt, type Incident } from "./incident-schedule";
import { logNormal, poisson, seededRandom, type Random } from "./seeded-random";
import { shopHourAt, trafficAt } from "./traffic-shape";

/** The demo's heartbeat job, seeded by `seedDemo`. */
export const DEMO_JOB_SLUG = "invoice-sync";

export const DB_POOL_SIZE = 100;

interface RouteProfile {
  route: string;
  /** Share of the shop's requests. */
  share: number;
  medianMs: number;
  /** Served from the product cache, so slow when the cache is down. */
  cached: boolean;
  /** Needs a database connection for a write, so waits when the pool is exhausted. */
  writes: boolean;
}

const ROUTES: readonly RouteProfile[] = [
  { route: "/api/products", share: 0.35, medianMs: 70, cached: true, writes: false },
  { route: "/api/search", share: 0.2, medianMs: 140, cached: true, writes: false },
  { route: "/api/cart", share: 0.2, medianMs: 60, cached: false, writes: true },
  { route: "/api/login", share: 0.1, medianMs: 180, cached: false, writes: true },
  { route: "/api/checkout", share: 0.15, medianMs: 320, cached: false, writes: true },
];

const QUERIES = [
  { query: "products.list", medianMs: 3 },
  { query: "orders.insert", medianMs: 8 },
  { query: "sessions.lookup", medianMs: 1.5 },
] as const;

const REQUESTS_PER_SECOND = { quiet: 3, peak: 30 };
const PAYMENTS_PER_SECOND = { quiet: 4, peak: 16 };
const DECLINE_RATE = 0.006;
const TIMEOUT_RATE = { usual: 0.001, incident: 0.3 };
const CACHE_DOWN_EXTRA_MS = 1400;
const POOL_WAIT_MS = 150;
const POOL_RAMP_MS = 20_000;
const FAILED_LOGIN_RATE = 0.08;

function between(quiet: number, peak: number, traffic: number): number {
  return quiet + (peak - quiet) * traffic;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function apiSamples(incident: Incident, traffic: number, now: number, random: Random): { samples: SampleInput[]; logins: number } {
  const samples: SampleInput[] = [];
  const rps = between(REQUESTS_PER_SECOND.quiet, REQUESTS_PER_SECOND.peak, traffic);
  let logins = 0;
  for (const profile of ROUTES) {
    const count = poisson(rps * profile.share, random);
    if (profile.route === "/api/login") logins = count;
    let median = profile.medianMs * (1 + 0.4 * traffic);
    if (incident === "latency-spike" && profile.cached) median += CACHE_DOWN_EXTRA_MS;
    if (incident === "pool-exhaustion" && profile.writes) median += POOL_WAIT_MS;
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

function paymentSamples(incident: Incident, traffic: number, now: number, random: Random): { samples: SampleInput[]; succeeded: number } {
  const attempts = poisson(between(PAYMENTS_PER_SECOND.quiet, PAYMENTS_PER_SECOND.peak, traffic), random);
  const timeoutRate = incident === "gateway-timeouts" ? TIMEOUT_RATE.incident : TIMEOUT_RATE.usual;
  const outcomes = { success: 0, declined: 0, timeout: 0 };
  for (let i = 0; i < attempts; i++) {
    const draw = random();
    if (draw < timeoutRate) outcomes.timeout++;
    else if (draw < timeoutRate + DECLINE_RATE) outcomes.declined++;
    else outcomes.success++;
  }
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
  let inUse = DB_POOL_SIZE * (0.12 + 0.5 * traffic) + (random() - 0.5) * 6;
  if (incident === "latency-spike") inUse += 12; // cache misses land on the database
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
  ];
  for (const { query, medianMs } of QUERIES) {
    let median = medianMs;
    if (incident === "latency-spike" && query === "products.list") median *= 10;
    if (incident === "pool-exhaustion") median *= 2.5; // the export's locks
    for (let i = 0; i < 2; i++) {
      samples.push({
        metric: "db.query.duration",
        service: "postgres",
        unit: "ms",
        value: round1(logNormal(median, 0.5, random)),
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
    { metric: "users.signed_in", service: "shop-api", unit: "users", value: Math.round((40 + 1500 * traffic) * (0.98 + 0.04 * random())), timestamp: now },
    { metric: "users.logins", service: "shop-api", unit: "logins", value: logins - failed, timestamp: now, tags: { outcome: "success" } },
    { metric: "users.logins", service: "shop-api", unit: "logins", value: failed, timestamp: now, tags: { outcome: "failed" } },
  ];
}

function emailSamples(incident: Incident, traffic: number, ordersPaid: number, now: number, random: Random): SampleInput[] {
  // The email service sends from an outbox table; with no database connection nothing goes out.
  const stalled = incident === "pool-exhaustion";
  const sent = { order_confirmation: stalled ? 0 : ordersPaid, password_reset: stalled ? 0 : poisson(0.05 + 0.3 * traffic, random) };
  return Object.entries(sent).map(([template, value]) => ({ metric: "email.sent", service: "email", unit: "emails", value, timestamp: now, tags: { template } }));
}

/**
 * One second of the shop's metrics, `elapsedMs` into the demo (which sets the hour of the
 * shop's day and any incident), stamped at `now`. Pure given `random`. Per-request
 * `api.response_time` by route; `payment.attempts` by outcome and `payment.success_rate`;
 * the database pool and query times; signed-in users and logins; emails sent.
 */
export function simulateSecond(elapsedMs: number, now: number, random: Random = Math.random): SampleInput[] {
  const incident = incidentAt(elapsedMs);
  const traffic = trafficAt(shopHourAt(elapsedMs));
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
}

/**
 * Posts the simulated shop's metrics to Vigil's own ingest route once a second, as a real
 * application would, so the demo exercises the same path as production traffic.
 */
export function startSimulatedShop(baseUrl: string, ingestKey: string, started = Date.now(), options: SimulatedShopOptions = {}): () => void {
  const random = seededRandom(options.seed ?? started);
  const log = options.log ?? console.log;
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
  log(describeSchedule());
  let previousElapsed = Date.now() - started;
  let nextJobSecond = Math.max(0, Math.floor(previousElapsed / 1000));
  const timer = setInterval(() => {
    const now = Date.now();
    const elapsed = now - started;
    for (const line of incidentAnnouncements(previousElapsed, elapsed)) log(line);
    previousElapsed = elapsed;
    void post("/api/ingest/metrics", JSON.stringify({ samples: simulateSecond(elapsed, now, random) }));
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
