import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { auditLog, ingestKey } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";

export function hashIngestKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Seeds the key from INGEST_API_KEY (or the generated one). Idempotent. */
export async function ensureIngestKey(ctx: Ctx, key: string, name: string): Promise<void> {
  await ctx.db
    .insert(ingestKey)
    .values({ name, keyHash: hashIngestKey(key), prefix: key.slice(0, 8) })
    .onConflictDoNothing({ target: ingestKey.keyHash });
}

/** Reads `Authorization: Bearer <key>`; throws UNAUTHORIZED for a missing, unknown or revoked key. */
export async function authenticateIngestKey(ctx: Ctx, authorization: string | null): Promise<{ keyId: string }> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) throw new AppError("UNAUTHORIZED", "send the ingest key as 'Authorization: Bearer <key>'");
  const [found] = await ctx.db
    .select({ id: ingestKey.id })
    .from(ingestKey)
    .where(and(eq(ingestKey.keyHash, hashIngestKey(match[1]!)), isNull(ingestKey.revokedAt)));
  if (!found) throw new AppError("UNAUTHORIZED", "unknown or revoked ingest key");
  return { keyId: found.id };
}

/** Creates a key and returns it in clear exactly once; only its hash is stored. */
export async function createIngestKey(ctx: Ctx, actor: Actor, input: unknown) {
  requireRole(actor, "admin");
  const { name } = z.object({ name: z.string().trim().min(1).max(100) }).parse(input);
  const key = `vgl_${randomBytes(24).toString("base64url")}`;
  return ctx.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(ingestKey)
      .values({ name, keyHash: hashIngestKey(key), prefix: key.slice(0, 8) })
      .returning({ id: ingestKey.id, name: ingestKey.name, prefix: ingestKey.prefix, createdAt: ingestKey.createdAt });
    await tx.insert(auditLog).values({ actorId: actor.id, action: "ingest_key.create", target: created!.id, details: { name } });
    return { ...created!, key };
  });
}
