import { createHash } from "node:crypto";
import type { Comparison, NoDataPolicy, NotifyState, RuleKind, Severity, SilenceMatcherColumn } from "@/db/schema";
import { formatDuration } from "./durations";

/** What an alert of the rule carries, and what its fingerprint is made of: its labels, its tag filter and its service. */
export function alertLabels(rule: Pick<EngineRule, "labels" | "tags" | "service">): Record<string, string> {
  return { ...rule.labels, ...rule.tags, ...(rule.service ? { service: rule.service } : {}) };
}

/**
 * The rule engine's decisions, with no I/O and the clock passed in: the live evaluator and
 * `rules:replay` run this same code, one over the store and one over a csv in simulated time.
 *
 * Per fingerprint (a rule and its label set) an alert moves
 *   inactive → pending → firing → resolved → pending → …
 * `pending` holds a breach until it has lasted `for`; hysteresis (`clearThreshold`) and
 * `keepFiringFor` keep a flapping value from resolving and re-firing; `minSamples` and
 * `noData` decide what too little data means. Whether a firing alert is announced is a
 * separate decision (silence, dependency, cooldown, hourly budget), re-taken every pass
 * while it is held back, so a held alert is announced once the reason is gone.
 */

export type Phase = "inactive" | "pending" | "firing" | "resolved";
export type { NoDataPolicy, NotifyState } from "@/db/schema";

export interface EngineRule {
  id: string;
  name: string;
  /** `anomaly`: the observation is the detector's anomaly score of the series, `threshold` the minimum score. */
  kind: RuleKind;
  metric: string;
  service: string | null;
  tags: Record<string, string>;
  labels: Record<string, string>;
  /** How the window is summed up; only for the words of the reason here. */
  aggregation: string;
  windowSeconds: number;
  comparison: Comparison;
  threshold: number;
  clearThreshold: number | null;
  forSeconds: number;
  keepFiringForSeconds: number;
  minSamples: number;
  noData: NoDataPolicy;
  severity: Severity;
  cooldownMinutes: number;
  maxAlertsPerHour: number;
  dependsOn: string[];
}

/** The rule's aggregate over its window at one instant. */
export interface Observation {
  value: number | null;
  sampleCount: number;
  /** Words the value alone does not say, for the reason: an anomaly's explanation. */
  detail?: string;
}

/** What a silence matches; every field given must match. */
export type SilenceMatcher = SilenceMatcherColumn;

export interface ActiveSilence {
  id: string;
  matcher: SilenceMatcher;
  startsAt: number;
  endsAt: number;
}

/** One open alert (pending or firing) as the engine tracks it; restored from the store on takeover. */
export interface OpenAlert {
  ruleId: string;
  fingerprint: string;
  phase: "pending" | "firing";
  /** When the breach began. */
  since: number;
  firedAt: number | null;
  /** While firing: since when the clear condition has held (for keepFiringFor). */
  clearSince: number | null;
  value: number | null;
  notify: NotifyState | null;
  /** The silence or the firing rule holding the announcement back. */
  heldBy: string | null;
}

export interface Transition {
  kind: "transition";
  rule: EngineRule;
  fingerprint: string;
  from: Phase;
  to: Phase;
  at: number;
  value: number | null;
  reason: string;
}

/** A firing alert's announcement decided or re-decided (announced, or held back and why). */
export interface NotifyChange {
  kind: "notify";
  rule: EngineRule;
  fingerprint: string;
  at: number;
  value: number | null;
  notify: NotifyState;
  heldBy: string | null;
  reason: string;
}

export type EngineChange = Transition | NotifyChange;

/** What the engine remembers between passes beyond open alerts, restored from the store too. */
export interface EngineMemory {
  open: OpenAlert[];
  /** Per fingerprint, when its last announced alert resolved (for the cooldown). */
  lastResolvedAt: Record<string, number>;
  /** Per rule, when it announced alerts in the last hour (for the hourly budget). */
  notifiedAt: Record<string, number[]>;
}

type Verdict = "breach" | "clear" | "unknown";

export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}

export function fingerprintOf(rule: Pick<EngineRule, "id" | "service" | "tags" | "labels">): string {
  const labels = alertLabels(rule);
  const canonical = JSON.stringify([rule.id, Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** "p95 of api.response_time is 1840 over 1m (alert when > 1000)": short enough for an SMS. */
export function describeBreach(
  rule: Pick<EngineRule, "kind" | "aggregation" | "metric" | "windowSeconds" | "comparison" | "threshold">,
  value: number | null,
  detail?: string,
): string {
  const alertWhen = `(alert when ${rule.comparison} ${rule.threshold})`;
  if (rule.kind === "anomaly") {
    if (value === null) return `no anomaly score for ${rule.aggregation} of ${rule.metric}: the detector has judged nothing lately ${alertWhen}`;
    return `anomaly score of ${rule.aggregation} of ${rule.metric} is ${value.toFixed(2)} ${alertWhen}${detail ? `: ${detail}` : ""}`;
  }
  if (value === null) return `no data for ${rule.metric} over ${formatDuration(rule.windowSeconds)} ${alertWhen}`;
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return `${rule.aggregation} of ${rule.metric} is ${shown} over ${formatDuration(rule.windowSeconds)} ${alertWhen}`;
}

/**
 * What one observation says. While firing with a clear threshold, a value between the two
 * thresholds still counts as a breach: the alert resolves only past the clear threshold.
 */
export function judge(rule: EngineRule, observation: Observation, firing: boolean): Verdict {
  // A count is its own sample count: an empty window is a count of 0 ("no orders in 5
  // minutes"), not missing data, and a minimum of samples would only hide it.
  const counting = rule.aggregation === "count";
  if (observation.value === null || (observation.sampleCount === 0 && !counting)) {
    return rule.noData === "ok" ? "clear" : rule.noData === "alert" ? "breach" : "unknown";
  }
  // Too few samples to mean anything: one failed payment of two at 3 am is not an outage.
  if (!counting && observation.sampleCount < rule.minSamples) return "unknown";
  if (compare(observation.value, rule.comparison, rule.threshold)) return "breach";
  if (firing && rule.clearThreshold !== null && compare(observation.value, rule.comparison, rule.clearThreshold)) return "breach";
  return "clear";
}

export function silenceMatches(matcher: SilenceMatcher, rule: EngineRule): boolean {
  if (matcher.ruleId !== undefined && matcher.ruleId !== rule.id) return false;
  if (matcher.metric !== undefined && matcher.metric !== rule.metric) return false;
  if (matcher.service !== undefined && matcher.service !== rule.service) return false;
  const labels = { ...rule.labels, ...rule.tags };
  return Object.entries(matcher.labels ?? {}).every(([key, value]) => labels[key] === value);
}

const HOUR_MS = 3_600_000;

export class RuleEngine {
  private readonly open = new Map<string, OpenAlert>();
  private readonly lastResolvedAt = new Map<string, number>();
  /** Fingerprints that have had an alert: a new breach starts from "resolved", not "inactive". */
  private readonly hadAlert = new Set<string>();
  private readonly notifiedAt = new Map<string, number[]>();

  constructor(memory?: EngineMemory) {
    if (memory) this.restore(memory);
  }

  restore(memory: EngineMemory): void {
    this.open.clear();
    this.lastResolvedAt.clear();
    this.hadAlert.clear();
    this.notifiedAt.clear();
    for (const alert of memory.open) this.open.set(alert.fingerprint, { ...alert });
    for (const [fingerprint, at] of Object.entries(memory.lastResolvedAt)) {
      this.lastResolvedAt.set(fingerprint, at);
      this.hadAlert.add(fingerprint);
    }
    for (const [ruleId, times] of Object.entries(memory.notifiedAt)) this.notifiedAt.set(ruleId, [...times]);
  }

  /** The open alert of a fingerprint, if any (a copy). */
  openAlert(fingerprint: string): OpenAlert | undefined {
    const alert = this.open.get(fingerprint);
    return alert && { ...alert };
  }

  /** Fingerprints with an open (pending or firing) alert. */
  openFingerprints(): string[] {
    return [...this.open.keys()];
  }

  /** An admin resolved the alert by hand: forget it, so a breach that goes on opens a new one. */
  resolvedByHand(fingerprint: string, at: number): void {
    const alert = this.open.get(fingerprint);
    if (!alert) return;
    this.open.delete(fingerprint);
    this.noteResolved(alert, at);
  }

  /** The cooldown starts from alerts someone was told about; a silenced one that passed does not delay the next. */
  private noteResolved(alert: OpenAlert, at: number): void {
    if (alert.phase === "firing") this.hadAlert.add(alert.fingerprint);
    if (alert.notify === "notified") this.lastResolvedAt.set(alert.fingerprint, at);
  }

  /**
   * One pass at `now` over every active rule with its observation: returns the phase
   * transitions, then the announcement decisions, in the order they should be stored.
   * A rule without an observation counts as having no data.
   */
  evaluate(rules: readonly EngineRule[], observations: ReadonlyMap<string, Observation>, silences: readonly ActiveSilence[], now: number): EngineChange[] {
    const changes: EngineChange[] = [];
    const active = new Set<string>();
    for (const rule of rules) {
      const fingerprint = fingerprintOf(rule);
      active.add(fingerprint);
      changes.push(...this.step(rule, fingerprint, observations.get(rule.id) ?? { value: null, sampleCount: 0 }, now));
    }
    // A rule deleted, switched off or relabelled leaves its old fingerprint behind: forgotten
    // here; the evaluator closes its row in the store.
    for (const [fingerprint, alert] of this.open) {
      if (active.has(fingerprint)) continue;
      this.open.delete(fingerprint);
      this.noteResolved(alert, now);
    }
    // Announcements last: a dependency's state is this pass's, whatever the order of the rules.
    const firingRules = new Set([...this.open.values()].filter((a) => a.phase === "firing").map((a) => a.ruleId));
    for (const rule of rules) {
      const alert = this.open.get(fingerprintOf(rule));
      if (!alert || alert.phase !== "firing" || alert.notify === "notified") continue;
      const decision = this.decideNotify(rule, alert, firingRules, silences, now);
      if (decision.notify === alert.notify && decision.heldBy === alert.heldBy) continue;
      alert.notify = decision.notify;
      alert.heldBy = decision.heldBy;
      if (decision.notify === "notified") this.recordNotification(rule.id, now);
      changes.push({ kind: "notify", rule, fingerprint: alert.fingerprint, at: now, value: alert.value, ...decision });
    }
    return changes;
  }

  private step(rule: EngineRule, fingerprint: string, observation: Observation, now: number): Transition[] {
    const alert = this.open.get(fingerprint);
    const verdict = judge(rule, observation, alert?.phase === "firing");
    const value = observation.value;
    const transition = (from: Phase, to: Phase, reason: string): Transition => ({ kind: "transition", rule, fingerprint, from, to, at: now, value, reason });
    const breach = describeBreach(rule, value, observation.detail);

    if (!alert) {
      if (verdict !== "breach") return [];
      const from: Phase = this.hadAlert.has(fingerprint) ? "resolved" : "inactive";
      const opened: OpenAlert = { ruleId: rule.id, fingerprint, phase: "pending", since: now, firedAt: null, clearSince: null, value, notify: null, heldBy: null };
      this.open.set(fingerprint, opened);
      const steps = [transition(from, "pending", breach)];
      if (rule.forSeconds === 0) steps.push(this.fire(opened, transition, now, breach));
      return steps;
    }

    if (verdict !== "unknown") alert.value = value;
    if (alert.phase === "pending") {
      if (verdict === "clear") {
        this.open.delete(fingerprint);
        return [transition("pending", "inactive", `cleared within its ${formatDuration(rule.forSeconds)} for: ${breach}`)];
      }
      // Unknown (too little data) neither confirms nor cancels: the breach has not been seen to end.
      if (verdict === "breach" && now - alert.since >= rule.forSeconds * 1000) return [this.fire(alert, transition, now, breach)];
      return [];
    }

    // Firing.
    if (verdict === "breach") alert.clearSince = null;
    if (verdict !== "clear") return [];
    alert.clearSince ??= now;
    if (now - alert.clearSince < rule.keepFiringForSeconds * 1000) return [];
    this.open.delete(fingerprint);
    this.noteResolved(alert, now);
    return [transition("firing", "resolved", `cleared: ${breach}`)];
  }

  private fire(alert: OpenAlert, transition: (from: Phase, to: Phase, reason: string) => Transition, now: number, reason: string): Transition {
    alert.phase = "firing";
    alert.firedAt = now;
    return transition("pending", "firing", reason);
  }

  private decideNotify(
    rule: EngineRule,
    alert: OpenAlert,
    firingRules: ReadonlySet<string>,
    silences: readonly ActiveSilence[],
    now: number,
  ): { notify: NotifyState; heldBy: string | null; reason: string } {
    const silence = silences.find((s) => s.startsAt <= now && now < s.endsAt && silenceMatches(s.matcher, rule));
    if (silence) return { notify: "silenced", heldBy: silence.id, reason: `silenced until ${new Date(silence.endsAt).toISOString()}` };
    const cause = rule.dependsOn.find((id) => firingRules.has(id));
    if (cause) return { notify: "inhibited", heldBy: cause, reason: "a rule it depends on is firing" };
    const resolvedAt = this.lastResolvedAt.get(alert.fingerprint);
    const cooldownEnds = resolvedAt === undefined ? 0 : resolvedAt + rule.cooldownMinutes * 60_000;
    if (now < cooldownEnds) return { notify: "cooldown", heldBy: null, reason: `cooldown after the last alert until ${new Date(cooldownEnds).toISOString()}` };
    const recent = (this.notifiedAt.get(rule.id) ?? []).filter((at) => now - at < HOUR_MS);
    this.notifiedAt.set(rule.id, recent);
    if (recent.length >= rule.maxAlertsPerHour) {
      return { notify: "rate_limited", heldBy: null, reason: `${rule.maxAlertsPerHour} alerts announced in the last hour` };
    }
    return { notify: "notified", heldBy: null, reason: "announced" };
  }

  private recordNotification(ruleId: string, at: number): void {
    const times = this.notifiedAt.get(ruleId) ?? [];
    times.push(at);
    this.notifiedAt.set(ruleId, times);
  }
}
