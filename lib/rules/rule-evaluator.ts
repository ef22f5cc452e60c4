import { eq, isNull } from "drizzle-orm";
import { alertHistory, alertRule } from "@/db/schema";
import { openAlert, resolveAlert, type AlertView } from "@/lib/alerts/alert-lifecycle";
import type { Ctx } from "@/lib/context";
import type { LeaderLease } from "@/lib/runtime/leader-lease";
import { evaluateRule, type RuleDecision } from "./evaluate-rule";
import { loadRuleWindow } from "./rule-window";

export interface RuleOutcome {
  ruleId: string;
  decision: RuleDecision;
  alert?: AlertView;
}

/** One pass over every active rule at ctx.now(): opens and resolves alerts, returns what happened. */
export async function evaluateAllRules(ctx: Ctx): Promise<RuleOutcome[]> {
  const now = ctx.now();
  const rules = await ctx.db.select().from(alertRule).where(eq(alertRule.isActive, true));
  const open = new Set(
    (await ctx.db.select({ ruleId: alertHistory.ruleId }).from(alertHistory).where(isNull(alertHistory.resolvedAt))).map(
      (r) => r.ruleId,
    ),
  );
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    const stats = await loadRuleWindow(ctx.db, rule, now);
    const decision = evaluateRule(rule, stats, open.has(rule.id));
    let alert: AlertView | undefined;
    if (decision.action === "fire") {
      alert = await openAlert(ctx, { ruleId: rule.id, severity: rule.severity, metricValue: decision.value, reason: decision.reason });
    } else if (decision.action === "resolve") {
      alert = await resolveAlert(ctx, rule.id, `cleared: ${decision.reason}`);
    }
    outcomes.push({ ruleId: rule.id, decision, alert });
  }
  return outcomes;
}

/**
 * Runs `evaluateAllRules` every interval while this process holds the leader lease.
 * Ticks never overlap: a slow pass delays the next one instead of piling up.
 */
export class RuleEvaluator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly lease: LeaderLease,
    private readonly intervalMs: number,
    private readonly onAlert: (alert: AlertView) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.lease.release();
  }

  /** One tick; public so tests can drive it without timers. */
  async tick(): Promise<RuleOutcome[]> {
    if (!(await this.lease.acquire())) return [];
    const outcomes = await evaluateAllRules(this.ctx);
    for (const { alert } of outcomes) if (alert) this.onAlert(alert);
    return outcomes;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => console.error("rule evaluation failed", error))
        .finally(() => this.schedule(Math.max(0, this.intervalMs - (Date.now() - started))));
    }, delayMs);
  }
}
