import { and, desc, eq, gt, lte } from "drizzle-orm";
import { z } from "zod";
import { auditLog, silence } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { labelMap, vigilName } from "@/lib/ingest/batch-schema";
import type { ActiveSilence } from "@/lib/rules/engine";

export type SilenceRow = typeof silence.$inferSelect;

export interface SilenceView {
  id: string;
  matcher: SilenceRow["matcher"];
  startsAt: string;
  endsAt: string;
  reason: string;
  createdBy: string | null;
  createdAt: string;
  /** At the time of the answer. */
  active: boolean;
}

const matcherSchema = z
  .object({
    ruleId: z.string().uuid("not a rule id").optional(),
    metric: vigilName.optional(),
    service: vigilName.optional(),
    labels: labelMap.optional(),
  })
  .strict()
  // A silence that matches everything would quietly switch Vigil off.
  .refine((m) => m.ruleId || m.metric || m.service || Object.keys(m.labels ?? {}).length > 0, "match at least a rule, a metric, a service or a label");

const MAX_SILENCE_MS = 30 * 86_400_000;

export const silenceInputSchema = z
  .object({
    matcher: matcherSchema,
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }),
    reason: z.string().trim().min(1, "say why, for whoever wonders why nobody was paged").max(500),
  })
  .refine((s) => !s.startsAt || Date.parse(s.endsAt) > Date.parse(s.startsAt), { path: ["endsAt"], message: "must be after startsAt" });

function toView(row: SilenceRow, now: Date): SilenceView {
  return {
    ...row,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    active: row.startsAt <= now && now < row.endsAt,
  };
}

export async function createSilence(ctx: Ctx, actor: Actor, body: unknown): Promise<SilenceView> {
  requireRole(actor, "admin");
  const input = silenceInputSchema.parse(body);
  const now = ctx.now();
  const startsAt = input.startsAt ? new Date(input.startsAt) : now;
  const endsAt = new Date(input.endsAt);
  const issue = (message: string) => new AppError("INVALID", `endsAt: ${message}`, { issues: [{ path: "endsAt", message }] });
  if (endsAt <= now) throw issue("already in the past");
  if (endsAt.getTime() - startsAt.getTime() > MAX_SILENCE_MS) throw issue("at most 30 days; a longer silence is a disabled rule");
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(silence).values({ matcher: input.matcher, startsAt, endsAt, reason: input.reason, createdBy: actor.id, createdAt: now }).returning();
    await tx.insert(auditLog).values({ actorId: actor.id, action: "silence.create", target: row!.id, details: { matcher: input.matcher, reason: input.reason } });
    return toView(row!, now);
  });
}

/** Active and upcoming silences, and those that ended in the last day, newest first. */
export async function listSilences(ctx: Ctx): Promise<SilenceView[]> {
  const now = ctx.now();
  const rows = await ctx.db
    .select()
    .from(silence)
    .where(gt(silence.endsAt, new Date(now.getTime() - 86_400_000)))
    .orderBy(desc(silence.startsAt));
  return rows.map((row) => toView(row, now));
}

/** Ends a silence now (kept for the record, not deleted). */
export async function expireSilence(ctx: Ctx, actor: Actor, id: string): Promise<SilenceView> {
  requireRole(actor, "admin");
  const silenceId = z.string().uuid("not a silence id").parse(id);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.update(silence).set({ endsAt: now }).where(and(eq(silence.id, silenceId), gt(silence.endsAt, now))).returning();
    if (!row) {
      const [exists] = await tx.select({ id: silence.id }).from(silence).where(eq(silence.id, silenceId));
      throw exists ? new AppError("CONFLICT", `silence ${silenceId} has already ended`) : new AppError("NOT_FOUND", `no silence ${silenceId}`);
    }
    await tx.insert(auditLog).values({ actorId: actor.id, action: "silence.expire", target: silenceId });
    return toView(row, now);
  });
}

/** The silences in force at `now`, as the engine takes them. */
export async function loadActiveSilences(ctx: Ctx, now: Date): Promise<ActiveSilence[]> {
  const rows = await ctx.db
    .select()
    .from(silence)
    .where(and(lte(silence.startsAt, now), gt(silence.endsAt, now)));
  return rows.map((row) => ({ id: row.id, matcher: row.matcher, startsAt: row.startsAt.getTime(), endsAt: row.endsAt.getTime() }));
}
