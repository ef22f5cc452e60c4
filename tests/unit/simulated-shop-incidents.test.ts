import { describe, expect, it } from "vitest";
import { jobState, type JobTiming } from "@/lib/jobs/job-state";
import { INCIDENT_CYCLE_MS, INCIDENT_KINDS, INCIDENT_SCHEDULE, incidentAt, type Incident } from "@/lib/demo/incident-schedule";
import { seededRandom } from "@/lib/demo/seeded-random";
import { jobEventAt, simulateSecond } from "@/lib/demo/simulated-shop";
import { DEFAULT_RULES } from "@/lib/rules/default-rules";
import { evaluateRule, type RuleSpec } from "@/lib/rules/evaluate-rule";

/**
 * Replays the demo second by second through the real rule decision (evaluateRule) and the real
 * job state (jobState), the way the runtime would see it, and checks which alerts open and close.
 */

const START = Date.parse("2026-01-05T00:00:00Z");
const CYCLE_S = INCIDENT_CYCLE_MS / 1000;
/** The runtime writes every job's state this often (lib/runtime/runtime.ts). */
const JOB_STATE_EVERY_S = 5;

type Rule = RuleSpec & { name: string; denominator?: string | null };
const rules = DEFAULT_RULES.map((r) => r as Rule);
const ruleNamed = (name: string) => rules.find((r) => r.name === name)!;

/** Values of one metric, bucketed by the second they were recorded in. */
type Recorded = Map<string, number[][]>;

function record(recorded: Recorded, second: number, metric: string, value: number) {
  let perSecond = recorded.get(metric);
  if (!perSecond) recorded.set(metric, (perSecond = []));
  (perSecond[second] ??= []).push(value);
}

/** What the heartbeat route and the runtime's job-state sweep would write for the demo job. */
function replayJob(recorded: Recorded, seconds: number) {
  const job: JobTiming = {
    periodSeconds: 60,
    graceSeconds: 30,
    minRuntimeSeconds: null,
    maxRuntimeSeconds: 20,
    lastStartedAt: null,
    lastFinishedAt: null,
    lastOutcome: null,
    lastDurationMs: null,
    lastSuccessAt: null,
    createdAt: new Date(START),
  };
  for (let s = 0; s < seconds; s++) {
    const now = new Date(START + s * 1000);
    const event = jobEventAt(s, incidentAt(s * 1000));
    if (event === "/start") job.lastStartedAt = now;
    if (event === "" || event === "/fail") {
      const closesRun = job.lastStartedAt !== null && (job.lastFinishedAt === null || job.lastStartedAt > job.lastFinishedAt);
      job.lastDurationMs = closesRun ? now.getTime() - job.lastStartedAt!.getTime() : null;
      job.lastFinishedAt = now;
      job.lastOutcome = event === "" ? "success" : "fail";
      if (event === "") job.lastSuccessAt = now;
    }
    if (event !== undefined || s % JOB_STATE_EVERY_S === 0) record(recorded, s, "job.healthy", jobState(job, now).state === "up" ? 1 : 0);
  }
}

function replay(seed: number, seconds: number): Recorded {
  const random = seededRandom(seed);
  const recorded: Recorded = new Map();
  for (let s = 0; s < seconds; s++) {
    for (const sample of simulateSecond(s * 1000, START + s * 1000, random)) record(recorded, s, sample.metric, sample.value);
  }
  replayJob(recorded, seconds);
  return recorded;
}

/** percentile_cont, as Postgres computes it. */
function percentile(sorted: Float64Array, fraction: number): number {
  const at = fraction * (sorted.length - 1);
  const below = Math.floor(at);
  return sorted[below]! + (sorted[Math.min(below + 1, sorted.length - 1)]! - sorted[below]!) * (at - below);
}

/** The rule's aggregate over the window ending at `second`, or null without samples. */
function windowValue(recorded: Recorded, rule: Rule, second: number): number | null {
  const perSecond = recorded.get(rule.metric) ?? [];
  const values = perSecond.slice(Math.max(0, second - rule.windowSeconds + 1), second + 1).flatMap((v) => v ?? []);
  if (values.length === 0) return null;
  switch (rule.aggregation) {
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "last":
      return values.at(-1)!;
    case "p95":
      return percentile(Float64Array.from(values).sort(), 0.95);
    case "ratio": {
      const denominators = (recorded.get(rule.denominator!) ?? []).slice(Math.max(0, second - rule.windowSeconds + 1), second + 1).flatMap((v) => v ?? []);
      const below = denominators.reduce((a, b) => a + b, 0);
      return below === 0 ? null : (values.reduce((a, b) => a + b, 0) / below) * 100;
    }
    default:
      throw new Error(`the replay does not aggregate ${rule.aggregation}`);
  }
}

interface Episode {
  rule: string;
  firedAt: number;
  resolvedAt: number | null;
}

/** Evaluates every rule once a second, as the runtime does by default, and lists the alerts. */
function alertEpisodes(recorded: Recorded, seconds: number): Episode[] {
  const episodes: Episode[] = [];
  const open = new Map<string, Episode>();
  for (let s = 0; s < seconds; s++) {
    for (const rule of rules) {
      const value = windowValue(recorded, rule, s);
      const decision = evaluateRule(rule, { value, sampleCount: value === null ? 0 : 1 }, open.has(rule.name));
      if (decision.action === "fire") {
        const episode = { rule: rule.name, firedAt: s, resolvedAt: null };
        episodes.push(episode);
        open.set(rule.name, episode);
      } else if (decision.action === "resolve") {
        open.get(rule.name)!.resolvedAt = s;
        open.delete(rule.name);
      }
    }
  }
  return episodes;
}

describe("the demo's incidents against the default rules", () => {
  it("names a default rule for every incident, and schedules every kind once a cycle", () => {
    for (const name of INCIDENT_SCHEDULE.flatMap((i) => i.alerts)) expect(rules.map((r) => r.name)).toContain(name);
    expect(INCIDENT_SCHEDULE.map((i) => i.kind).sort()).toEqual([...INCIDENT_KINDS].sort());
    for (const i of INCIDENT_SCHEDULE) expect(i.startMs + i.durationMs).toBeLessThanOrEqual(INCIDENT_CYCLE_MS);
  });

  // Two cycles: the second starts with a full window of history behind it, as a running demo would.
  describe.each([1, 2, 3, 42, 2026])("seed %i", (seed) => {
    const seconds = 2 * CYCLE_S;
    const recorded = replay(seed, seconds);
    const episodes = alertEpisodes(recorded, seconds).filter((e) => e.firedAt >= CYCLE_S || (e.resolvedAt ?? seconds) >= CYCLE_S);

    it("opens exactly one alert per incident, the incident's own rule, and nothing else", () => {
      expect(episodes.map((e) => e.rule).sort()).toEqual(INCIDENT_SCHEDULE.flatMap((i) => i.alerts).sort());
    });

    it.each(INCIDENT_SCHEDULE.flatMap((i) => i.alerts.map((alert) => [i.kind, alert, i] as const)))("%s: %s fires during the incident and resolves before the next one", (_, alert, incident) => {
      const start = CYCLE_S + incident.startMs / 1000;
      const end = start + incident.durationMs / 1000;
      const episode = episodes.find((e) => e.rule === alert)!;
      expect(episode.firedAt).toBeGreaterThanOrEqual(start);
      expect(episode.firedAt).toBeLessThan(end);
      expect(episode.resolvedAt).not.toBeNull();
      expect(episode.resolvedAt!).toBeGreaterThan(end);
      const later = INCIDENT_SCHEDULE.filter((i) => i.startMs > incident.startMs).map((i) => CYCLE_S + i.startMs / 1000);
      const next = later.length ? Math.min(...later) : 2 * CYCLE_S + Math.min(...INCIDENT_SCHEDULE.map((i) => i.startMs / 1000));
      expect(episode.resolvedAt!).toBeLessThan(next);
    });

    it("keeps a margin from the thresholds while nothing is wrong", () => {
      // Only seconds whose whole window is clear of the incident that would move the number.
      const incidents = Array.from({ length: 2 * CYCLE_S }, (_, s) => incidentAt(s * 1000));
      const clearOf = (kind: Incident, s: number) => !incidents.slice(s - 60, s + 1).includes(kind);
      const api = ruleNamed("API response time p95 > 1000 ms");
      const payments = ruleNamed("Payment success rate < 95%");
      let worstP95 = 0;
      let worstSuccess = 100;
      for (let s = CYCLE_S; s < 2 * CYCLE_S; s++) {
        if (clearOf("latency-spike", s)) worstP95 = Math.max(worstP95, windowValue(recorded, api, s)!);
        if (clearOf("gateway-timeouts", s)) worstSuccess = Math.min(worstSuccess, windowValue(recorded, payments, s)!);
      }
      expect(worstP95).toBeLessThan(0.8 * api.threshold);
      expect(worstSuccess).toBeGreaterThan(payments.threshold + 1.5);
    });
  });
});
