import type { SampleInput } from "@/lib/ingest/batch-schema";

/** The demo's heartbeat job, seeded by `seedDemo`. */
export const DEMO_JOB_SLUG = "invoice-sync";

/**
 * A pretend web shop for the demo: an API, a payment gateway and a database pool, with an
 * incident on a fixed cycle so the dashboard shows alerts opening and closing by themselves.
 */
export const INCIDENT_CYCLE_MS = 8 * 60_000;

export type Incident = "none" | "slow-api" | "payment-failures";

/** Minute 2–3.5 of each cycle the API is slow; minute 5–6 payments fail. */
export function incidentAt(elapsedMs: number): Incident {
  const inCycle = elapsedMs % INCIDENT_CYCLE_MS;
  if (inCycle >= 120_000 && inCycle < 210_000) return "slow-api";
  if (inCycle >= 300_000 && inCycle < 360_000) return "payment-failures";
  return "none";
}

/** Log-normal around a median: latency's usual shape (most fast, a long slow tail). */
function logNormal(median: number, spread: number, random: () => number): number {
  const u = Math.max(random(), 1e-9);
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(spread * normal);
}

/** One second of the shop's metrics at `now`. */
export function simulateSecond(elapsedMs: number, now: number, random: () => number = Math.random): SampleInput[] {
  const incident = incidentAt(elapsedMs);
  const requests = 15 + Math.floor(random() * 10);
  const samples: SampleInput[] = [];
  for (let i = 0; i < requests; i++) {
    const median = incident === "slow-api" ? 1400 : 160;
    samples.push({
      metric: "api.response_time",
      service: "shop-api",
      unit: "ms",
      value: Math.round(logNormal(median, 0.35, random)),
      timestamp: now - Math.floor(random() * 1000),
      tags: { route: random() < 0.6 ? "/api/products" : "/api/checkout" },
    });
  }
  const failureRate = incident === "payment-failures" ? 0.1 + random() * 0.05 : random() * 0.025;
  const load = 0.5 + 0.2 * Math.sin((2 * Math.PI * elapsedMs) / INCIDENT_CYCLE_MS);
  samples.push(
    { metric: "payment.success_rate", service: "payments", unit: "%", value: round1(100 * (1 - failureRate)), timestamp: now, tags: { gateway: "ecpay" } },
    { metric: "api.requests", service: "shop-api", unit: "req/s", value: requests, timestamp: now },
    { metric: "db.connections.in_use", service: "postgres", unit: "connections", value: Math.round(100 * load + random() * 8), timestamp: now },
    { metric: "db.connections.max", service: "postgres", unit: "connections", value: 100, timestamp: now },
  );
  return samples;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * Posts the simulated shop's metrics to Vigil's own ingest route once a second, as a real
 * application would, so the demo exercises the same path as production traffic.
 */
export function startSimulatedShop(baseUrl: string, ingestKey: string, started = Date.now()): () => void {
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
  let second = 0;
  const timer = setInterval(() => {
    void post("/api/ingest/metrics", JSON.stringify({ samples: simulateSecond(Date.now() - started, Date.now()) }));
    // A Celery beat task: starts every minute, takes 3 s, fails during the payment incident.
    const job = jobEventAt(second++, incidentAt(Date.now() - started));
    if (job !== undefined) void post(`/api/ingest/heartbeat/${DEMO_JOB_SLUG}${job}`);
  }, 1000);
  return () => clearInterval(timer);
}

/** The demo job's heartbeat for this second of the run, if any ("" is success). */
export function jobEventAt(second: number, incident: Incident): "/start" | "" | "/fail" | undefined {
  if (second % 60 === 0) return "/start";
  if (second % 60 === 3) return incident === "payment-failures" ? "/fail" : "";
  return undefined;
}
