import { logNormal, seededRandom, type Random } from "@/lib/demo/seeded-random";
import { replayChanges, rulesFromJson, type RecordedSample } from "@/lib/rules/replay";

/**
 * Labelled scenarios for the rule engine: recorded samples, the rules watching them, and when
 * an alert should fire. Any other alert is a false positive; a labelled incident with no alert
 * is a miss. The scenario test holds the engine to them; `npm run bench` reports the critical
 * false-positive share and the time to fire over them.
 */
export interface LabelledScenario {
  name: string;
  /** What the data does and what a good rule makes of it. */
  story: string;
  rules: Record<string, unknown>[];
  samples: RecordedSample[];
  /** Incidents: rule `rule` should fire within [start, start + for + deadlineMs]. */
  incidents: { rule: string; start: number; deadlineMs: number }[];
}

const START = Date.parse("2026-03-02T03:00:00Z");
const second = (s: number) => START + s * 1000;

function series(seconds: number, metric: string, service: string, valueAt: (s: number, random: Random) => number | null, seed: number): RecordedSample[] {
  const random = seededRandom(seed);
  const samples: RecordedSample[] = [];
  for (let s = 0; s < seconds; s++) {
    const value = valueAt(s, random);
    if (value !== null) samples.push({ ts: second(s), metric, service, value });
  }
  return samples;
}

const latencyRule = { name: "API p95 > 1000 ms", metric: "api.latency", aggregation: "p95", window: "1m", minSamples: 20, operator: ">", threshold: 1000, clearThreshold: 800, for: "30s", severity: "critical" };

export const SCENARIOS: LabelledScenario[] = [
  {
    name: "steady noise",
    story: "half an hour of ordinary latency with its long tail: nothing to page about",
    rules: [latencyRule],
    // Ten requests a second, log-normal around 200 ms.
    samples: Array.from({ length: 10 }, (_, i) => series(1800, "api.latency", "api", (_s, r) => logNormal(200, 0.5, r), 100 + i)).flat(),
    incidents: [],
  },
  {
    name: "single spikes",
    story: "one very slow request every three minutes: a `for` of 2 s on the last value, and a p95, both stay quiet",
    rules: [latencyRule, { name: "checkout last > 3000 ms", metric: "checkout.latency", aggregation: "last", window: "10s", operator: ">", threshold: 3000, for: "2s", severity: "critical" }],
    samples: [
      ...series(1800, "api.latency", "api", (s, r) => (s % 180 === 90 ? 9000 : logNormal(200, 0.4, r)), 200),
      ...series(1800, "checkout.latency", "checkout", (s, r) => (s % 180 === 45 ? 8000 : logNormal(400, 0.3, r)), 201),
    ],
    incidents: [],
  },
  {
    name: "sustained breach",
    story: "five minutes at 1.5 s from minute ten: one alert, within `for` + 2 s of the breach",
    rules: [
      latencyRule,
      { name: "checkout last > 3000 ms", metric: "checkout.latency", aggregation: "last", window: "10s", operator: ">", threshold: 3000, for: "5s", severity: "critical" },
    ],
    samples: [
      ...Array.from({ length: 10 }, (_, i) => series(1500, "api.latency", "api", (s, r) => (s >= 600 && s < 900 ? logNormal(1500, 0.1, r) : logNormal(200, 0.4, r)), 300 + i)).flat(),
      ...series(1500, "checkout.latency", "checkout", (s, r) => (s >= 700 && s < 760 ? 4000 + r() * 500 : logNormal(400, 0.3, r)), 311),
    ],
    incidents: [
      // A p95 over a minute crosses 1000 ms once about 5 % of the window is slow: within seconds.
      { rule: "API p95 > 1000 ms", start: second(600), deadlineMs: 5_000 },
      { rule: "checkout last > 3000 ms", start: second(700), deadlineMs: 2_000 },
    ],
  },
  {
    name: "flapping",
    story: "after a real breach the value hovers around the threshold for ten minutes: with a clear threshold, one alert, not twenty",
    rules: [{ name: "queue depth > 100", metric: "queue.depth", aggregation: "last", window: "15s", operator: ">", threshold: 100, clearThreshold: 60, for: "10s", severity: "critical" }],
    samples: series(
      1500,
      "queue.depth",
      "worker",
      (s, r) => (s < 300 ? 20 + r() * 10 : s < 360 ? 180 : s < 960 ? (Math.floor(s / 15) % 2 ? 115 : 85) + r() * 5 : 20 + r() * 10),
      400,
    ),
    incidents: [{ rule: "queue depth > 100", start: second(300), deadlineMs: 2_000 }],
  },
  {
    name: "gaps in data",
    story: "a reporter goes silent for five minutes: `noData: keep` says nothing, `noData: alert` fires once",
    rules: [
      { name: "worker heartbeat (keep)", metric: "worker.up", aggregation: "last", window: "30s", operator: "<", threshold: 1, severity: "critical", noData: "keep" },
      { name: "worker heartbeat (alert)", metric: "worker.up", aggregation: "last", window: "30s", operator: "<", threshold: 1, for: "30s", severity: "critical", noData: "alert" },
    ],
    samples: series(1200, "worker.up", "worker", (s) => (s >= 400 && s < 700 ? null : 1), 500),
    // The window empties 30 s after the last sample; then `for` holds 30 s.
    incidents: [{ rule: "worker heartbeat (alert)", start: second(430), deadlineMs: 2_000 }],
  },
  {
    name: "low-traffic ratio",
    story: "at 3 am one failed payment of two is 50 % but means nothing (minSamples); at 9 am a gateway outage fails a fifth of fifty a minute",
    rules: [
      {
        name: "payment failures > 5%",
        metric: "payment.failed",
        aggregation: "ratio",
        denominator: "payment.attempted",
        window: "5m",
        minSamples: 20,
        operator: ">",
        threshold: 5,
        clearThreshold: 2,
        for: "1m",
        severity: "critical",
      },
    ],
    samples: (() => {
      // Each payment is one sample of attempted=1 and failed=0|1. Night: one every 90 s, and
      // the 11th fails. Day, from minute 40: one a second; minutes 50–60 a fifth fail.
      const samples: RecordedSample[] = [];
      const random = seededRandom(600);
      for (let s = 0; s < 4800; s++) {
        const night = s < 2400;
        if (night ? s % 90 !== 0 : false) continue;
        const failed = night ? s === 990 : s >= 3000 && s < 3600 ? random() < 0.2 : random() < 0.005;
        samples.push({ ts: second(s), metric: "payment.attempted", service: "payments", value: 1 });
        samples.push({ ts: second(s), metric: "payment.failed", service: "payments", value: failed ? 1 : 0 });
      }
      return samples;
    })(),
    // A 5-minute ratio passes 5 % within a minute or so of the outage, then `for` holds a minute.
    incidents: [{ rule: "payment failures > 5%", start: second(3000), deadlineMs: 90_000 }],
  },
];

export interface ScenarioScore {
  scenario: string;
  alerts: { rule: string; severity: string; firedAt: number; incident: boolean }[];
  missed: string[];
  /** Per detected incident: firedAt − start − for, in ms. */
  lateness: number[];
  /** Per detected incident: firedAt − start, in ms. */
  timeToFire: number[];
}

/** Runs the production engine over a scenario and labels each alert it opens. */
export function scoreScenario(scenario: LabelledScenario): ScenarioScore {
  const rules = rulesFromJson(scenario.rules);
  const fired = replayChanges(rules, scenario.samples).flatMap((c) => (c.kind === "transition" && c.to === "firing" ? [c] : []));
  const alerts = fired.map((c) => {
    const incident = scenario.incidents.find((i) => i.rule === c.rule.name && c.at >= i.start && c.at <= i.start + c.rule.forSeconds * 1000 + i.deadlineMs);
    return { rule: c.rule.name, severity: c.rule.severity, firedAt: c.at, incident: incident !== undefined };
  });
  const detected = scenario.incidents.map((i) => ({ i, alert: fired.find((c) => c.rule.name === i.rule && c.at >= i.start && c.at <= i.start + c.rule.forSeconds * 1000 + i.deadlineMs) }));
  return {
    scenario: scenario.name,
    alerts,
    missed: detected.filter((d) => !d.alert).map((d) => d.i.rule),
    lateness: detected.flatMap((d) => (d.alert ? [d.alert.at - d.i.start - d.alert.rule.forSeconds * 1000] : [])),
    timeToFire: detected.flatMap((d) => (d.alert ? [d.alert.at - d.i.start] : [])),
  };
}

/** Over every scenario: the share of critical alerts that matched no incident, and how fast incidents fired. */
export function scoreAll(scenarios: readonly LabelledScenario[] = SCENARIOS) {
  const scores = scenarios.map(scoreScenario);
  const critical = scores.flatMap((s) => s.alerts.filter((a) => a.severity === "critical"));
  const falsePositives = critical.filter((a) => !a.incident).length;
  const timeToFire = scores.flatMap((s) => s.timeToFire).sort((a, b) => a - b);
  return {
    scores,
    criticalAlerts: critical.length,
    criticalFalsePositives: falsePositives,
    criticalFalsePositiveRate: critical.length === 0 ? 0 : falsePositives / critical.length,
    incidents: scenarios.reduce((n, s) => n + s.incidents.length, 0),
    missed: scores.reduce((n, s) => n + s.missed.length, 0),
    timeToFireMs: timeToFire,
  };
}
