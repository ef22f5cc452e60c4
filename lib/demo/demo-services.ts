import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { anomalyWatch, healthCheck, jobMonitor } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { incidentAt, SLOW_QUERY_WATCH } from "./incident-schedule";
import { DEMO_JOB_SLUG } from "./simulated-shop";

export interface HealthAnswer {
  status: number;
  body: object;
  delayMs: number;
}

/** The fake ECPay gateway's health endpoint: down while the gateway times out. */
export function gatewayHealth(elapsedMs: number): HealthAnswer {
  if (incidentAt(elapsedMs) === "gateway-timeouts") return { status: 503, body: { status: "timeout", upstream: "ecpay" }, delayMs: 0 };
  return { status: 200, body: { status: "ok" }, delayMs: 20 };
}

/** The fake email service's health endpoint: its outbox lives in the shop's database, so it fails with the pool. */
export function emailHealth(elapsedMs: number): HealthAnswer {
  if (incidentAt(elapsedMs) === "pool-exhaustion") {
    return { status: 503, body: { status: "degraded", outbox: "stalled", reason: "no database connection" }, delayMs: 0 };
  }
  return { status: 200, body: { status: "ok" }, delayMs: 5 };
}

const HEALTH_ENDPOINTS = new Map<string | undefined, (elapsedMs: number) => HealthAnswer>([
  ["/gateway/health", gatewayHealth],
  ["/email/health", emailHealth],
]);

/**
 * The demo shop's dependencies, a payment gateway and an email service, each with a
 * health endpoint on loopback, so the demo's "Service health" has something real to probe.
 */
export async function startDemoServices(started: number): Promise<{ gatewayUrl: string; emailUrl: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const health = HEALTH_ENDPOINTS.get(req.url);
    const answer = health ? health(Date.now() - started) : { status: 404, body: { error: "not found" }, delayMs: 0 };
    setTimeout(() => res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body)), answer.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    gatewayUrl: `${base}/gateway/health`,
    emailUrl: `${base}/email/health`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Health checks and a heartbeat job for the demo, re-pointed at this run's ports on every start,
 * and an anomaly watch on query time, which no rule watches: the slow-queries incident shows there.
 */
export async function seedDemo(ctx: Ctx, urls: { gatewayUrl: string; emailUrl: string }): Promise<void> {
  const checks = [
    { name: "ECPay gateway", url: urls.gatewayUrl, bodyCondition: 'status == "ok"', warningLatencyMs: 500, timeoutMs: 3000, intervalSeconds: 5 },
    { name: "Email service", url: urls.emailUrl, bodyCondition: null, warningLatencyMs: 500, timeoutMs: 3000, intervalSeconds: 10 },
  ];
  await ctx.db
    .insert(healthCheck)
    .values(checks)
    .onConflictDoUpdate({ target: healthCheck.name, set: { url: sql`excluded.url` } });
  await ctx.db
    .insert(jobMonitor)
    .values({ slug: DEMO_JOB_SLUG, name: "Invoice sync (Celery beat)", periodSeconds: 60, graceSeconds: 30, maxRuntimeSeconds: 20 })
    .onConflictDoNothing();
  // Created once: a watch an admin switched off stays off on the next start.
  await ctx.db.insert(anomalyWatch).values({ ...SLOW_QUERY_WATCH, createdAt: ctx.now() }).onConflictDoNothing();
}
