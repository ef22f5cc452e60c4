import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AnomalyDetector, type DetectorJson, type Observation } from "@/lib/anomaly/detector";
import { judgeLevelRange, newLevelRange } from "@/lib/anomaly/model-level-range";

const START = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC
const STEP = 5 * 60_000;
const PER_DAY = 288;

/** Deterministic standard-normal noise (mulberry32 + Box-Muller). */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function series(length: number, valueAt: (i: number, n: number) => number, seed = 1): number[] {
  const n = noise(seed);
  return Array.from({ length }, (_, i) => valueAt(i, n()));
}

function run(values: number[], detector = new AnomalyDetector(), from = 0): Observation[] {
  return values.slice(from).map((v, k) => detector.observe(START + (from + k) * STEP, v));
}

const flagged = (obs: Observation[], offset = 0) => obs.flatMap((o, i) => (o.isAnomaly ? [i + offset] : []));

const businessHours = (i: number) => {
  const hour = Math.floor((i % PER_DAY) / 12);
  return hour >= 9 && hour < 17;
};

describe("AnomalyDetector", () => {
  const cases: { name: string; values: number[]; expectFlags: (flags: number[], obs: Observation[]) => void }[] = [
    {
      name: "flat noise raises nothing",
      values: series(14 * PER_DAY, (_, n) => 100 + n),
      expectFlags: (flags) => expect(flags).toEqual([]),
    },
    {
      name: "a spike is flagged, and only the spike",
      values: series(10 * PER_DAY, (i, n) => 100 + n + (i === 2000 ? 25 : 0)),
      expectFlags: (flags) => expect(flags).toEqual([2000]),
    },
    {
      name: "a level shift is flagged, then accepted once it persists",
      values: series(10 * PER_DAY, (i, n) => 100 + n + (i >= 2000 ? 15 : 0)),
      expectFlags: (flags, obs) => {
        expect(flags).toHaveLength(1);
        expect(flags[0]).toBeGreaterThanOrEqual(2000);
        expect(flags[0]).toBeLessThan(2005);
        // a day later the new level is simply normal
        for (const o of obs.slice(2000 + PER_DAY)) expect(o.score).toBeLessThan(0.5);
        expect(obs.at(-1)!.expected).toBeCloseTo(115, 0);
      },
    },
    {
      name: "a learnt daily pattern raises nothing",
      values: series(14 * PER_DAY, (i, n) => 100 + (businessHours(i) ? 50 : 0) + n),
      expectFlags: (flags) => expect(flags).toEqual([]),
    },
  ];

  it.each(cases)("$name", ({ values, expectFlags }) => {
    const obs = run(values);
    expectFlags(flagged(obs), obs);
  });

  // Candidates are ranked per time of day, so 150 at 03:00 is flagged and expected ~100. The
  // weekly profile (one earlier visit of that slot) may still rank first by a lucky run of small
  // errors, but it agrees with the daily one within noise, so the explanation names "daily".
  it("learns a daily pattern: the same value is normal at its usual hour, anomalous at another", () => {
    const days = 10;
    const detector = new AnomalyDetector();
    run(series(days * PER_DAY, (i, n) => 100 + (businessHours(i) ? 50 : 0) + n), detector);
    const atHour = (hour: number) => {
      const copy = AnomalyDetector.fromJSON(JSON.parse(JSON.stringify(detector)));
      return copy.observe(START + (days * PER_DAY + hour * 12) * STEP, 150);
    };
    const usual = atHour(10);
    expect(usual.isAnomaly).toBe(false);
    expect(usual.score).toBeLessThan(0.5);
    expect(usual.expected).toBeCloseTo(150, -1);
    const odd = atHour(3);
    expect(odd.isAnomaly).toBe(true);
    expect(odd.expected).toBeCloseTo(100, -1);
    expect(odd.basis).toBe("daily");
  });

  // Production shape: 1-minute points, a traffic-shaped daily pattern (quiet nights, busy
  // afternoons, quieter weekends) with modest noise, as for DB connections or latency p95.
  // After learning, nothing but a 3x spike of a few minutes may be flagged, within 1-2 points.
  describe("1-minute traffic-shaped series", () => {
    const MIN = 60_000;
    const PER_DAY_1M = 1440;
    const traffic = (i: number) => {
      const weekend = Math.floor(i / PER_DAY_1M) % 7 >= 5;
      const hour = (i % PER_DAY_1M) / 60;
      return (weekend ? 0.6 : 1) * (20 + 80 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 16)) ** 2);
    };
    const spikeAt = 10 * PER_DAY_1M + 14 * 60 + 7; // a Thursday, 14:07
    const shapes = [
      { name: "connections, 5% multiplicative noise", seed: 11, valueAt: (i: number, n: number) => traffic(i) * (1 + 0.05 * n) },
      { name: "latency, additive noise", seed: 12, valueAt: (i: number, n: number) => 200 + 1.5 * traffic(i) + 10 * n },
    ];
    it.each(shapes)("$name: quiet after learning, and a 3x spike is flagged at once", ({ seed, valueAt }) => {
      const n = noise(seed);
      const detector = new AnomalyDetector();
      const flags: number[] = [];
      for (let i = 0; i < 14 * PER_DAY_1M; i++) {
        const v = valueAt(i, n()) * (i >= spikeAt && i < spikeAt + 4 ? 3 : 1);
        if (detector.observe(START + i * MIN, v).isAnomaly && i >= 2 * PER_DAY_1M) flags.push(i);
      }
      expect(flags.length).toBeGreaterThanOrEqual(1);
      expect(flags[0]! - spikeAt).toBeGreaterThanOrEqual(0);
      expect(flags[0]! - spikeAt).toBeLessThan(2);
      expect(flags.filter((f) => f < spikeAt || f > spikeAt + 60)).toEqual([]);
    });
  });

  // The second kind of evidence (model-level-range.ts): an incident on day 7 fills the fading
  // records with +80 misses, so a drop to a level never held two days later scores below 1 on the
  // residual path alone. It drags the smoothed level out of its range (judged once the range holds
  // a week) and is flagged.
  it("flags a drop to a level never held, even while the records still hold an earlier incident", () => {
    const incidentAt = 7 * PER_DAY + 144; // day 7, 12:00, one hour at +80
    const dropAt = 9 * PER_DAY + 36; // day 9, 03:00, the daily low: three points at 50
    for (const seed of [1, 2, 3]) {
      const values = series(
        11 * PER_DAY,
        (i, n) => {
          if (i >= dropAt && i < dropAt + 3) return 50;
          const wave = 100 - 10 * Math.cos((2 * Math.PI * (i % PER_DAY)) / PER_DAY);
          return wave + 2 * n + (i >= incidentAt && i < incidentAt + 12 ? 80 : 0);
        },
        seed,
      );
      const flags = flagged(run(values));
      expect(flags[0]).toBe(incidentAt);
      const later = flags.filter((f) => f > incidentAt + 12);
      expect(later).toHaveLength(1);
      expect(later[0]! - dropAt).toBeGreaterThanOrEqual(0);
      expect(later[0]! - dropAt).toBeLessThan(3);
    }
  });

  // The records must be robust to the incidents they are there to detect. On a smooth 1-minute
  // series (a p95 of ~12 ms with quantised noise), an incident of +35 used to set the record of the
  // largest residual to ~35, so an equal incident two days later scored s ≈ 0.9 and was missed.
  it("flags a second incident as large as an earlier one, while recurring lone spikes still teach the records", () => {
    const MINUTE = 60_000;
    const first = 3 * 1440 + 15 * 60 + 1; // day 3, 15:01, six minutes at +35
    const second = 5 * 1440 + 9 * 60 + 31; // day 5, 09:31, four minutes at +35
    for (const seed of [1, 2, 3]) {
      const n = noise(seed);
      const detector = new AnomalyDetector();
      const flags: number[] = [];
      for (let i = 0; i < 6 * 1440; i++) {
        let value = Math.round((12 + 0.4 * n()) * 2) / 2;
        if ((i >= first && i < first + 6) || (i >= second && i < second + 4)) value += 35;
        if (detector.observe(START + i * MINUTE, value).isAnomaly) flags.push(i);
      }
      expect(flags[0]).toBe(first);
      const later = flags.filter((f) => f >= first + 6);
      expect(later).toHaveLength(1);
      expect(later[0]! - second).toBeGreaterThanOrEqual(0);
      expect(later[0]! - second).toBeLessThan(2);
    }
    // A spike of the same size every 300 points (heavy-tailed noise, as on some AWS series) is still
    // learnt, one point late: after the learning days it raises at most one alert. So is a pair of
    // spikes (the NAB load-balancer series spikes in pairs): it raised every one of its 11 pairs
    // when only single points were learnt. A pair meets a record faded by 300 points (s ≈ 0.9–1.1)
    // with the short-mean path of the gate opened by its first point, so a few still pass.
    for (const [width, atMost] of [[1, 1], [2, 3]] as const)
      for (const seed of [1, 2, 3]) {
        const values = series(4000, (i, n) => (i % 300 >= 150 && i % 300 < 150 + width ? 1.4 + 0.1 * n : 0.1 + 0.02 * n), seed);
        expect(flagged(run(values)).filter((f) => f >= 2 * PER_DAY).length).toBeLessThanOrEqual(atMost);
      }
  });

  // Spikes of one size recur every few days on many AWS series of NAB, just past the records'
  // memory (about five days), so each one used to be raised. One no taller than a spike the series
  // made in the last two weeks is `seenBefore` and raised no more; a taller one still is.
  it("does not raise a spike again that the series already made within two weeks, but raises a taller one", () => {
    const spikes = [700, 2200, 3700];
    const taller = 15 * PER_DAY + 100;
    for (const seed of [1, 2, 3, 4, 5]) {
      const values = series(16 * PER_DAY, (i, n) => 100 + n + (spikes.includes(i) ? 30 : 0) + (i === taller ? 60 : 0), seed);
      const obs = run(values);
      const flags = flagged(obs);
      expect(flags).toContain(700);
      expect(flags).not.toContain(3700);
      expect(obs[3700]!.seenBefore).toBe(true);
      expect(obs[3700]!.score).toBeGreaterThan(0.5);
      expect(flags).toContain(taller);
      expect(obs[taller]!.seenBefore).toBe(false);
    }
    // Switched off, the third spike is raised in every seed.
    for (const seed of [1, 2, 3, 4, 5]) {
      const values = series(16 * PER_DAY, (i, n) => 100 + n + (spikes.includes(i) ? 30 : 0), seed);
      expect(flagged(run(values, new AnomalyDetector({ spikeSeenMargin: 0 })))).toContain(3700);
    }
  });

  it("flags the demo's first live slow queries after a week whose incidents fell in the learning days or went unraised", () => {
    // Recorded from the demo (tests/fixtures): latency spikes and pool exhaustion moved this p95
    // during the week, some in the learning days, some without being raised; the learnt records
    // then hid the first live slow queries (12 → 46 ms) until the records were kept from outliers.
    const text = readFileSync(path.join(import.meta.dirname, "../fixtures/demo-query-time-p95.csv"), "utf8");
    const start = Date.parse(text.match(/minute 0 is (\S+)/)![1]!);
    const rows = text.split("\n").filter((line) => /^\d/.test(line)).map((line) => line.split(",").map(Number) as [number, number]);
    const detector = new AnomalyDetector();
    const flags = rows.flatMap(([minute, value], i) => (detector.observe(start + minute * 60_000, value).isAnomaly ? [i] : []));
    const live = rows.length - 4;
    expect(flags.filter((i) => i >= live)).toEqual([live]);
  });

  // A shop's traffic follows its customers' wall clock. Business hours 09:00–17:00 in New York
  // move from 14:00 to 13:00 UTC on 10 March 2024: a detector slotting by UTC meets a daily
  // pattern an hour early and raises it; one slotting by the zone's wall clock does not.
  it("follows the time zone's wall clock across a daylight-saving change", () => {
    const hourInNewYork = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "numeric", hourCycle: "h23" });
    const dstChange = Date.UTC(2024, 2, 10, 7);
    const alertsFromDstChange = (timeZone: string, seed: number) => {
      const n = noise(seed);
      const detector = new AnomalyDetector({ timeZone });
      const alerts: number[] = [];
      for (let t = Date.UTC(2024, 1, 19); t < Date.UTC(2024, 2, 24); t += STEP) {
        const hour = Number(hourInNewYork.format(t));
        if (detector.observe(t, 100 + (hour >= 9 && hour < 17 ? 50 : 0) + 2 * n()).isAnomaly && t >= dstChange) alerts.push(t);
      }
      return alerts;
    };
    for (const seed of [1, 2, 3]) {
      expect(alertsFromDstChange("America/New_York", seed)).toEqual([]);
      const first = alertsFromDstChange("UTC", seed)[0]!;
      expect(first).toBeGreaterThanOrEqual(Date.UTC(2024, 2, 10, 13));
      expect(first).toBeLessThan(Date.UTC(2024, 2, 10, 14));
    }
  });

  it("level range: quiet on noise and on a slow drift, a breakout on a jump past the range", () => {
    const params = { levelRangeAlpha: 0.05, levelRangeDays: 14, levelRangeMargin: 0.02, levelRangeNoise: 6 };
    const n = noise(5);
    const r = newLevelRange(14);
    const at = (i: number) => START + i * STEP;
    let worst = 0;
    // Three days of noise (sd 1, typical error ~0.8), then a drift down by 0.02 per point for a day.
    for (let i = 0; i < 4 * PER_DAY; i++) {
      const value = 100 + n() - (i >= 3 * PER_DAY ? 0.02 * (i - 3 * PER_DAY) : 0);
      const b = judgeLevelRange(r, params, at(i), value, 1e-3, 0.8, 2 * 1440 * 60_000).breakout;
      if (i >= 2 * PER_DAY) worst = Math.max(worst, b);
    }
    expect(worst).toBeLessThan(1);
    // The level now sits near its two-week low (~94); a value 20 below it breaks out.
    expect(judgeLevelRange(r, params, at(4 * PER_DAY), 74, 1e-3, 0.8, 2 * 1440 * 60_000).breakout).toBeGreaterThanOrEqual(1);
  });

  it("restores a state stored before the level range and visit counts existed", () => {
    const values = series(6 * PER_DAY, (i, n) => 100 + (businessHours(i) ? 50 : 0) + n + (i === 5 * PER_DAY + 120 ? 80 : 0), 9);
    const detector = new AnomalyDetector();
    run(values.slice(0, 4 * PER_DAY), detector);
    const json = JSON.parse(JSON.stringify(detector.toJSON())) as DetectorJson & { options: Record<string, unknown> };
    delete json.range;
    for (const c of json.candidates) {
      delete c.visits;
      delete c.lastSlot;
    }
    for (const key of ["youngVisits", "levelRangeAlpha", "levelRangeDays", "levelRangeMargin", "levelRangeNoise"]) delete json.options[key];
    const restored = AnomalyDetector.fromJSON(json);
    const flags = flagged(run(values, restored, 4 * PER_DAY), 4 * PER_DAY);
    expect(flags).toEqual([5 * PER_DAY + 120]);
  });

  it("is causal: a point's score does not depend on the points after it", () => {
    const base = series(6 * PER_DAY, (i, n) => 100 + 10 * Math.sin((2 * Math.PI * i) / PER_DAY) + n, 7);
    const altered = base.map((v, i) => (i > 1000 ? v * 3 + 40 : v));
    const a = run(base);
    const b = run(altered);
    expect(b.slice(0, 1001)).toEqual(a.slice(0, 1001));
    expect(b.slice(1001)).not.toEqual(a.slice(1001));
  });

  it("survives a toJSON/fromJSON round trip and continues identically", () => {
    const values = series(9 * PER_DAY, (i, n) => 100 + (businessHours(i) ? 50 : 0) + 3 * n + (i === 2400 ? 80 : 0), 3);
    const half = 2000;
    const original = new AnomalyDetector();
    run(values.slice(0, half), original);
    const restored = AnomalyDetector.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
    const a = run(values, original, half);
    const b = run(values, restored, half);
    expect(b).toEqual(a);
    expect(flagged(a, half)).toContain(2400);
  });
});
