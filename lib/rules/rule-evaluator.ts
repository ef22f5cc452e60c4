import { applyEngineChanges, closeOrphanedAlerts, listOpenAlertKeys, loadEngineMemory, type AppliedChange } from "@/lib/alerts/alert-lifecycle";
import { loadActiveSilences } from "@/lib/alerts/silences";
import type { Ctx } from "@/lib/context";
import type { LeaderLease } from "@/lib/runtime/leader-lease";
import { fingerprintOf, RuleEngine } from "./engine";
import { observeAnomalyScores } from "@/lib/anomaly/rule-scores";
import type { Db } from "@/db";
import type { Observation } from "./engine";
import { observeWindows } from "./observe";
import { loadActiveRules, type EvaluatedRule } from "./rules";

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
    const { engine, closed } = await this.currentEngine(rules);
    const [observations, silences] = await Promise.all([observeRules(this.ctx.db, rules, now), loadActiveSilences(this.ctx, now)]);
    const changes = engine.evaluate(rules, new Map(rules.map((rule, i) => [rule.id, observations[i]!])), silences, now.getTime());
    const stored = await applyEngineChanges(this.ctx, changes);
    const applied = [...closed, ...stored.applied];
    const failures = stored.failures;
    // What committed is reported even if something else failed; then the store is the truth.
    for (const change of applied) this.onChange(change);
    if (failures.length > 0) {
      this.engine = undefined;
      throw new AggregateError(failures, `${failures.length} of ${changes.length} alert changes could not be stored`);
    }
    const cycleMs = performance.now() - started;
    this.stats.cycles++;
    this.stats.lastCycleMs = cycleMs;
    this.stats.lastRuleCount = rules.length;
    this.stats.recentCycleMs.push(cycleMs);
    if (this.stats.recentCycleMs.length > RECENT_CYCLES) this.stats.recentCycleMs.shift();
    this.onCycle(cycleMs, rules.length);
    return applied;
  }

  /**
   * The engine as of the store. Built from it on taking the lead; afterwards brought in line
   * with what changed outside this loop: alerts a person resolved (forgotten here, so a breach
   * that goes on opens a new one) and open alerts no active rule produces any more (a rule
   * switched off mid-pass, or relabelled: closed in the store).
   */
  private async currentEngine(rules: readonly EvaluatedRule[]): Promise<{ engine: RuleEngine; closed: AppliedChange[] }> {
    this.engine ??= new RuleEngine(await loadEngineMemory(this.ctx, rules));
    const open = await listOpenAlertKeys(this.ctx);
    const now = this.ctx.now().getTime();
    const openHere = new Set(open.map((a) => a.fingerprint));
    for (const fingerprint of this.engine.openFingerprints()) if (!openHere.has(fingerprint)) this.engine.resolvedByHand(fingerprint, now);
    const produced = new Set(rules.map((rule) => `${rule.id}\u0000${fingerprintOf(rule)}`));
    const orphans = open.filter((a) => a.fingerprint !== "" && !produced.has(`${a.ruleId}\u0000${a.fingerprint}`));
    const closed = orphans.length > 0 ? await closeOrphanedAlerts(this.ctx, orphans, "closed: its rule was switched off or changed") : [];
    return { engine: this.engine, closed };
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

/** Every rule's observation, in the rules' order: threshold rules from their windows, anomaly rules from the detector. */
export async function observeRules(db: Db, rules: readonly EvaluatedRule[], now: Date): Promise<Observation[]> {
  const thresholds = rules.filter((rule) => rule.kind !== "anomaly");
  const anomalies = rules.filter((rule) => rule.kind === "anomaly");
  const [windowed, scored] = await Promise.all([observeWindows(db, thresholds, now), observeAnomalyScores(db, anomalies, now)]);
  const byRule = new Map<EvaluatedRule, Observation>();
  thresholds.forEach((rule, i) => byRule.set(rule, windowed[i]!));
  anomalies.forEach((rule, i) => byRule.set(rule, scored[i]!));
  return rules.map((rule) => byRule.get(rule)!);
}
