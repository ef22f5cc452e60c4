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
 * A surprise ≥ 1 raises an anomaly only if it also passes a likelihood gate: the surprise
 * must be unusual for this series, judged against the series' own history of surprises.
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
  /** Span, in points, of the short exponential mean of raw scores that the likelihood gate judges. */
  likelihoodShort?: number;
  /** Horizon, in points, of the long-run means and variances the gate compares against. */
  likelihoodWindow?: number;
  /** A point passes the gate if the short mean stands this many standard deviations above its long-run mean... */
  likelihoodZ?: number;
  /**
   * ...or if its own raw score stands this many above the long-run raw mean (3.72: a 1e-4 Gaussian tail)
   * and is also the highest raw score of the last ~`likelihoodWindow` points.
   */
  pointZ?: number;
}

type Options = Required<DetectorOptions>;

export const DEFAULT_OPTIONS: Options = {
  slotMinutes: 5,
  plausible: 1,
  learningMinutes: 2880,
  refractory: 100,
  likelihoodShort: 10,
  likelihoodWindow: 8000,
  likelihoodZ: 1,
  pointZ: 3.72,
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
  /** Absent in states stored before the likelihood: it then starts afresh. */
  likelihood?: { short: number; mean: number; variance: number; rawMean: number; rawVariance: number; rawMax?: number };
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
  private shortRaw = 0;
  private shortMean = 0;
  private shortVar = 0;
  private rawMean = 0;
  private rawVar = 0;
  private rawMax = 0;

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

    const raw = surprise / (surprise + 1);
    const unusual = this.judgeLikelihood(raw);

    this.points++;
    this.sinceAlert = Math.min(this.sinceAlert + 1, Number.MAX_SAFE_INTEGER);
    let isAnomaly = false;
    if (surprise >= 1 && unusual && this.sinceAlert > o.refractory && ts - this.firstTs >= o.learningMinutes * MINUTE_MS) {
      isAnomaly = true;
      this.sinceAlert = 0;
    }
    return { score: raw, isAnomaly, expected, basis };
  }

  /**
   * The likelihood gate (after HTM's anomaly likelihood): is this point's raw score, or the
   * short mean of raw scores it ends, in the upper tail of their own long-run distribution?
   * A series that is often surprised (heavy-tailed noise) then needs more to raise an alert.
   * A lone point must also beat the fading maximum of raw scores: a z-score assumes thin tails,
   * while a record is what heavy-tailed noise already reaches by itself.
   * Judges from the statistics before the point, then folds the point in.
   */
  private judgeLikelihood(raw: number): boolean {
    const o = this.options;
    this.shortRaw = this.points === 0 ? raw : this.shortRaw + (raw - this.shortRaw) * (2 / (o.likelihoodShort + 1));
    const warm = this.points >= o.likelihoodShort;
    const zShort = (this.shortRaw - this.shortMean) / Math.sqrt(this.shortVar + 1e-6);
    const zPoint = (raw - this.rawMean) / Math.sqrt(this.rawVar + 1e-6);
    const rate = Math.max(1 / (this.points + 1), 1 / o.likelihoodWindow);
    const record = raw > this.rawMax;
    this.rawMax = Math.max(raw, this.rawMax * (1 - 1 / o.likelihoodWindow));
    const ds = this.shortRaw - this.shortMean;
    this.shortMean += rate * ds;
    this.shortVar = (1 - rate) * (this.shortVar + rate * ds * ds);
    const dr = raw - this.rawMean;
    this.rawMean += rate * dr;
    this.rawVar = (1 - rate) * (this.rawVar + rate * dr * dr);
    return warm && (zShort >= o.likelihoodZ || (zPoint >= o.pointZ && record));
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
      likelihood: { short: this.shortRaw, mean: this.shortMean, variance: this.shortVar, rawMean: this.rawMean, rawVariance: this.rawVar, rawMax: this.rawMax },
    };
  }

  static fromJSON(json: DetectorJson): AnomalyDetector {
    const d = new AnomalyDetector(json.options);
    d.points = json.points;
    d.sinceAlert = json.sinceAlert;
    d.magnitude = json.magnitude;
    d.firstTs = json.firstTs;
    if (json.likelihood) {
      d.shortRaw = json.likelihood.short;
      d.shortMean = json.likelihood.mean;
      d.shortVar = json.likelihood.variance;
      d.rawMean = json.likelihood.rawMean;
      d.rawVar = json.likelihood.rawVariance;
      d.rawMax = json.likelihood.rawMax ?? 0;
    }
    json.candidates.forEach((c, i) => {
      d.candidates[i] = candidateFromJson(c, d.candidates[i]!.slotError.length);
    });
    return d;
  }
}
