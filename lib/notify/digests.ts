import { and, asc, eq, inArray, lte } from "drizzle-orm";
import { notificationDelivery } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { heldWithoutDigest, SENDABLE } from "./deliveries";

/**
 * Gathers the messages held by quiet hours that are now due into one digest per recipient and
 * channel, and returns every digest still to send (these, and any a crash left unsent or half sent). The
 * held rows are locked and pointed at their digest in one transaction, so two instances never
 * build two digests of the same rows.
 */
export async function planDueDigests(ctx: Ctx): Promise<string[]> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(notificationDelivery)
      .where(and(heldWithoutDigest, lte(notificationDelivery.dueAt, now)))
      .orderBy(asc(notificationDelivery.dueAt))
      .for("update", { skipLocked: true });
    const groups = new Map<string, typeof due>();
    for (const row of due) {
      const key = `${row.recipientId ?? "team"}|${row.channel}|${row.target}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const rows of groups.values()) {
      const first = rows[0]!;
      const [digest] = await tx
        .insert(notificationDelivery)
        .values({
          alertId: null,
          recipientId: first.recipientId,
          channel: first.channel,
          target: first.target,
          kind: "digest",
          state: "planned",
          // The rows are locked and point at it in this transaction: one digest per batch of them.
          dedupKey: `digest:${first.id}`,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: notificationDelivery.id });
      await tx
        .update(notificationDelivery)
        .set({ state: "digested", digestId: digest!.id, updatedAt: now })
        .where(inArray(notificationDelivery.id, rows.map((r) => r.id)));
    }
  });
  const owed = await ctx.db
    .select({ id: notificationDelivery.id })
    .from(notificationDelivery)
    .where(and(eq(notificationDelivery.kind, "digest"), inArray(notificationDelivery.state, [...SENDABLE, "sending"])))
    .orderBy(asc(notificationDelivery.createdAt));
  return owed.map((row) => row.id);
}
