import { eq } from "drizzle-orm";
import { z } from "zod";
import { auditLog, ROLES, user } from "@/db/schema";
import type { Actor, Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { LoginThrottle } from "./login-throttle";
import { hashPassword, verifyPassword } from "./password";
import { requireRole } from "./require-role";

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(1).max(1024),
});

/** First start: make sure the configured admin exists. Never overwrites a password someone changed. */
export async function ensureAdmin(ctx: Ctx, email: string, password: string): Promise<{ created: boolean }> {
  // Every start calls this; skip the deliberately slow hash when the admin is already there.
  const [existing] = await ctx.db.select({ id: user.id }).from(user).where(eq(user.email, email.toLowerCase()));
  if (existing) return { created: false };
  const passwordHash = await hashPassword(password);
  const inserted = await ctx.db
    .insert(user)
    .values({ email: email.toLowerCase(), passwordHash, role: "admin", name: "Administrator" })
    .onConflictDoNothing({ target: user.email })
    .returning({ id: user.id });
  return { created: inserted.length > 0 };
}

export interface LoginAttempt {
  email: string;
  password: string;
  /** Client address, for per-address throttling. */
  address: string;
}

/** Checks a login. Wrong email and wrong password fail the same way, in about the same time. */
export async function authenticate(ctx: Ctx, throttle: LoginThrottle, attempt: LoginAttempt): Promise<Actor> {
  const { email, password } = credentialsSchema.parse(attempt);
  const now = ctx.now().getTime();
  const decision = throttle.check(email, attempt.address, now);
  if (!decision.allowed) {
    throw new AppError("RATE_LIMITED", decision.reason, undefined, decision.retryAfterMs / 1000);
  }
  const [found] = await ctx.db.select().from(user).where(eq(user.email, email));
  // Hash even for an unknown email so timing does not reveal which emails exist.
  const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
  if (!found || !ok) {
    throttle.recordFailure(email, attempt.address, now);
    throw new AppError("UNAUTHORIZED", "wrong email or password");
  }
  throttle.recordSuccess(email);
  return { id: found.id, email: found.email, role: found.role };
}

const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(8, "at least 8 characters").max(1024),
  role: z.enum(ROLES),
  name: z.string().trim().max(200).optional(),
});

export async function createUser(ctx: Ctx, actor: Actor, input: unknown) {
  requireRole(actor, "admin");
  const { email, password, role, name } = newUserSchema.parse(input);
  const passwordHash = await hashPassword(password);
  return ctx.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(user)
      .values({ email, passwordHash, role, name })
      .onConflictDoNothing({ target: user.email })
      .returning({ id: user.id, email: user.email, role: user.role, name: user.name, createdAt: user.createdAt });
    if (!created) throw new AppError("CONFLICT", `a user with email ${email} already exists`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "user.create", target: created.id, details: { email, role } });
    return created;
  });
}

export async function listUsers(ctx: Ctx) {
  return ctx.db
    .select({ id: user.id, email: user.email, role: user.role, name: user.name, createdAt: user.createdAt })
    .from(user)
    .orderBy(user.createdAt);
}
