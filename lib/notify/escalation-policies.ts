import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { alertRule, auditLog, CHANNELS, escalationPolicy, SEVERITIES, user, type EscalationTier, type Severity } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx, Tx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { durationField, formatDuration } from "@/lib/rules/durations";

type PolicyRow = typeof escalationPolicy.$inferSelect;

/** A policy as the pipeline reads it. */
export interface EscalationPolicy {
  id: string | null;
  name: string;
  tiers: EscalationTier[];
  repeat: number;
  repeatAfterSeconds: number;
}

/** A policy as the API shows it: durations as "5m". */
export interface EscalationPolicyView {
  id: string;
  name: string;
  severity: Severity | null;
  tiers: { after: string; userIds: string[] | null; channels: EscalationTier["channels"] }[];
  repeat: number;
  repeatAfter: string;
}

const tierSchema = z
  .object({
    after: durationField(0, 86_400),
    userIds: z.array(z.string().uuid("not a user id")).min(1).max(50).nullable().default(null),
    channels: z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length).nullable().default(null),
  })
  .strict();

export const policyInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    severity: z.enum(SEVERITIES).nullable().default(null),
    tiers: z.array(tierSchema).min(1).max(10),
    repeat: z.number().int().min(0).max(10).default(0),
    repeatAfter: durationField(60, 7 * 86_400).default(900),
  })
  .strict()
  .superRefine((policy, ctx) => {
    policy.tiers.forEach((tier, i) => {
      if (i > 0 && tier.after <= policy.tiers[i - 1]!.after) {
        ctx.addIssue({ code: "custom", path: ["tiers", i, "after"], message: "each tier comes after the one before" });
      }
    });
    const last = policy.tiers.at(-1)?.after ?? 0;
    if (policy.repeat > 0 && policy.repeatAfter <= last) {
      ctx.addIssue({ code: "custom", path: ["repeatAfter"], message: `must be longer than the last tier's wait (${formatDuration(last)})` });
    }
  });

/**
 * The defaults: a critical pages the subscribers at once, everyone on every channel after 5
 * minutes, and starts again every 15 minutes twice more; warnings and info page once.
 */
const DEFAULT_POLICIES: z.input<typeof policyInputSchema>[] = [
  {
    name: "Critical: page, then everyone",
    severity: "critical",
    tiers: [{ after: "0s" }, { after: "5m", channels: ["email", "sms", "slack"] }],
    repeat: 2,
    repeatAfter: "15m",
  },
  { name: "Warning: page once", severity: "warning", tiers: [{ after: "0s" }] },
  { name: "Info: page once", severity: "info", tiers: [{ after: "0s" }] },
];

const FALLBACK: EscalationPolicy = { id: null, name: "page once", tiers: [{ afterSeconds: 0, userIds: null, channels: null }], repeat: 0, repeatAfterSeconds: 900 };

function toColumns(input: z.output<typeof policyInputSchema>) {
  return {
    name: input.name,
    severity: input.severity,
    tiers: input.tiers.map((t) => ({ afterSeconds: t.after, userIds: t.userIds, channels: t.channels })),
    repeat: input.repeat,
    repeatAfterSeconds: input.repeatAfter,
  };
}

function toView(row: PolicyRow): EscalationPolicyView {
  return {
    id: row.id,
    name: row.name,
    severity: row.severity,
    tiers: row.tiers.map((t) => ({ after: formatDuration(t.afterSeconds), userIds: t.userIds, channels: t.channels })),
    repeat: row.repeat,
    repeatAfter: formatDuration(row.repeatAfterSeconds),
  };
}

/** Seeds a default for each severity that has none; safe for two instances starting together. */
export async function seedDefaultPolicies(ctx: Ctx): Promise<void> {
  const now = ctx.now();
  for (const policy of DEFAULT_POLICIES) {
    await ctx.db
      .insert(escalationPolicy)
      .values({ ...toColumns(policyInputSchema.parse(policy)), createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: escalationPolicy.severity, where: sql`${escalationPolicy.severity} is not null` });
  }
}

export async function listPolicies(ctx: Ctx): Promise<EscalationPolicyView[]> {
  return (await ctx.db.select().from(escalationPolicy).orderBy(asc(escalationPolicy.createdAt))).map(toView);
}

const policyId = z.string().uuid("not a policy id");

/** Every user a tier names is an admin: pages go to admins, and a typo must not page nobody. */
async function assertAdmins(tx: Tx, tiers: z.output<typeof policyInputSchema>["tiers"]): Promise<void> {
  const named = [...new Set(tiers.flatMap((tier) => tier.userIds ?? []))];
  if (named.length === 0) return;
  const admins = new Set((await tx.select({ id: user.id }).from(user).where(and(inArray(user.id, named), eq(user.role, "admin")))).map((u) => u.id));
  const index = tiers.findIndex((tier) => tier.userIds?.some((id) => !admins.has(id)));
  if (index >= 0) {
    const message = "names someone who is not an admin";
    throw new AppError("INVALID", `tiers[${index}].userIds: ${message}`, { issues: [{ path: `tiers[${index}].userIds`, message }] });
  }
}

/** Two requests racing for one severity's default: the unique index decides, as a 409. */
function severityTaken(error: unknown, severity: Severity | null): never {
  const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  if (code === "23505" && severity) throw new AppError("CONFLICT", `another policy is already the ${severity} default; change it instead`);
  throw error;
}

export async function createPolicy(ctx: Ctx, actor: Actor, body: unknown): Promise<EscalationPolicyView> {
  requireRole(actor, "admin");
  const input = policyInputSchema.parse(body);
  return ctx.db.transaction(async (tx) => {
    await assertAdmins(tx, input.tiers);
    if (input.severity) await assertSeverityFree(tx, input.severity, null);
    const now = ctx.now();
    const [row] = await tx
      .insert(escalationPolicy)
      .values({ ...toColumns(input), createdAt: now, updatedAt: now })
      .returning()
      .catch((error: unknown) => severityTaken(error, input.severity));
    await tx.insert(auditLog).values({ actorId: actor.id, action: "escalation_policy.create", target: row!.id, details: { name: input.name } });
    return toView(row!);
  });
}

export async function updatePolicy(ctx: Ctx, actor: Actor, id: string, body: unknown): Promise<EscalationPolicyView> {
  requireRole(actor, "admin");
  const parsedId = policyId.parse(id);
  const input = policyInputSchema.parse(body);
  return ctx.db.transaction(async (tx) => {
    await assertAdmins(tx, input.tiers);
    if (input.severity) await assertSeverityFree(tx, input.severity, parsedId);
    const [row] = await tx
      .update(escalationPolicy)
      .set({ ...toColumns(input), updatedAt: ctx.now() })
      .where(eq(escalationPolicy.id, parsedId))
      .returning()
      .catch((error: unknown) => severityTaken(error, input.severity));
    if (!row) throw new AppError("NOT_FOUND", `no escalation policy ${id}`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "escalation_policy.update", target: parsedId, details: { name: input.name } });
    return toView(row);
  });
}

/** Rules that named it fall back to their severity's policy. */
export async function deletePolicy(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requireRole(actor, "admin");
  const parsedId = policyId.parse(id);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.delete(escalationPolicy).where(eq(escalationPolicy.id, parsedId)).returning({ id: escalationPolicy.id });
    if (!row) throw new AppError("NOT_FOUND", `no escalation policy ${parsedId}`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "escalation_policy.delete", target: parsedId });
  });
}

async function assertSeverityFree(tx: Tx, severity: Severity, exceptId: string | null): Promise<void> {
  const [other] = await tx.select({ id: escalationPolicy.id, name: escalationPolicy.name }).from(escalationPolicy).where(eq(escalationPolicy.severity, severity));
  if (other && other.id !== exceptId) throw new AppError("CONFLICT", `"${other.name}" is already the ${severity} default; change it instead`);
}

/** The rule's own policy, else its severity's default, else page once. */
export async function policyForRule(ctx: Ctx, ruleId: string): Promise<EscalationPolicy> {
  const [rule] = await ctx.db.select({ policyId: alertRule.escalationPolicyId, severity: alertRule.severity }).from(alertRule).where(eq(alertRule.id, ruleId));
  if (!rule) return FALLBACK;
  const where = rule.policyId ? eq(escalationPolicy.id, rule.policyId) : eq(escalationPolicy.severity, rule.severity);
  const [row] = await ctx.db.select().from(escalationPolicy).where(where);
  return row ? { id: row.id, name: row.name, tiers: row.tiers, repeat: row.repeat, repeatAfterSeconds: row.repeatAfterSeconds } : FALLBACK;
}

/** One page of an escalation: `afterSeconds` past the alert's announcement. */
export interface EscalationStep {
  round: number;
  tier: number;
  afterSeconds: number;
}

/** Every page the policy would send while nobody acknowledges, in time order. */
export function escalationSchedule(policy: Pick<EscalationPolicy, "tiers" | "repeat" | "repeatAfterSeconds">): EscalationStep[] {
  const steps: EscalationStep[] = [];
  for (let round = 0; round <= policy.repeat; round++) {
    policy.tiers.forEach((tier, index) => steps.push({ round, tier: index, afterSeconds: round * policy.repeatAfterSeconds + tier.afterSeconds }));
  }
  return steps;
}
