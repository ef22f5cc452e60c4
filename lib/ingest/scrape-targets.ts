import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { auditLog, scrapeTarget } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { httpUrl } from "@/lib/http/http-url";
import type { Sample } from "./batch-schema";
import { parsePrometheusText, PROMETHEUS_CONTENT_TYPE } from "./prometheus-text";

export type ScrapeTarget = typeof scrapeTarget.$inferSelect;

export const scrapeTargetInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  url: httpUrl,
  intervalSeconds: z.number().int().min(1).max(3600).default(15),
  service: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_.:\-/]*$/)
    .max(200)
    .nullable()
    .default(null),
  enabled: z.boolean().default(true),
});

export async function listScrapeTargets(ctx: Ctx): Promise<ScrapeTarget[]> {
  return ctx.db.select().from(scrapeTarget).orderBy(scrapeTarget.name);
}

export async function createScrapeTarget(ctx: Ctx, actor: Actor, input: unknown): Promise<ScrapeTarget> {
  requireRole(actor, "admin");
  const values = scrapeTargetInputSchema.parse(input);
  return ctx.db.transaction(async (tx) => {
    const [created] = await tx.insert(scrapeTarget).values(values).onConflictDoNothing().returning();
    if (!created) throw new AppError("CONFLICT", `a scrape target named ${values.name} already exists`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "scrape_target.create", target: created.id, details: values });
    return created;
  });
}

export async function deleteScrapeTarget(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requireRole(actor, "admin");
  const targetId = z.string().uuid("not a scrape target id").parse(id);
  await ctx.db.transaction(async (tx) => {
    const [deleted] = await tx.delete(scrapeTarget).where(eq(scrapeTarget.id, targetId)).returning({ id: scrapeTarget.id });
    if (!deleted) throw new AppError("NOT_FOUND", `no scrape target ${targetId}`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "scrape_target.delete", target: targetId });
  });
}

/** Whether a target's next scrape is due at `now`. */
export function isScrapeDue(target: Pick<ScrapeTarget, "enabled" | "lastScrapeAt" | "intervalSeconds">, now: Date): boolean {
  if (!target.enabled) return false;
  return target.lastScrapeAt === null || now.getTime() - target.lastScrapeAt.getTime() >= target.intervalSeconds * 1000;
}

export interface ScrapeResult {
  samples: Sample[];
  durationMs: number;
  error: string | null;
}

/**
 * Pulls one target. A failure is a result, not a throw: the target's `scrape.up` goes to 0
 * with the reason kept, as Prometheus does. Times out at the interval (at most 10 s).
 */
export async function scrape(target: ScrapeTarget, now: Date, fetchImpl: typeof fetch = fetch): Promise<ScrapeResult> {
  const started = performance.now();
  const timeoutMs = Math.min(target.intervalSeconds, 10) * 1000;
  let samples: Sample[] = [];
  let error: string | null = null;
  try {
    const response = await fetchImpl(target.url, {
      headers: { accept: PROMETHEUS_CONTENT_TYPE },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "follow",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    samples = parsePrometheusText(await response.text(), {
      now: now.getTime(),
      ...(target.service ? { service: target.service } : {}),
    });
  } catch (caught) {
    error = describeScrapeError(caught, timeoutMs);
  }
  const durationMs = performance.now() - started;
  const tags = { target: target.name };
  samples.push(
    { metric: "scrape.up", service: "vigil", tags, value: error ? 0 : 1, ts: now.getTime() },
    { metric: "scrape.duration", service: "vigil", unit: "ms", tags, value: durationMs, ts: now.getTime() },
  );
  return { samples, durationMs, error };
}

function describeScrapeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `timeout after ${timeoutMs / 1000} s`;
  if (error instanceof AppError) return `bad exposition: ${error.message}`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}

/** Scrapes every due target, hands their samples to `ingest`, and records the outcome on the target. */
export async function scrapeDueTargets(
  ctx: Ctx,
  ingest: (samples: Sample[]) => Promise<unknown>,
  fetchImpl: typeof fetch = fetch,
): Promise<ScrapeResult[]> {
  const now = ctx.now();
  const due = (await listScrapeTargets(ctx)).filter((t) => isScrapeDue(t, now));
  const results = await Promise.all(
    due.map(async (target) => {
      // Claim the slot atomically: an overlapping tick (a slow scrape is still running) skips it.
      const [claimed] = await ctx.db
        .update(scrapeTarget)
        .set({ lastScrapeAt: now })
        .where(and(eq(scrapeTarget.id, target.id), target.lastScrapeAt ? eq(scrapeTarget.lastScrapeAt, target.lastScrapeAt) : isNull(scrapeTarget.lastScrapeAt)))
        .returning({ id: scrapeTarget.id });
      if (!claimed) return undefined;
      const result = await scrape(target, now, fetchImpl);
      await ingest(result.samples);
      await ctx.db
        .update(scrapeTarget)
        .set({ lastDurationMs: result.durationMs, lastError: result.error })
        .where(eq(scrapeTarget.id, target.id));
      return result;
    }),
  );
  return results.filter((r) => r !== undefined);
}
