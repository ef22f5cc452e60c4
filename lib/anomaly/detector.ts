import {
  BLIP_POINTS,
  type CandidateJson,
  type CandidateParams,
  type CandidateState,
  candidateFromJson,
  candidateToJson,
  judgeAndLearn,
  learnRecords,
  newCandidate,
  type PendingRecords,
} from "./candidate-model";
import {
  type LevelRangeJson,
  type LevelRangeParams,
  type LevelRangeState,
  judgeLevelRange,
  learnSeenRange,
  levelRangeFromJson,
  levelRangeToJson,
  newLevelRange,
} from "./model-level-range";

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
 * A second, different kind of evidence also raises one: the value drags the smoothed level
 * out of the range it has kept over the last two weeks (see model-level-range.ts).
 *
 * One instance per series, fed in time order; `toJSON`/`fromJSON` store and resume it.
 */

export type Basis = "recent" | "daily" | "weekly";
const BASES: readonly Basis[] = ["recent", "daily", "weekly"];

export interface DetectorOptions extends Partial<CandidateParams>, Partial<LevelRangeParams> {
  /** Width of a profile slot in minutes. */
  slotMinutes?: number;
  /**
   * IANA zone whose wall clock the time-of-day and time-of-week profiles follow. A shop's traffic
   * follows its customers' clocks: in UTC slots, every daylight-saving change moved the whole
   * daily pattern by an hour, and the profiles took days to relearn it.
   */
  timeZone?: string;
  /** Candidates whose typical error at this time of day is within this factor of the best one may explain a point. */
  plausible?: number;
  /** No anomaly is raised before the series has been watched this long (scores are still given). */
  learningMinutes?: number;
  /** After raising an anomaly, stay quiet for this many points (one alert per episode)... */
  refractory?: number;
  /** ...unless a point's surprise reaches this multiple of the largest one seen since the episode began. */
  escalation?: number;
  /** Span, in points, of the short exponential mean of raw scores that the likelihood gate judges. */
  likelihoodShort?: number;
  /** Horizon, in points (or in `decayMinutes` steps of time on finer data), of the long-run means and variances the gate compares against. */
  likelihoodWindow?: number;
  /** A point passes the gate if the short mean stands this many standard deviations above its long-run mean... */
  likelihoodZ?: number;
  /**
   * ...or if its own raw score stands this many above the long-run raw mean (3.72: a 1e-4 Gaussian tail)
   * and is also the highest raw score of the last ~`likelihoodWindow` points.
   */
  pointZ?: number;
  /**
   * The remembered maxima fade by `maxDecay` per point, but when points come faster than one per
   * this many minutes, only by `maxDecay` per this many minutes of time. Their memory then spans
   * at least ~1400 points and at least ~5 days, so on 1-minute data the record of yesterday's
   * noisiest hour has not faded away by today's. The likelihood gate's horizon
   * (`likelihoodWindow`) counts the same way.
   */
  decayMinutes?: number;
  /**
   * `basis` says "weekly" only where the weekly profile's expectation differs from the daily one's
   * by more than this many typical errors (2 mean absolute errors ≈ 2.5 σ of Gaussian noise).
   */
  weeklyDistinct?: number;
  /**
   * A daily-profile slot judged on fewer than this many earlier days may explain a point away, but
   * its alert also needs the recent level to be surprised (right after learning a slot rests on
   * one or two visits, and one odd day sets its offset).
   */
  youngVisits?: number;
  /**
   * A point judged anomalous (a surprise that passes the gate, or a breakout) may raise the fading
   * records it was judged against (the candidates' largest residual, the gate's largest raw score)
   * to at most this factor times what ordinary points have raised them to. An incident then does
   * not teach the detector that the next incident of its size is normal. A blip (an anomalous run of
   * one or two points) is learnt in full one point late once the next point is ordinary: heavy-tailed
   * noise still raises the records.
   */
  recordGrowth?: number;
  /**
   * A spike the series has already made is not news (see `Observation.seenBefore`): a value more
   * than this many level ranges outside the range its smoothed level kept over `levelRangeDays`
   * days (a spike, not a new normal)...
   */
  spikeOutside?: number;
  /** ...and within the values seen in those days, give or take this share of their range. 0 turns it off. */
  spikeSeenMargin?: number;
}

type Options = Required<DetectorOptions>;

export const DEFAULT_OPTIONS: Options = {
  slotMinutes: 5,
  timeZone: "UTC",
  plausible: 1,
  learningMinutes: 2880,
  refractory: 100,
  escalation: 2,
  likelihoodShort: 10,
  likelihoodWindow: 8000,
  likelihoodZ: 1,
  pointZ: 3.72,
  decayMinutes: 5,
  weeklyDistinct: 2,
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
  youngVisits: 2,
  recordGrowth: 2.5,
  levelRangeAlpha: 0.05,
  levelRangeDays: 14,
  levelRangeMargin: 0.02,
  levelRangeNoise: 6,
  spikeOutside: 1,
  spikeSeenMargin: 0.015,
};

export interface Observation {
  /** 0..1; 0.5 is the detection threshold. */
  score: number;
  /** True on the first point of an anomalous episode (then quiet for `refractory` points unless it escalates). */
  isAnomaly: boolean;
  /**
   * The point is a spike no taller than ones the series made in the last `levelRangeDays` days (not
   * counting incidents), and it has lasted at most two points: it raises no anomaly, however
   * surprising. On the AWS series of NAB, spikes of one size recur every few days, just past the
   * records' memory, and each one was raised. A spike that lasts is raised from its third point.
   */
  seenBefore: boolean;
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
  /** Points in a row, up to the last one, judged anomalous (absent in older states: see lastEvidence). */
  evidenceRun?: number;
  /** Points in a row, up to the last one, more than `spikeOutside` level ranges out (absent in older states: none). */
  spikeRun?: number;
  /** Stored before runs were counted: whether the last point was judged anomalous. */
  lastEvidence?: boolean;
  /** Largest surprise of the current episode (absent in older states). */
  episodeSurprise?: number;
  magnitude: number;
  firstTs: number | null;
  /** Timestamp of the last point (absent in older states: the first point then decays as one step). */
  lastTs?: number | null;
  candidates: CandidateJson[];
  /** The level-range model (absent in older states: it then starts afresh and counts once it holds a week again). */
  range?: LevelRangeJson;
  /** Absent in states stored before the likelihood: it then starts afresh. */
  likelihood?: { short: number; mean: number; variance: number; rawMean: number; rawVariance: number; rawMax?: number; quietRawMax?: number; heldRaw?: number };
}

const MINUTE_MS = 60_000;
/** Zone offsets change at most on quarter hours, so one lookup per quarter hour is exact. */
const OFFSET_STEP_MS = 15 * MINUTE_MS;
const DAILY = 1;
const WEEKLY = 2;
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
  private lastTs: number | null = null;
  private episodeSurprise = 0;
  private shortRaw = 0;
  private shortMean = 0;
  private shortVar = 0;
  private rawMean = 0;
  private rawVar = 0;
  private rawMax = 0;
  /** The raw-score record learnt only from points not judged anomalous, and a blip's largest raw score held (see learnRawRecord). */
  private quietRawMax = 0;
  private heldRaw = 0;
  /** Points in a row, up to the last one, judged anomalous (their evidence, learning period or not). */
  private evidenceRun = 0;
  /** Points in a row, up to the last one, more than `spikeOutside` level ranges out: how long the current spike has lasted. */
  private spikeRun = 0;
  private range: LevelRangeState;
  private readonly pending: PendingRecords[] = [0, 1, 2].map(() => ({ size: NaN, scale: 0, openIndex: -1, openOffset: NaN }));
  private readonly zoneOffset: (ts: number) => number;

  constructor(options: DetectorOptions = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    const slotsPerDay = Math.round(MINUTES_PER_DAY / this.options.slotMinutes);
    this.candidates = [newCandidate(1, slotsPerDay), newCandidate(slotsPerDay, slotsPerDay), newCandidate(slotsPerDay * 7, slotsPerDay)];
    this.range = newLevelRange(this.options.levelRangeDays);
    this.zoneOffset = zoneOffsetLookup(this.options.timeZone);
  }

  observe(ts: number, value: number): Observation {
    const o = this.options;
    if (!Number.isFinite(value) || !Number.isFinite(ts)) return { score: 0, isAnomaly: false, seenBefore: false, expected: null, basis: null };
    this.firstTs ??= ts;
    const slot = Math.floor((ts + this.zoneOffset(ts)) / (o.slotMinutes * MINUTE_MS));
    this.magnitude += (Math.abs(value) - this.magnitude) * (this.points === 0 ? 1 : 0.01);
    const floor = RELATIVE_FLOOR * this.magnitude + 1e-12;

    // Memories fade per point, but no faster than per `decayMinutes` of time: on 1-minute data they
    // must still remember yesterday's busy hour (see decayMinutes). `step` is this point's share.
    const elapsed = this.lastTs === null ? o.decayMinutes : Math.max(0, ts - this.lastTs) / MINUTE_MS;
    this.lastTs = ts;
    const step = Math.min(1, elapsed / o.decayMinutes);
    const decay = step === 1 ? o.maxDecay : Math.pow(o.maxDecay, step);
    let bestError = Infinity;
    const verdicts = this.candidates.map((m, i) => {
      const verdict = judgeAndLearn(m, o, slot, value, floor, decay, this.pending[i]);
      const error = verdict ? verdict.error : Infinity;
      if (error < bestError) bestError = error;
      return { verdict, error };
    });

    let surprise = Infinity;
    let judge = -1;
    verdicts.forEach(({ verdict, error }, i) => {
      if (verdict && error <= o.plausible * bestError && verdict.surprise < surprise) {
        surprise = verdict.surprise;
        judge = i;
      }
    });
    if (surprise === Infinity) surprise = 0;
    // A daily slot judged on fewer than `youngVisits` earlier days rests on one or two visits: it
    // may explain a point away, but its alert needs the recent level to be surprised too. Only the
    // alert is vetoed; the score, and so the likelihood gate's statistics, stay the judge's.
    const recent = verdicts[0]!.verdict;
    const young = judge === DAILY && verdicts[DAILY]!.verdict!.visits < o.youngVisits && recent !== null && recent.surprise < 1;

    // The explanation: the weekly profile refines the daily one, so it is named only where the two
    // disagree by more than `weeklyDistinct` typical errors (the larger of their errors at this
    // time of day). Otherwise "the usual for 03:00" is the truer statement than "the usual for
    // Thursday 03:00", whichever of the two ranked first by a lucky run of small errors (a weekly
    // slot rests on one visit a week). The score stays the judge's either way.
    const daily = verdicts[DAILY]!;
    const weekly = verdicts[WEEKLY]!;
    if (
      judge === WEEKLY &&
      daily.verdict &&
      Number.isFinite(daily.error) &&
      Math.abs(daily.verdict.expected - weekly.verdict!.expected) <= o.weeklyDistinct * Math.max(weekly.error, daily.error)
    )
      judge = DAILY;
    const expected = judge < 0 ? null : verdicts[judge]!.verdict!.expected;
    const basis = judge < 0 ? null : BASES[judge]!;

    const raw = surprise / (surprise + 1);
    const unusual = this.judgeLikelihood(raw, step);
    // The explaining candidate's typical error at this time of day (at least the relative floor,
    // as for the candidates' own scale): the noise a breakout must beat.
    const noise = judge < 0 ? Infinity : Math.max(verdicts[judge]!.error, floor);
    // The range counts once it holds half its horizon (a week by default, so a weekly cycle and a
    // heavy tail have been seen), and never before the learning period is over.
    const history = Math.max(o.learningMinutes, (o.levelRangeDays * MINUTES_PER_DAY) / 2) * MINUTE_MS;
    const { breakout, outside, beyondSeen } = judgeLevelRange(this.range, o, ts, value, floor, noise, history);

    this.points++;
    this.sinceAlert = Math.min(this.sinceAlert + 1, Number.MAX_SAFE_INTEGER);
    let isAnomaly = false;
    // Within an episode the detector stays quiet, unless the surprise escalates well past anything
    // the episode has shown so far: a 3x spike an hour after a marginal alert is news.
    const inEpisode = this.sinceAlert <= o.refractory;
    const open = !inEpisode || surprise >= o.escalation * this.episodeSurprise;
    if (inEpisode) this.episodeSurprise = Math.max(this.episodeSurprise, surprise);
    // Two kinds of evidence: a surprise that passes the likelihood gate, or a breakout of the level
    // out of its range of the last `levelRangeDays` days (model-level-range.ts).
    const evidence = (surprise >= 1 && unusual && !young) || breakout >= 1;
    // The records learn the point only now that it is judged: an anomalous point raises them to at
    // most `recordGrowth` × what ordinary points have reached, and a blip is learnt in full one
    // point late unless the anomaly lasts (candidate-model.ts, learnRecords). Judged before they are
    // learnt, so an incident does not teach the detector that the next one of its size is normal.
    this.evidenceRun = evidence ? this.evidenceRun + 1 : 0;
    this.candidates.forEach((m, i) => learnRecords(m, this.pending[i]!, decay, evidence, o.recordGrowth));
    this.learnRawRecord(raw, step, evidence, this.evidenceRun <= BLIP_POINTS);
    // The values seen learn like the records: what any candidate judged an outlier is left out
    // unless it ends as a blip, so an incident the gate did not raise does not make the next one familiar.
    let anomalousRun = this.evidenceRun;
    for (const m of this.candidates) anomalousRun = Math.max(anomalousRun, m.anomalousRun);
    learnSeenRange(this.range, ts, value, anomalousRun, BLIP_POINTS);
    this.spikeRun = outside > o.spikeOutside ? this.spikeRun + 1 : 0;
    const seenBefore = this.spikeRun > 0 && this.spikeRun <= BLIP_POINTS && beyondSeen < o.spikeSeenMargin;
    if (evidence && open && !seenBefore && this.isLearntAt(ts)) {
      isAnomaly = true;
      this.sinceAlert = 0;
      this.episodeSurprise = surprise;
    }
    return { score: Math.max(raw, breakout / (breakout + 1)), isAnomaly, seenBefore, expected, basis };
  }

  /**
   * The gate's record of raw scores learns as the candidates' records do (learnRecords): an
   * anomalous point raises it to at most `recordGrowth` × the quiet record in surprise units
   * (raw = s / (1 + s)), a blip is learnt in full one point late once the next point is
   * ordinary, and ordinary points raise both in full.
   */
  private learnRawRecord(raw: number, step: number, anomalous: boolean, blip: boolean): void {
    const fade = 1 - step / this.options.likelihoodWindow;
    this.quietRawMax *= fade;
    this.rawMax *= fade;
    if (!anomalous) {
      const learnt = Math.max(raw, this.heldRaw);
      this.quietRawMax = Math.max(learnt, this.quietRawMax);
      this.rawMax = Math.max(learnt, this.rawMax);
      this.heldRaw = 0;
    } else {
      const quiet = this.quietRawMax / (1 - this.quietRawMax + 1e-12);
      const cap = (this.options.recordGrowth * quiet) / (1 + this.options.recordGrowth * quiet);
      this.rawMax = Math.max(Math.min(raw, cap), this.rawMax);
      this.heldRaw = blip ? Math.max(raw, this.heldRaw) : 0;
    }
  }

  /**
   * The likelihood gate (after HTM's anomaly likelihood): is this point's raw score, or the
   * short mean of raw scores it ends, in the upper tail of their own long-run distribution?
   * A series that is often surprised (heavy-tailed noise) then needs more to raise an alert.
   * A lone point must also beat the fading maximum of raw scores: a z-score assumes thin tails,
   * while a record is what heavy-tailed noise already reaches by itself.
   * Judges from the statistics before the point, then folds the point in (the record of raw
   * scores only once the point is decided: learnRawRecord).
   */
  private judgeLikelihood(raw: number, step: number): boolean {
    const o = this.options;
    const prevShort = this.shortRaw;
    this.shortRaw = this.points === 0 ? raw : this.shortRaw + (raw - this.shortRaw) * (2 / (o.likelihoodShort + 1));
    const warm = this.points >= o.likelihoodShort;
    // The short path asks whether the series was already more surprised than usual *before* this
    // point. Judged with the point folded in, one lone surprise lifted the short mean enough to pass
    // by itself, bypassing the stricter lone-point test below.
    const zShort = (prevShort - this.shortMean) / Math.sqrt(this.shortVar + 1e-6);
    const zPoint = (raw - this.rawMean) / Math.sqrt(this.rawVar + 1e-6);
    const rate = Math.max(1 / (this.points + 1), step / o.likelihoodWindow);
    const record = raw > this.rawMax;
    const ds = this.shortRaw - this.shortMean;
    this.shortMean += rate * ds;
    this.shortVar = (1 - rate) * (this.shortVar + rate * ds * ds);
    const dr = raw - this.rawMean;
    this.rawMean += rate * dr;
    this.rawVar = (1 - rate) * (this.rawVar + rate * dr * dr);
    return warm && (zShort >= o.likelihoodZ || (zPoint >= o.pointZ && record));
  }

  /** Past the learning period at `ts`: the detector raises anomalies from then on (scores come earlier). */
  isLearntAt(ts: number): boolean {
    return this.firstTs !== null && ts - this.firstTs >= this.options.learningMinutes * MINUTE_MS;
  }

  toJSON(): DetectorJson {
    return {
      version: 1,
      options: this.options,
      points: this.points,
      sinceAlert: this.sinceAlert,
      episodeSurprise: this.episodeSurprise,
      evidenceRun: this.evidenceRun,
      spikeRun: this.spikeRun,
      magnitude: this.magnitude,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      candidates: this.candidates.map(candidateToJson),
      range: levelRangeToJson(this.range),
      likelihood: { short: this.shortRaw, mean: this.shortMean, variance: this.shortVar, rawMean: this.rawMean, rawVariance: this.rawVar, rawMax: this.rawMax, quietRawMax: this.quietRawMax, heldRaw: this.heldRaw },
    };
  }

  static fromJSON(json: DetectorJson): AnomalyDetector {
    const d = new AnomalyDetector(json.options);
    d.points = json.points;
    d.sinceAlert = json.sinceAlert;
    d.episodeSurprise = json.episodeSurprise ?? 0;
    d.evidenceRun = json.evidenceRun ?? (json.lastEvidence ? 1 : 0);
    d.spikeRun = json.spikeRun ?? 0;
    d.magnitude = json.magnitude;
    d.firstTs = json.firstTs;
    d.lastTs = json.lastTs ?? null;
    if (json.likelihood) {
      d.shortRaw = json.likelihood.short;
      d.shortMean = json.likelihood.mean;
      d.shortVar = json.likelihood.variance;
      d.rawMean = json.likelihood.rawMean;
      d.rawVar = json.likelihood.rawVariance;
      d.rawMax = json.likelihood.rawMax ?? 0;
      d.quietRawMax = json.likelihood.quietRawMax ?? d.rawMax;
      d.heldRaw = json.likelihood.heldRaw ?? 0;
    }
    d.range = levelRangeFromJson(json.range, d.options.levelRangeDays);
    json.candidates.forEach((c, i) => {
      d.candidates[i] = candidateFromJson(c, d.candidates[i]!.slotError.length);
    });
    return d;
  }
}

/**
 * `ts → offset of the zone's wall clock from UTC in ms`, looked up once per quarter hour: an
 * Intl lookup per point would cost more than judging the point.
 */
function zoneOffsetLookup(timeZone: string): (ts: number) => number {
  if (timeZone === "UTC") return () => 0;
  const format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" });
  let cachedStep = NaN;
  let cachedOffset = 0;
  return (ts) => {
    const step = Math.floor(ts / OFFSET_STEP_MS);
    if (step !== cachedStep) {
      const at = step * OFFSET_STEP_MS;
      const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, Number(p.value)]));
      cachedOffset = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!) - at;
      cachedStep = step;
    }
    return cachedOffset;
  };
}
