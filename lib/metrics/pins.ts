import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { AGGREGATIONS, auditLog, dashboardPin } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { vigilName } from "@/lib/ingest/batch-schema";

export type Pin = typeof dashboardPin.$inferSelect;

/** Enough for a phone to scroll through; a wall of cards is a second dashboard, not a pin. */
export const MAX_PINS = 12;

export const pinInputSchema = z.object({
  metric: vigilName,
  service: vigilName.nullable().default(null),
  // A ratio needs a second metric, which a card does not carry.
  aggregation: z.enum(AGGREGATIONS).exclude(["ratio"]).default("last"),
  windowSeconds: z.number().int().min(10).max(3600).default(60),
  title: z.string().trim().min(1).max(80).nullable().default(null),
  unit: z.string().trim().min(1).max(32).nullable().default(null),
});

export async function listPins(ctx: Ctx): Promise<Pin[]> {
  return ctx.db.select().from(dashboardPin).orderBy(asc(dashboardPin.createdAt), asc(dashboardPin.id));
}

/** Pins a metric; pinning what is already pinned returns that pin (`created: false`). */
export async function pinMetric(ctx: Ctx, actor: Actor, input: unknown): Promise<{ pin: Pin; created: boolean }> {
  requireRole(actor, "admin");
  const values = pinInputSchema.parse(input);
  return ctx.db.transaction(async (tx) => {
    // Serialises pinning so two admins cannot both take the last free place.
    await tx.execute(sql`lock table ${dashboardPin} in share row exclusive mode`);
    const [existing] = await tx
      .select()
      .from(dashboardPin)
      .where(
        and(
          eq(dashboardPin.metric, values.metric),
          sql`coalesce(${dashboardPin.service}, '') = ${values.service ?? ""}`,
          eq(dashboardPin.aggregation, values.aggregation),
        ),
      );
    if (existing) return { pin: existing, created: false };
    const [{ count } = { count: 0 }] = await tx.select({ count: sql<number>`count(*)`.mapWith(Number) }).from(dashboardPin);
    if (count >= MAX_PINS) throw new AppError("CONFLICT", `the dashboard holds at most ${MAX_PINS} pinned metrics; unpin one first`);
    const [pin] = await tx
      .insert(dashboardPin)
      .values({ ...values, createdBy: actor.id, createdAt: ctx.now() })
      .returning();
    await tx.insert(auditLog).values({ actorId: actor.id, action: "dashboard.pin", target: pin!.id, details: values });
    return { pin: pin!, created: true };
  });
}

export async function unpinMetric(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requireRole(actor, "admin");
  const pinId = z.string().uuid("not a pin id").parse(id);
  await ctx.db.transaction(async (tx) => {
    const [deleted] = await tx.delete(dashboardPin).where(eq(dashboardPin.id, pinId)).returning({ id: dashboardPin.id });
    if (!deleted) throw new AppError("NOT_FOUND", `no pin ${pinId}`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "dashboard.unpin", target: pinId });
  });
}
