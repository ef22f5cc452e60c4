import { applyEngineChanges, loadEngineMemory, openFingerprints, type AppliedChange } from "@/lib/alerts/alert-lifecycle";
import { loadActiveSilences } from "@/lib/alerts/silences";
import type { Ctx } from "@/lib/context";
import type { LeaderLease } from "@/lib/runtime/leader-lease";
import { RuleEngine } from "./engine";
import { observeWindows } from "./observe";
import { loadActiveRules } from "./rules";

/** How the evaluation loop is keeping up, for self-metrics and the benchmark. */
export interface EvaluatorStats {
  cycles: number;
  /** Intervals that passed with no cycle started because the previous one was still running. */
  missedCycles: number;
  lastCycleMs: number | null;
  lastRuleCount: number;
  /** The last few cycles' durations in ms, oldest first. */
  recentCycleMs: number[];
}

const RECENT_CYCLES = 120;

/**
 * One evaluation pass at ctx.now(), while holding the lease: every active rule's window in one
 * query, the engine's decisions, then each change stored. `engine` carries state between
 * passes; it is rebuilt from the store when this process becomes leader, and after a failed
 * write (what was stored is the truth).
 */
export class RuleEvaluator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private engine: RuleEngine | undefined;
  readonly stats: EvaluatorStats = { cycles: 0, missedCycles: 0, lastCycleMs: null, lastRuleCount: 0, recentCycleMs: [] };

  constructor(
    private readonly ctx: Ctx,
    private readonly lease: LeaderLease,
    private readonly intervalMs: number,
    private readonly onChange: (change: AppliedChange) => void,
    /** After each completed pass, with its duration: Vigil records it as a self-metric. */
    private readonly onCycle: (cycleMs: number, ruleCount: number) => void = () => {},
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

  /** One pass; public so tests (and rules:replay's live twin) can drive it without timers. */
  async tick(): Promise<AppliedChange[]> {
    if (!(await this.lease.acquire())) {
      // A follower forgets: when it leads again, the store says what happened meanwhile.
      this.engine = undefined;
      return [];
    }
    const started = performance.now();
    const now = this.ctx.now();
    const rules = await loadActiveRules(this.ctx);
    const engine = await this.currentEngine(rules);
    const [observations, silences] = await Promise.all([observeWindows(this.ctx.db, rules, now), loadActiveSilences(this.ctx, now)]);
    const changes = engine.evaluate(rules, new Map(rules.map((rule, i) => [rule.id, observations[i]!])), silences, now.getTime());
    let applied: AppliedChange[];
    try {
      applied = await applyEngineChanges(this.ctx, changes);
    } catch (error) {
      this.engine = undefined;
      throw error;
    }
    const cycleMs = performance.now() - started;
    this.stats.cycles++;
    this.stats.lastCycleMs = cycleMs;
    this.stats.lastRuleCount = rules.length;
    this.stats.recentCycleMs.push(cycleMs);
    if (this.stats.recentCycleMs.length > RECENT_CYCLES) this.stats.recentCycleMs.shift();
    for (const change of applied) this.onChange(change);
    this.onCycle(cycleMs, rules.length);
    return applied;
  }

  private async currentEngine(rules: Parameters<typeof loadEngineMemory>[1]): Promise<RuleEngine> {
    if (!this.engine) {
      this.engine = new RuleEngine(await loadEngineMemory(this.ctx, rules));
      return this.engine;
    }
    // An admin may have resolved an alert by hand, here or on another instance.
    const open = await openFingerprints(this.ctx);
    const now = this.ctx.now().getTime();
    for (const fingerprint of this.engine.openFingerprints()) if (!open.has(fingerprint)) this.engine.resolvedByHand(fingerprint, now);
    return this.engine;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => console.error("rule evaluation failed", error))
        .finally(() => {
          const elapsed = Date.now() - started;
          // A pass longer than the interval starts the next at once; the intervals it overran are missed.
          if (elapsed > this.intervalMs) this.stats.missedCycles += Math.floor(elapsed / this.intervalMs) - (elapsed % this.intervalMs === 0 ? 1 : 0);
          this.schedule(Math.max(0, this.intervalMs - elapsed));
        });
    }, delayMs);
  }
}
