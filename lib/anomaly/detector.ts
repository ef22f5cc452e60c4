import {
  type CandidateJson,
  type CandidateParams,
  type CandidateState,
  candidateFromJson,
  candidateToJson,
  judgeAndLearn,
  newCandidate,
} from "./candidate-model";

/**
 * An online, strictly causal anomaly detector for one metric series.
 *
 * Three candidate models explain the series: its recent level, a time-of-day profile
 * and a time-of-week profile (see candidate-model.ts). Each point is judged by the
 * candidate that has predicted best at this time of day (within `plausible`× of it, the
 * least surprised one). So a daily batch job that the daily profile expects raises
 * nothing, while the recent level still judges the hours where the profile adds nothing.
 *
 * One instance per series, fed in time order; `toJSON`/`fromJSON` store and resume it.
 */

export type Basis = "recent" | "daily" | "weekly";
const BASES: readonly Basis[] = ["recent", "daily", "weekly"];

export interface DetectorOptions extends Partial<CandidateParams> {
  /** Width of a profile slot in minutes. */
  slotMinutes?: number;
  /** Candidates whose typical error at this time of day is within this factor of the best one may explain a point. */
  plausible?: number;
  /** No anomaly is raised before the series has been watched this long (scores are still given). */
  learningMinutes?: number;
  /** After raising an anomaly, stay quiet for this many points (one alert per episode). */
  refractory?: number;
}

type Options = Required<DetectorOptions>;

export const DEFAULT_OPTIONS: Options = {
  slotMinutes: 5,
  plausible: 1,
  learningMinutes: 2880,
  refractory: 100,
  warmup: 50,
  levelAlpha: 0.05,
  profileBeta: 0.3,
  scaleAlpha: 0.01,
  clip: 4,
  maxDecay: 0.9995,
  ratio: 1.2,
  shortAlpha: 0.1,
  textureAlpha: 0.001,
  textureZ: 2.5,
  shiftZ: 3,
  shiftPersist: 12,
};

export interface Observation {
  /** 0..1; 0.5 is the detection threshold. */
  score: number;
  /** True on the first point of an anomalous episode (then quiet for `refractory` points). */
  isAnomaly: boolean;
  /** What the explaining model expected here, or null while it is still learning. */
  expected: number | null;
  /** Which model `expected` comes from: for "usual for Tuesday 14:00" vs "usual lately". */
  basis: Basis | null;
}

export interface DetectorJson {
  version: 1;
  options: Options;
  points: number;
  sinceAlert: number;
  magnitude: number;
  firstTs: number | null;
  candidates: CandidateJson[];
}

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;
/** Relative resolution below which differences are noise (keeps a flat line from dividing by zero). */
const RELATIVE_FLOOR = 1e-3;

export class AnomalyDetector {
  private readonly options: Options;
  private readonly candidates: CandidateState[];
  private points = 0;
  private sinceAlert = Number.MAX_SAFE_INTEGER;
  private magnitude = 0;
  private firstTs: number | null = null;

  constructor(options: DetectorOptions = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    const slotsPerDay = Math.round(MINUTES_PER_DAY / this.options.slotMinutes);
    this.candidates = [newCandidate(1, slotsPerDay), newCandidate(slotsPerDay, slotsPerDay), newCandidate(slotsPerDay * 7, slotsPerDay)];
  }

  observe(ts: number, value: number): Observation {
    const o = this.options;
    if (!Number.isFinite(value) || !Number.isFinite(ts)) return { score: 0, isAnomaly: false, expected: null, basis: null };
    this.firstTs ??= ts;
    const slot = Math.floor(ts / (o.slotMinutes * MINUTE_MS));
    this.magnitude += (Math.abs(value) - this.magnitude) * (this.points === 0 ? 1 : 0.01);
    const floor = RELATIVE_FLOOR * this.magnitude + 1e-12;

    let bestError = Infinity;
    const verdicts = this.candidates.map((m) => {
      const verdict = judgeAndLearn(m, o, slot, value, floor);
      const error = verdict ? verdict.error : Infinity;
      if (error < bestError) bestError = error;
      return { verdict, error };
    });

    let surprise = Infinity;
    let expected: number | null = null;
    let basis: Basis | null = null;
    verdicts.forEach(({ verdict, error }, i) => {
      if (verdict && error <= o.plausible * bestError && verdict.surprise < surprise) {
        surprise = verdict.surprise;
        expected = verdict.expected;
        basis = BASES[i]!;
      }
    });
    if (surprise === Infinity) surprise = 0;

    this.points++;
    this.sinceAlert = Math.min(this.sinceAlert + 1, Number.MAX_SAFE_INTEGER);
    let isAnomaly = false;
    if (surprise >= 1 && this.sinceAlert > o.refractory && ts - this.firstTs >= o.learningMinutes * MINUTE_MS) {
      isAnomaly = true;
      this.sinceAlert = 0;
    }
    return { score: surprise / (surprise + 1), isAnomaly, expected, basis };
  }

  toJSON(): DetectorJson {
    return {
      version: 1,
      options: this.options,
      points: this.points,
      sinceAlert: this.sinceAlert,
      magnitude: this.magnitude,
      firstTs: this.firstTs,
      candidates: this.candidates.map(candidateToJson),
    };
  }

  static fromJSON(json: DetectorJson): AnomalyDetector {
    const d = new AnomalyDetector(json.options);
    d.points = json.points;
    d.sinceAlert = json.sinceAlert;
    d.magnitude = json.magnitude;
    d.firstTs = json.firstTs;
    json.candidates.forEach((c, i) => {
      d.candidates[i] = candidateFromJson(c, d.candidates[i]!.slotError.length);
    });
    return d;
  }
}
