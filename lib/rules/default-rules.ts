import { sql } from "drizzle-orm";
import { alertRule } from "@/db/schema";
import type { Ctx } from "@/lib/context";

type NewRule = typeof alertRule.$inferInsert;

/** What a fresh install watches, from the user story: slow API, failing payments, a full DB pool, a stuck job. */
export const DEFAULT_RULES: NewRule[] = [
  {
    name: "API response time p95 > 1000 ms",
    metric: "api.response_time",
    aggregation: "p95",
    windowSeconds: 60,
    comparison: ">",
    threshold: 1000,
    severity: "warning",
    channels: ["email"],
  },
  {
    name: "Payment success rate < 95%",
    metric: "payment.success_rate",
    aggregation: "avg",
    windowSeconds: 60,
    comparison: "<",
    threshold: 95,
    severity: "critical",
    channels: ["email", "slack"],
  },
  {
    // Averaged over a minute: a pool briefly full during a burst is normal, one that stays full is not.
    name: "DB connection pool > 90% in use",
    metric: "db.connections.in_use",
    aggregation: "ratio",
    denominator: "db.connections.max",
    windowSeconds: 60,
    comparison: ">",
    threshold: 90,
    severity: "warning",
    channels: ["email", "slack"],
  },
  {
    name: "Background job unhealthy",
    metric: "job.healthy",
    aggregation: "last",
    windowSeconds: 30,
    comparison: "<",
    threshold: 1,
    severity: "critical",
    channels: ["email", "slack"],
  },
];

const SEED_LOCK_KEY = 0x76_69_67_02;

/** Seeds the defaults once: only into an empty rule table, so deleted defaults stay deleted. */
export async function seedDefaultRules(ctx: Ctx): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    // Two instances starting together must not both see an empty table.
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`);
    const [{ count } = { count: 0 }] = await tx.select({ count: sql<number>`count(*)`.mapWith(Number) }).from(alertRule);
    if (count > 0) return 0;
    await tx.insert(alertRule).values(DEFAULT_RULES);
    return DEFAULT_RULES.length;
  });
}
