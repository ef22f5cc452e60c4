import { sql } from "drizzle-orm";
import { alertRule } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { ruleInputSchema, toColumns } from "./rules";

/**
 * What a fresh install watches, from the user story: failing payments, a slow API, a full DB
 * pool, a stuck job. In the API's format (rules:replay reads the same); `dependsOn` by name.
 * Each has a `for` and a clear threshold, so a single bad sample or a value hovering at the
 * threshold makes at most one alert.
 */
export const DEFAULT_RULES = [
  {
    name: "Payment success rate < 95%",
    metric: "payment.success_rate",
    aggregation: "avg",
    window: "1m",
    minSamples: 3,
    operator: "<",
    threshold: 95,
    clearThreshold: 97,
    for: "10s",
    severity: "critical",
    channels: ["email", "slack"],
  },
  {
    name: "API response time p95 > 1000 ms",
    metric: "api.response_time",
    aggregation: "p95",
    window: "1m",
    minSamples: 20,
    operator: ">",
    threshold: 1000,
    clearThreshold: 800,
    for: "30s",
    severity: "warning",
    channels: ["email"],
  },
  {
    // Averaged over 30 s: a pool briefly full during a burst is normal, one that stays full is not.
    // It keeps firing a minute after the pool recovers, the time jobs that failed for want of a
    // connection need to run again: their alerts depend on this one and stay quiet meanwhile.
    name: "DB connection pool > 90% in use",
    metric: "db.connections.in_use",
    aggregation: "ratio",
    denominator: "db.connections.max",
    window: "30s",
    operator: ">",
    threshold: 90,
    clearThreshold: 80,
    for: "15s",
    keepFiringFor: "1m",
    severity: "warning",
    channels: ["email", "slack"],
  },
  {
    // A job failing because the pool is exhausted is the pool's alert, not a second page.
    name: "Background job unhealthy",
    metric: "job.healthy",
    aggregation: "last",
    window: "30s",
    operator: "<",
    threshold: 1,
    for: "30s",
    severity: "critical",
    channels: ["email", "slack"],
    dependsOn: ["DB connection pool > 90% in use"],
  },
] as const satisfies readonly Record<string, unknown>[];

const SEED_LOCK_KEY = 0x76_69_67_02;

/** Seeds the defaults once: only into an empty rule table, so deleted defaults stay deleted. */
export async function seedDefaultRules(ctx: Ctx): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    // Two instances starting together must not both see an empty table.
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`);
    const [{ count } = { count: 0 }] = await tx.select({ count: sql<number>`count(*)`.mapWith(Number) }).from(alertRule);
    if (count > 0) return 0;
    const ids = new Map(DEFAULT_RULES.map((rule) => [rule.name, crypto.randomUUID()]));
    const rows = DEFAULT_RULES.map((rule) => {
      const dependsOn = "dependsOn" in rule ? rule.dependsOn.map((name) => ids.get(name)!) : [];
      return { id: ids.get(rule.name)!, ...toColumns(ruleInputSchema.parse({ ...rule, dependsOn })) };
    });
    await tx.insert(alertRule).values(rows);
    return rows.length;
  });
}
