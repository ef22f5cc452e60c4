import { describe, expect, it } from "vitest";
import { jobState, type JobTiming } from "@/lib/jobs/job-state";
import { INCIDENT_CYCLE_MS, INCIDENT_KINDS, INCIDENT_SCHEDULE, incidentAt, type Incident } from "@/lib/demo/incident-schedule";
import { seededRandom } from "@/lib/demo/seeded-random";
import { jobEventAt, simulateSecond } from "@/lib/demo/simulated-shop";
import { DEFAULT_RULES } from "@/lib/rules/default-rules";
import type { EngineChange } from "@/lib/rules/engine";
import { MemoryWindows } from "@/lib/rules/memory-windows";
import { replayChanges, rulesFromJson, type RecordedSample } from "@/lib/rules/replay";

/**
 * Replays the demo second by second through the production rule engine (as `rules:replay`
 * does) and the real job state (jobState), the way the runtime would see them, and checks
 * which alerts open, close and page.
 */

/** Traffic follows the clock: the replays start at quiet and busy hours, weekday and weekend. */
const STARTS = {
  "Monday 03:00": Date.parse("2026-01-05T03:00:00Z"),
  "Monday 12:00": Date.parse("2026-01-05T12:00:00Z"),
  "Tuesday 20:00": Date.parse("2026-01-06T20:00:00Z"),
  "Saturday 20:00": Date.parse("2026-01-10T20:00:00Z"),
};
const CYCLE_S = INCIDENT_CYCLE_MS / 1000;
/** The runtime writes every job's state this often (lib/runtime/runtime.ts). */
const JOB_STATE_EVERY_S = 5;

const rules = rulesFromJson(DEFAULT_RULES);
const ruleNamed = (name: string) => rules.find((r) => r.name === name)!;

/** What the heartbeat route and the runtime's job-state sweep would write for the demo job. */
function jobSamples(seconds: number, start: number): RecordedSample[] {
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
    createdAt: new Date(start),
  };
  const samples: RecordedSample[] = [];
  for (let s = 0; s < seconds; s++) {
    const now = new Date(start + s * 1000);
    const event = jobEventAt(s, incidentAt(s * 1000));
    if (event === "/start") job.lastStartedAt = now;
    if (event === "" || event === "/fail") {
      const closesRun = job.lastStartedAt !== null && (job.lastFinishedAt === null || job.lastStartedAt > job.lastFinishedAt);
      job.lastDurationMs = closesRun ? now.getTime() - job.lastStartedAt!.getTime() : null;
      job.lastFinishedAt = now;
      job.lastOutcome = event === "" ? "success" : "fail";
      if (event === "") job.lastSuccessAt = now;
    }
    if (event !== undefined || s % JOB_STATE_EVERY_S === 0) {
      samples.push({ ts: now.getTime(), metric: "job.healthy", service: "invoice-sync", value: jobState(job, now).state === "up" ? 1 : 0 });
    }
  }
  return samples;
}

function recordDemo(seed: number, seconds: number, start: number): RecordedSample[] {
  const random = seededRandom(seed);
  const samples: RecordedSample[] = [];
  for (let s = 0; s < seconds; s++) {
    for (const sample of simulateSecond(s * 1000, start + s * 1000, random, "UTC")) {
      samples.push({ ts: start + s * 1000, metric: sample.metric, service: sample.service ?? "default", value: sample.value });
    }
  }
  return [...samples, ...jobSamples(seconds, start)];
}

interface Episode {
  rule: string;
  firedAt: number;
  resolvedAt: number | null;
  /** How the alert's announcement went, in order. */
  notify: string[];
}

/** The alerts the engine opened, from its changes, in seconds since `start`. */
function episodesOf(changes: readonly EngineChange[], start: number): Episode[] {
  const episodes: Episode[] = [];
  const open = new Map<string, Episode>();
  for (const change of changes) {
    const second = (change.at - start) / 1000;
    if (change.kind === "notify") {
      open.get(change.fingerprint)?.notify.push(change.notify);
    } else if (change.to === "firing") {
      const episode = { rule: change.rule.name, firedAt: second, resolvedAt: null, notify: [] };
      episodes.push(episode);
      open.set(change.fingerprint, episode);
    } else if (change.to === "resolved") {
      open.get(change.fingerprint)!.resolvedAt = second;
      open.delete(change.fingerprint);
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

  it("has slow queries trip no rule: only the anomaly detector can see them", () => {
    expect(INCIDENT_SCHEDULE.find((i) => i.kind === "slow-queries")).toMatchObject({ alerts: [], anomaly: "DB query time p95" });
  });

  // Two cycles: the second starts with a full window of history behind it, as a running demo would.
  describe.each([
    [1, "Monday 03:00"],
    [2, "Monday 12:00"],
    [3, "Tuesday 20:00"],
    [42, "Saturday 20:00"],
    [2026, "Tuesday 20:00"],
  ] as const)("seed %i from %s", (seed, when) => {
    const START = STARTS[when];
    const seconds = 2 * CYCLE_S;
    const samples = recordDemo(seed, seconds, START);
    const allEpisodes = episodesOf(replayChanges(rules, samples), START);
    const episodes = allEpisodes.filter((e) => e.firedAt >= CYCLE_S || (e.resolvedAt ?? seconds) >= CYCLE_S);

    it("opens exactly one alert per incident and rule it trips, and nothing else", () => {
      expect(episodes.map((e) => e.rule).sort()).toEqual(INCIDENT_SCHEDULE.flatMap((i) => i.alerts).sort());
    });

    it.each(INCIDENT_SCHEDULE.flatMap((i) => i.alerts.map((alert) => [i.kind, alert, i] as const)))(
      "%s: %s fires during the incident and resolves before the next one",
      (_, alert, incident) => {
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
      },
    );

    it("pages once per incident: the job failing for want of connections is the pool's alert, not a second page", () => {
      const firstCycle = allEpisodes.filter((e) => e.firedAt < CYCLE_S);
      expect(firstCycle.map((e) => [e.rule, e.notify]).sort()).toEqual(
        [
          ["API response time p95 > 1000 ms", ["notified"]],
          ["Background job unhealthy", ["inhibited"]],
          ["DB connection pool > 90% in use", ["notified"]],
          ["Payment success rate < 95%", ["notified"]],
        ].sort(),
      );
    });

    it("the same incidents a cycle later are held back while the rule's 15-minute cooldown lasts", () => {
      for (const episode of episodes) {
        const previous = allEpisodes.filter((e) => e.rule === episode.rule && e.firedAt < episode.firedAt).pop();
        const cooledDown = !previous || previous.resolvedAt === null || episode.firedAt - previous.resolvedAt >= ruleNamed(episode.rule).cooldownMinutes * 60;
        const first = episode.rule === "Background job unhealthy" ? "inhibited" : cooledDown ? "notified" : "cooldown";
        expect([episode.rule, episode.notify[0]]).toEqual([episode.rule, first]);
      }
    });

    it("keeps a margin from the thresholds while nothing is wrong", () => {
      const windows = new MemoryWindows();
      for (const s of samples) windows.add(s.metric, s.service, s.ts, s.value);
      windows.seal();
      // Only seconds whose whole window is clear of the incident that would move the number.
      const incidents = Array.from({ length: 2 * CYCLE_S }, (_, s) => incidentAt(s * 1000));
      const clearOf = (kind: Incident, s: number) => !incidents.slice(s - 60, s + 1).includes(kind);
      const api = ruleNamed("API response time p95 > 1000 ms");
      const payments = ruleNamed("Payment success rate < 95%");
      const pool = ruleNamed("DB connection pool > 90% in use");
      let worstP95 = 0;
      let worstSuccess = 100;
      let worstPool = 0;
      for (let s = CYCLE_S; s < 2 * CYCLE_S; s++) {
        const [p95, success, inUse] = windows.observe([api, payments, pool], START + s * 1000).map((o) => o.value!);
        if (clearOf("latency-spike", s)) worstP95 = Math.max(worstP95, p95!);
        if (clearOf("gateway-timeouts", s)) worstSuccess = Math.min(worstSuccess, success!);
        if (clearOf("pool-exhaustion", s)) worstPool = Math.max(worstPool, inUse!);
      }
      expect(worstP95).toBeLessThan(0.8 * api.threshold);
      expect(worstSuccess).toBeGreaterThan(payments.threshold + 1.5);
      expect(worstPool).toBeLessThan(pool.clearThreshold!);
    });
  });
});
