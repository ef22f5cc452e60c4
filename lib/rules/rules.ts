import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { AGGREGATIONS, alertRule, auditLog, CHANNELS, COMPARISONS, escalationPolicy, NO_DATA_POLICIES, RULE_KINDS, SEVERITIES, WATCH_STATS, type WatchStat } from "@/db/schema";
import { ensureWatch } from "@/lib/anomaly/watches";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx, Tx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { httpUrl } from "@/lib/http/http-url";
import { labelMap, vigilName } from "@/lib/ingest/batch-schema";
import { durationField, formatDuration } from "./durations";
import { closeAlertsOfRule, type AppliedChange } from "@/lib/alerts/alert-lifecycle";
import type { EngineRule } from "./engine";
import type { WindowSpec } from "./observe";

export type RuleRow = typeof alertRule.$inferSelect;

const finite = z.number().refine(Number.isFinite, "must be a finite number");

/**
 * A rule as the API takes it (camelCase JSON). Durations are strings like "5m" or seconds.
 * An unknown metric is allowed (it may not have arrived yet); a rule that cannot mean
 * anything is not.
 */
export const ruleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(RULE_KINDS).default("threshold"),
    metric: vigilName,
    service: vigilName.nullable().default(null),
    tags: labelMap.default({}),
    aggregation: z.enum(AGGREGATIONS).default("avg"),
    // Every window is read every second: hours of raw samples at most. Longer views are trends.
    window: durationField(1, 6 * 3600).default(60),
    denominator: vigilName.nullable().default(null),
    minSamples: z.number().int().min(1).max(1_000_000).default(1),
    operator: z.enum(COMPARISONS),
    threshold: finite,
    clearThreshold: finite.nullable().default(null),
    for: durationField(0, 86_400).default(0),
    keepFiringFor: durationField(0, 86_400).default(0),
    noData: z.enum(NO_DATA_POLICIES).default("keep"),
    severity: z.enum(SEVERITIES),
    channels: z
      .array(z.enum(CHANNELS))
      .max(CHANNELS.length)
      .refine((list) => new Set(list).size === list.length, "each channel once")
      .default([]),
    cooldownMinutes: z.number().int().min(0).max(24 * 60).default(15),
    maxAlertsPerHour: z.number().int().min(1).max(1000).default(4),
    isActive: z.boolean().default(true),
    labels: labelMap.default({}),
    runbookUrl: httpUrl.nullable().default(null),
    dependsOn: z.array(z.string().uuid("not a rule id")).max(20).default([]),
    /** null: the escalation policy of the rule's severity. */
    escalationPolicyId: z.string().uuid("not a policy id").nullable().default(null),
  })
  .superRefine((rule, ctx) => {
    if (rule.kind === "anomaly") {
      anomalyRuleProblems(rule).forEach(([path, message]) => ctx.addIssue({ code: "custom", path: [path], message }));
      return;
    }
    if (rule.aggregation === "ratio" && !rule.denominator) {
      ctx.addIssue({ code: "custom", path: ["denominator"], message: "a ratio needs the metric to divide by" });
    }
    if (rule.aggregation !== "ratio" && rule.denominator) {
      ctx.addIssue({ code: "custom", path: ["denominator"], message: "only a ratio has a denominator" });
    }
    if (rule.clearThreshold !== null) {
      const problem = clearThresholdProblem(rule.operator, rule.threshold, rule.clearThreshold);
      if (problem) ctx.addIssue({ code: "custom", path: ["clearThreshold"], message: problem });
    }
    if (new Set(rule.dependsOn).size !== rule.dependsOn.length) ctx.addIssue({ code: "custom", path: ["dependsOn"], message: "each rule once" });
  });

export type RuleInput = z.output<typeof ruleInputSchema>;

/**
 * An anomaly rule watches the detector's score of one series: `aggregation` names the
 * statistic it judges (avg or p95) and `threshold` is the minimum score, above 0 and at most 1.
 */
function anomalyRuleProblems(rule: Pick<RuleInput, "aggregation" | "operator" | "threshold" | "clearThreshold" | "denominator" | "tags">): [string, string][] {
  const problems: [string, string][] = [];
  // A watch pools the metric's series over their tags: a tag filter would silently judge them all.
  if (Object.keys(rule.tags).length > 0) problems.push(["tags", "an anomaly rule watches a metric over all its tags; name a service instead"]);
  if (!(WATCH_STATS as readonly string[]).includes(rule.aggregation)) problems.push(["aggregation", `an anomaly rule judges ${WATCH_STATS.join(" or ")}`]);
  if (rule.operator !== ">=" && rule.operator !== ">") problems.push(["operator", "an anomaly rule fires on a high score: >= or >"]);
  if (!(rule.threshold > 0 && rule.threshold <= 1)) problems.push(["threshold", "the minimum anomaly score, above 0 and at most 1"]);
  if (rule.clearThreshold !== null) problems.push(["clearThreshold", "an anomaly resolves when the detector says the series is normal again"]);
  if (rule.denominator !== null) problems.push(["denominator", "only a ratio has a denominator"]);
  return problems;
}

/** An anomaly rule needs its series watched: created or switched back on with the rule. */
async function watchForRule(tx: Tx, input: RuleInput, now: Date): Promise<void> {
  if (input.kind !== "anomaly" || !input.isActive) return;
  await ensureWatch(tx, { metric: input.metric, service: input.service, stat: input.aggregation as WatchStat }, now);
}

/** Hysteresis must sit on the healthy side of the threshold, or an alert could never resolve. */
export function clearThresholdProblem(operator: RuleInput["operator"], threshold: number, clear: number): string | null {
  switch (operator) {
    case ">":
    case ">=":
      return clear <= threshold ? null : `must be at or below the threshold (${threshold}) for ${operator}`;
    case "<":
    case "<=":
      return clear >= threshold ? null : `must be at or above the threshold (${threshold}) for ${operator}`;
    default:
      return `has no meaning for ${operator}`;
  }
}

/** A rule as the API returns it. */
export interface RuleView extends Omit<RuleInput, "window" | "for" | "keepFiringFor"> {
  id: string;
  window: string;
  for: string;
  keepFiringFor: string;
  createdAt: string;
  updatedAt: string;
}

export function toRuleView(row: RuleRow): RuleView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    metric: row.metric,
    service: row.service,
    tags: row.tags,
    aggregation: row.aggregation,
    window: formatDuration(row.windowSeconds),
    denominator: row.denominator,
    minSamples: row.minSamples,
    operator: row.comparison,
    threshold: row.threshold,
    clearThreshold: row.clearThreshold,
    for: formatDuration(row.forSeconds),
    keepFiringFor: formatDuration(row.keepFiringForSeconds),
    noData: row.noData,
    severity: row.severity,
    channels: row.channels,
    cooldownMinutes: row.cooldownMinutes,
    maxAlertsPerHour: row.maxAlertsPerHour,
    isActive: row.isActive,
    labels: row.labels,
    runbookUrl: row.runbookUrl,
    dependsOn: row.dependsOn,
    escalationPolicyId: row.escalationPolicyId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The API's rule to columns. */
export function toColumns(input: RuleInput): Omit<typeof alertRule.$inferInsert, "id"> {
  const { window, operator, for: forSeconds, keepFiringFor, ...rest } = input;
  return { ...rest, windowSeconds: window, comparison: operator, forSeconds, keepFiringForSeconds: keepFiringFor };
}

/** What the engine and the window query need of a rule. */
export type EvaluatedRule = EngineRule & WindowSpec;

/** A stored rule is already all the engine and the window query read: the columns share their names. */
export function toEngineRule(row: RuleRow): EvaluatedRule {
  return row;
}

/** A rule from the API's JSON (rules:replay and backtests take the same shape), with an id. */
export function engineRuleFromInput(id: string, input: unknown): EvaluatedRule {
  const now = new Date(0);
  return toEngineRule({ id, ...toColumns(ruleInputSchema.parse(input)), createdAt: now, updatedAt: now } as RuleRow);
}

export async function listRules(ctx: Ctx): Promise<RuleView[]> {
  const rows = await ctx.db.select().from(alertRule).orderBy(asc(alertRule.name), asc(alertRule.id));
  return rows.map(toRuleView);
}

export async function loadActiveRules(ctx: Ctx): Promise<EvaluatedRule[]> {
  const rows = await ctx.db.select().from(alertRule).where(eq(alertRule.isActive, true));
  return rows.map(toEngineRule);
}

export async function getRule(ctx: Ctx, id: string): Promise<RuleRow> {
  const ruleId = z.string().uuid("not a rule id").parse(id);
  const [row] = await ctx.db.select().from(alertRule).where(eq(alertRule.id, ruleId));
  if (!row) throw new AppError("NOT_FOUND", `no rule ${ruleId}`);
  return row;
}


/** Every rule named in dependsOn exists, and following dependsOn from this rule never comes back to it. */
async function checkDependencies(tx: Tx, ruleId: string, dependsOn: readonly string[]): Promise<void> {
  if (dependsOn.length === 0) return;
  const issue = (message: string) => new AppError("INVALID", `dependsOn: ${message}`, { issues: [{ path: "dependsOn", message }] });
  if (dependsOn.includes(ruleId)) throw issue("a rule cannot depend on itself");
  const rows = await tx.select({ id: alertRule.id, dependsOn: alertRule.dependsOn }).from(alertRule);
  const edges = new Map(rows.map((r) => [r.id, r.id === ruleId ? [...dependsOn] : r.dependsOn]));
  const missing = dependsOn.filter((id) => !edges.has(id));
  if (missing.length) throw issue(`no rule ${missing.join(", ")}`);
  const seen = new Set<string>();
  const stack = [...dependsOn];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === ruleId) throw issue("that would make a cycle: a rule would end up depending on itself");
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(edges.get(id) ?? []));
  }
}

/** A rule naming an escalation policy names one that exists (a 400, not a foreign-key 500). */
async function checkEscalationPolicy(tx: Tx, policyId: string | null): Promise<void> {
  if (!policyId) return;
  const [found] = await tx.select({ id: escalationPolicy.id }).from(escalationPolicy).where(eq(escalationPolicy.id, policyId));
  if (!found) throw new AppError("INVALID", "escalationPolicyId: no such policy", { issues: [{ path: "escalationPolicyId", message: "no such policy" }] });
}

export async function createRule(ctx: Ctx, actor: Actor, body: unknown): Promise<RuleView> {
  requireRole(actor, "admin");
  const input = ruleInputSchema.parse(body);
  return ctx.db.transaction(async (tx) => {
    const id = crypto.randomUUID();
    await checkDependencies(tx, id, input.dependsOn);
    await checkEscalationPolicy(tx, input.escalationPolicyId);
    const now = ctx.now();
    await watchForRule(tx, input, now);
    const [row] = await tx.insert(alertRule).values({ id, ...toColumns(input), createdAt: now, updatedAt: now }).returning();
    await tx.insert(auditLog).values({ actorId: actor.id, action: "rule.create", target: id, details: { name: input.name } });
    return toRuleView(row!);
  });
}

/**
 * Changes a rule: any subset of the fields, checked as a whole rule after merging. Switching
 * it off closes its open alerts, returned so the caller can tell the dashboards.
 */
export async function updateRule(ctx: Ctx, actor: Actor, id: string, body: unknown): Promise<{ rule: RuleView; closedAlerts: AppliedChange[] }> {
  requireRole(actor, "admin");
  const existing = await getRule(ctx, id);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new AppError("INVALID", "expected a JSON object of rule fields");
  const { id: _id, createdAt: _c, updatedAt: _u, ...current } = toRuleView(existing);
  const input = ruleInputSchema.parse({ ...current, ...body });
  const rule = await ctx.db.transaction(async (tx) => {
    await checkDependencies(tx, existing.id, input.dependsOn);
    await checkEscalationPolicy(tx, input.escalationPolicyId);
    await watchForRule(tx, input, ctx.now());
    const [row] = await tx
      .update(alertRule)
      .set({ ...toColumns(input), updatedAt: ctx.now() })
      .where(eq(alertRule.id, existing.id))
      .returning();
    await tx.insert(auditLog).values({ actorId: actor.id, action: "rule.update", target: existing.id, details: body as Record<string, unknown> });
    return toRuleView(row!);
  });
  const switchedOff = existing.isActive && !input.isActive;
  const closedAlerts = switchedOff ? await closeAlertsOfRule(ctx, actor, existing.id, `rule disabled by ${actor.email}`) : [];
  return { rule, closedAlerts };
}

export async function deleteRule(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requireRole(actor, "admin");
  const existing = await getRule(ctx, id);
  await ctx.db.transaction(async (tx) => {
    const dependents = (await tx.select({ name: alertRule.name, dependsOn: alertRule.dependsOn }).from(alertRule)).filter((r) => r.dependsOn.includes(existing.id));
    if (dependents.length) {
      throw new AppError("CONFLICT", `rules depend on this one: ${dependents.map((r) => r.name).join(", ")}; change them first`);
    }
    await tx.delete(alertRule).where(eq(alertRule.id, existing.id));
    await tx.insert(auditLog).values({ actorId: actor.id, action: "rule.delete", target: existing.id, details: { name: existing.name } });
  });
}
