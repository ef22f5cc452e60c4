import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { auditLog, healthCheck, HTTP_METHODS, type CheckState } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { httpUrl } from "@/lib/http/http-url";
import type { Sample } from "@/lib/ingest/batch-schema";
import { parseBodyCondition } from "./body-condition";
import { judgeResponse, type CheckVerdict, type ProbeOutcome } from "./judge-response";

export type HealthCheck = typeof healthCheck.$inferSelect;

/** Numbers for `check.state_code`, so rules can compare them: 0 healthy, 1 warning, 2 down. */
export const CHECK_STATE_CODE: Record<CheckState, number> = { healthy: 0, warning: 1, down: 2 };

export const healthCheckInputSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    url: httpUrl,
    method: z.enum(HTTP_METHODS).default("GET"),
    expectedStatus: z.number().int().min(100).max(599).default(200),
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    intervalSeconds: z.number().int().min(5).max(3600).default(30),
    bodyCondition: z
      .string()
      .max(500)
      .nullable()
      .default(null)
      .superRefine((source, issue) => {
        if (source === null) return;
        try {
          parseBodyCondition(source);
        } catch (error) {
          issue.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
    warningLatencyMs: z.number().int().min(1).nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .refine((c) => c.warningLatencyMs === null || c.warningLatencyMs < c.timeoutMs, {
    message: "warningLatencyMs must be below timeoutMs",
    path: ["warningLatencyMs"],
  });

export async function listHealthChecks(ctx: Ctx): Promise<HealthCheck[]> {
  return ctx.db.select().from(healthCheck).orderBy(healthCheck.name);
}

export async function createHealthCheck(ctx: Ctx, actor: Actor, input: unknown): Promise<HealthCheck> {
  requireRole(actor, "admin");
  const values = healthCheckInputSchema.parse(input);
  return ctx.db.transaction(async (tx) => {
    const [created] = await tx.insert(healthCheck).values(values).onConflictDoNothing().returning();
    if (!created) throw new AppError("CONFLICT", `a health check named ${values.name} already exists`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "health_check.create", target: created.id, details: values });
    return created;
  });
}

export async function updateHealthCheck(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<HealthCheck> {
  requireRole(actor, "admin");
  const checkId = z.string().uuid("not a health check id").parse(id);
  const values = healthCheckInputSchema.parse(input);
  return ctx.db.transaction(async (tx) => {
    const [updated] = await tx.update(healthCheck).set(values).where(eq(healthCheck.id, checkId)).returning();
    if (!updated) throw new AppError("NOT_FOUND", `no health check ${checkId}`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "health_check.update", target: checkId, details: values });
    return updated;
  });
}

export async function deleteHealthCheck(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requireRole(actor, "admin");
  const checkId = z.string().uuid("not a health check id").parse(id);
  await ctx.db.transaction(async (tx) => {
    const [deleted] = await tx.delete(healthCheck).where(eq(healthCheck.id, checkId)).returning({ id: healthCheck.id });
    if (!deleted) throw new AppError("NOT_FOUND", `no health check ${checkId}`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "health_check.delete", target: checkId });
  });
}

/** Sends the check's request and reports what came back (never throws). */
export async function probe(check: HealthCheck, fetchImpl: typeof fetch = fetch): Promise<ProbeOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  try {
    const response = await fetchImpl(check.url, {
      method: check.method,
      signal: AbortSignal.timeout(check.timeoutMs),
      redirect: "follow",
      headers: { "user-agent": "Vigil health check" },
    });
    const body = check.bodyCondition ? await response.text() : (await response.body?.cancel(), "");
    return { kind: "response", status: response.status, latencyMs: elapsed(), body };
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return { kind: "timeout", latencyMs: elapsed() };
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return { kind: "error", latencyMs: elapsed(), message: `request failed: ${cause}` };
  }
}

/** Runs one check: probe, judge, and the samples that record it. */
export async function runHealthCheck(check: HealthCheck, now: Date, fetchImpl: typeof fetch = fetch): Promise<{ verdict: CheckVerdict; latencyMs: number; samples: Sample[] }> {
  const outcome = await probe(check, fetchImpl);
  const verdict = judgeResponse(
    {
      expectedStatus: check.expectedStatus,
      timeoutMs: check.timeoutMs,
      warningLatencyMs: check.warningLatencyMs,
      bodyCondition: check.bodyCondition ? parseBodyCondition(check.bodyCondition) : null,
    },
    outcome,
  );
  return { verdict, latencyMs: outcome.latencyMs, samples: checkSamples(check.name, verdict.state, outcome.latencyMs, now.getTime()) };
}

/** `check.up` (1 unless down), `check.state_code` and `check.latency` for one check. */
export function checkSamples(name: string, state: CheckState, latencyMs: number, ts: number): Sample[] {
  const tags = { check: name };
  return [
    { metric: "check.up", service: "checks", tags, value: state === "down" ? 0 : 1, ts },
    { metric: "check.state_code", service: "checks", tags, value: CHECK_STATE_CODE[state], ts },
    { metric: "check.latency", service: "checks", unit: "ms", tags, value: latencyMs, ts },
  ];
}

function isCheckDue(check: HealthCheck, now: Date): boolean {
  return check.enabled && (check.lastCheckedAt === null || now.getTime() - check.lastCheckedAt.getTime() >= check.intervalSeconds * 1000);
}

/** Runs every due check, hands the samples to `ingest`, and keeps the verdict on the check. */
export async function runDueHealthChecks(
  ctx: Ctx,
  ingest: (samples: Sample[]) => Promise<unknown>,
  fetchImpl: typeof fetch = fetch,
): Promise<{ check: string; verdict: CheckVerdict }[]> {
  const now = ctx.now();
  const due = (await listHealthChecks(ctx)).filter((c) => isCheckDue(c, now));
  const results = await Promise.all(
    due.map(async (check) => {
      // Claim the slot atomically: an overlapping tick (a slow check is still running) skips it.
      const [claimed] = await ctx.db
        .update(healthCheck)
        .set({ lastCheckedAt: now })
        .where(and(eq(healthCheck.id, check.id), check.lastCheckedAt ? eq(healthCheck.lastCheckedAt, check.lastCheckedAt) : isNull(healthCheck.lastCheckedAt)))
        .returning({ id: healthCheck.id });
      if (!claimed) return undefined;
      const { verdict, latencyMs, samples } = await runHealthCheck(check, now, fetchImpl);
      await ingest(samples);
      await ctx.db
        .update(healthCheck)
        .set({ lastState: verdict.state, lastReason: verdict.reason, lastLatencyMs: latencyMs })
        .where(eq(healthCheck.id, check.id));
      return { check: check.name, verdict };
    }),
  );
  return results.filter((r) => r !== undefined);
}
