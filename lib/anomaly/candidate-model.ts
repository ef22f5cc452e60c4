/**
 * One candidate explanation of a series: a robust level plus, for the seasonal
 * candidates, a profile with one offset per time-of-day (or time-of-week) slot —
 * additive Holt-Winters with clipped (Huber) updates, so a lone outlier moves
 * neither the level nor the profile by more than `clip` typical errors.
 *
 * Besides predicting, a candidate keeps three causal measures of how surprising
 * its residuals are, each judged against its own history, not a fixed constant:
 * - point: |residual| against the (slowly forgotten) largest residual seen so far, a record that
 *   incidents the detector judged anomalous raise only by a bounded step (see learnRecords);
 * - drift: a short moving mean of residuals against its own forgotten maximum;
 * - texture: a short mean of log|residual| against the long-run mean and spread of
 *   log|residual| (catches a change in noisiness with no change in level).
 */

/**
 * The remembered maxima fade, so in quiet stationary noise they would sink until
 * ordinary values beat them; these floors (in typical errors) stop that.
 */
const POINT_FLOOR = 4;
/**
 * A residual this many times the largest one ordinary points have reached (or the point floor)
 * counts as anomalous for the record whatever the detector decided (see learnRecords). Large, so
 * heavy-tailed noise, whose big residuals are ordinary, rarely reaches it: NAB 71.2 → 70.2 (fp
 * rows 39 → 50) for a repeat incident raised in its first minute instead of several minutes late.
 */
const OUTLIER_FACTOR = 6;
const DRIFT_FLOOR = 1;
/**
 * An anomalous run of at most this many points that ends is a *blip*, learnt in full once it has
 * ended (see learnRecords). Two, not one: the NAB load-balancer series spikes in pairs every few
 * dozen points, and its records, never learning a pair, raised 9 false alerts on ordinary pairs.
 */
export const BLIP_POINTS = 2;
/** Visit count assumed for a slot restored from a state stored before visits were counted. */
const ESTABLISHED = 1e6;

export interface CandidateParams {
  /** Points a candidate must have judged before its verdicts count. */
  warmup: number;
  /** Level update rate (share of a clipped residual). */
  levelAlpha: number;
  /** Profile update rate for a slot, per visit. */
  profileBeta: number;
  /** Update rate of the typical absolute error. */
  scaleAlpha: number;
  /** Residuals are clipped at this many typical errors before updating. */
  clip: number;
  /**
   * Forgetting factor of the largest-residual memories, per point, or per `decayMinutes` of time
   * when points come faster than that (the detector passes the factor for each point).
   */
  maxDecay: number;
  /** How far past the remembered maximum a residual must go. */
  ratio: number;
  /** Rate of the short residual means (drift and texture). */
  shortAlpha: number;
  /** Rate of the long-run log|residual| statistics. */
  textureAlpha: number;
  /** Standard deviations the short log|residual| mean must rise by. */
  textureZ: number;
  /** Residuals beyond this many typical errors, all on one side... */
  shiftZ: number;
  /** ...for this many points in a row are accepted as a new level. */
  shiftPersist: number;
}

export interface CandidateState {
  /** Slots per cycle; 1 means no seasonality. */
  period: number;
  /** Offset per slot; NaN (null in JSON) until the slot has been visited. */
  profile: Float64Array;
  level: number;
  scale: number;
  /** Typical absolute error, for comparing candidates. */
  error: number;
  /**
   * Typical absolute error per time-of-day slot, NaN until visited: candidates are ranked by
   * how well they fit at this time of day, not overall.
   */
  slotError: Float64Array;
  judged: number;
  maxResidual: number;
  drift: number;
  maxDrift: number;
  /**
   * The same record learnt only from points the detector did not judge anomalous: an anomalous
   * point may raise `maxResidual` to at most `growth` × this (see learnRecords).
   */
  quietResidual: number;
  /** The largest residual of the current anomalous run while it is still a blip: learnt in full if the run ends as one. */
  heldResidual: number;
  /** Points in a row, up to the last one, that were anomalous for the record. */
  anomalousRun: number;
  texture: number;
  textureMean: number;
  textureVar: number;
  runSum: number;
  runLength: number;
  /** Absolute slot of a profile slot's first visit while it lasts (finer data: several points per slot); -1 otherwise. */
  openSlot: number;
  /** Points seen in that first visit so far. */
  openCount: number;
  /** Judged visits per profile slot (a visit is a run of points in one absolute slot); seasonal candidates only. */
  visits: Float64Array;
  /** Absolute slot of the last judged point, to count visits. */
  lastSlot: number;
}

export interface Verdict {
  /** Surprise in units of the threshold: ≥ 1 means anomalous for this candidate. */
  surprise: number;
  expected: number;
  /** The candidate's typical absolute error at this time of day before this point, to rank candidates. */
  error: number;
  /** Earlier judged visits of this profile slot (Infinity for the non-seasonal candidate). */
  visits: number;
}

export function newCandidate(period: number, slotsPerDay: number): CandidateState {
  return {
    period,
    profile: new Float64Array(period).fill(NaN),
    level: NaN,
    scale: 0,
    error: 0,
    slotError: new Float64Array(slotsPerDay).fill(NaN),
    judged: 0,
    maxResidual: 0,
    drift: 0,
    maxDrift: 0,
    quietResidual: 0,
    heldResidual: 0,
    anomalousRun: 0,
    texture: 0,
    textureMean: 0,
    textureVar: 1,
    runSum: 0,
    runLength: 0,
    openSlot: -1,
    openCount: 0,
    visits: new Float64Array(period > 1 ? period : 0),
    lastSlot: -1,
  };
}

/**
 * Judges `value` at absolute slot `slot` from the state before it, then learns from it.
 * Returns null while the candidate has nothing to say (slot never seen, or warming up).
 * `decay` is the factor by which the remembered maxima fade at this point (default `maxDecay`).
 * With `pending`, the record of the largest residual and a first visit's average are settled by
 * `learnRecords` once the caller has decided whether the point is anomalous; without it the point
 * is learnt as an ordinary one.
 */
export function judgeAndLearn(m: CandidateState, p: CandidateParams, slot: number, value: number, floor: number, decay = p.maxDecay, pending?: PendingRecords): Verdict | null {
  if (pending) {
    pending.size = NaN;
    pending.openIndex = -1;
  }
  const s = slot % m.period;
  const d = slot % m.slotError.length;
  if (Number.isNaN(m.level)) {
    m.level = value;
    m.profile[s] = 0;
    m.openSlot = slot;
    m.openCount = 1;
    return null;
  }
  const offset = m.profile[s]!;
  if (Number.isNaN(offset)) {
    m.profile[s] = value - m.level;
    m.openSlot = slot;
    m.openCount = 1;
    if (pending) {
      pending.openIndex = s;
      pending.openOffset = NaN;
    }
    return null;
  }
  // On data finer than a slot, a seasonal slot sees several points on its first visit. They only
  // average into its offset: judging them would score a "last few minutes" predictor as if it were
  // the daily (or weekly) profile, and let it rank first with no track record from earlier cycles.
  if (m.period > 1 && slot === m.openSlot) {
    m.openCount++;
    m.profile[s] = offset + (value - m.level - offset) / m.openCount;
    if (pending) {
      pending.openIndex = s;
      pending.openOffset = offset;
    }
    return null;
  }
  const expected = m.level + offset;
  const residual = value - expected;
  const size = Math.abs(residual);
  const scale = Math.max(m.scale, floor);

  m.drift += (residual - m.drift) * p.shortAlpha;
  const texture = Math.log(size / scale + 0.1);
  m.texture += (texture - m.texture) * p.shortAlpha;

  let verdict: Verdict | null = null;
  if (m.judged >= p.warmup) {
    const point = size / (p.ratio * Math.max(m.maxResidual, POINT_FLOOR * scale));
    const drift = Math.abs(m.drift) / (p.ratio * Math.max(m.maxDrift, DRIFT_FLOOR * scale));
    const rough = (m.texture - m.textureMean) / Math.sqrt(m.textureVar + 1e-6) / p.textureZ;
    // A slot with no track record yet cannot make its candidate the best one.
    const slotError = m.slotError[d]!;
    verdict = { surprise: Math.max(point, drift, rough), expected, error: Number.isNaN(slotError) ? Infinity : slotError, visits: m.period > 1 ? m.visits[s]! : Infinity };
  }
  if (m.period > 1 && slot !== m.lastSlot) {
    m.visits[s] = m.visits[s]! + 1;
    m.lastSlot = slot;
  }

  // learn (after judging: the verdict above used only earlier points)
  m.judged++;
  const warm = m.judged <= p.warmup;
  const clipped = Math.max(-p.clip * scale, Math.min(p.clip * scale, residual));
  const bounded = Math.min(size, p.clip * scale);
  // The record of the largest residual is learnt here, or, when the caller passes `pending`, left
  // to `learnRecords` once the caller knows whether the point was anomalous.
  if (pending) {
    pending.size = size;
    pending.scale = scale;
  } else m.maxResidual = Math.max(size, m.maxResidual * decay);
  m.maxDrift = Math.max(Math.abs(m.drift), m.maxDrift * decay);
  m.error += (bounded - m.error) * (warm ? 1 / m.judged : p.scaleAlpha / 2);
  const before = m.slotError[d]!;
  m.slotError[d] = Number.isNaN(before) ? m.error : before + p.profileBeta * (bounded - before);
  m.scale = warm ? m.scale + (size - m.scale) / m.judged : m.scale + (bounded - m.scale) * p.scaleAlpha;
  const rate = warm ? 1 / m.judged : p.textureAlpha;
  const dt = texture - m.textureMean;
  m.textureMean += rate * dt;
  m.textureVar = (1 - rate) * (m.textureVar + rate * dt * dt);
  m.level += p.levelAlpha * clipped;
  if (m.period > 1) m.profile[s] = offset + p.profileBeta * (1 - p.levelAlpha) * clipped;

  // A level shift that persists is accepted at once rather than learnt at the clipped rate.
  if (size > p.shiftZ * scale && (m.runLength === 0 || Math.sign(residual) === Math.sign(m.runSum))) {
    m.runSum += residual;
    m.runLength++;
    if (m.runLength >= p.shiftPersist) {
      m.level += m.runSum / m.runLength;
      m.drift = 0;
      m.runSum = 0;
      m.runLength = 0;
    }
  } else {
    m.runSum = 0;
    m.runLength = 0;
  }
  return verdict;
}

/** A point's contribution to the record and to a first-visit average, held until the detector has decided on the point. */
export interface PendingRecords {
  /** |residual|, NaN when the candidate did not judge the point (nothing to learn). */
  size: number;
  /** Typical error used for the point (at least the floor). */
  scale: number;
  /** Profile slot whose first visit this point was averaged into (-1: none), and its offset before the point. */
  openIndex: number;
  openOffset: number;
}

/**
 * Folds a judged point into the record of the largest residual, once the detector has decided on
 * it. The record must stay robust to the incidents it is there to detect: learnt from an incident
 * of +35 on a smooth series, it let the next incident of the same size score s < 1 for days.
 * - An ordinary point raises the record, and the quiet record, in full.
 * - An anomalous point (the detector judged it so, or its residual is `OUTLIER_FACTOR` times the
 *   largest ordinary one) raises the record to at most `growth` × the quiet record
 *   (learnt only from ordinary points; at least the floor), however long the incident lasts, and
 *   leaves the quiet record alone.
 * - But a *blip*, an anomalous run of at most `BLIP_POINTS` points, is held: once the next point is
 *   ordinary, its largest residual is learnt in full, one point late. Heavy-tailed noise makes
 *   short spikes, and recurring ones must still raise the record (capping it wrecks the AWS
 *   series); an incident lasts. The held points are judged against by nobody: the point after a
 *   blip meets the record without it.
 * - Nor does an anomalous point join a slot's first-visit average (finer data than a slot): the
 *   slot would expect the incident at this time tomorrow, and its candidate's record would learn
 *   the miss. An anomalous point that is the visit's only one so far stays as a placeholder, which
 *   the next point of the visit replaces.
 */
export function learnRecords(m: CandidateState, pending: PendingRecords, decay: number, judgedAnomalous: boolean, growth: number): void {
  // A residual far past anything ordinary points have reached is an outlier here even when the
  // detector did not raise it: a repeat of an incident whose first minutes already taught the
  // candidate that recorded it, or an incident during the learning days.
  const outlier = !Number.isNaN(pending.size) && m.quietResidual > 0 && pending.size > OUTLIER_FACTOR * Math.max(m.quietResidual, POINT_FLOOR * pending.scale);
  const anomalous = judgedAnomalous || outlier;
  m.anomalousRun = anomalous ? m.anomalousRun + 1 : 0;
  const blip = m.anomalousRun <= BLIP_POINTS;
  if (anomalous && pending.openIndex >= 0) {
    if (m.openCount <= 1) m.openCount = 0;
    else {
      m.profile[pending.openIndex] = pending.openOffset;
      m.openCount--;
    }
  }
  if (Number.isNaN(pending.size)) return;
  m.quietResidual *= decay;
  m.maxResidual *= decay;
  if (!anomalous) {
    const learnt = Math.max(pending.size, m.heldResidual);
    m.quietResidual = Math.max(learnt, m.quietResidual);
    m.maxResidual = Math.max(learnt, m.maxResidual);
    m.heldResidual = 0;
  } else {
    m.maxResidual = Math.max(Math.min(pending.size, growth * Math.max(m.quietResidual, POINT_FLOOR * pending.scale)), m.maxResidual);
    m.heldResidual = blip ? Math.max(pending.size, m.heldResidual) : 0;
  }
}

export interface CandidateJson extends Omit<CandidateState, "profile" | "slotError" | "openSlot" | "openCount" | "visits" | "lastSlot" | "quietResidual" | "heldResidual" | "anomalousRun"> {
  /** Absent in states stored before anomalous points were kept out of the record: it then starts as quiet. */
  quietResidual?: number;
  heldResidual?: number;
  anomalousRun?: number;
  /** Stored before runs were counted: whether the last point was anomalous. */
  lastAnomalous?: boolean;
  /** Absent in states stored before visits were counted: every visited slot then counts as established. */
  visits?: number[];
  lastSlot?: number;
  /** Absent in states stored before first visits were averaged. */
  openSlot?: number;
  openCount?: number;
  profile: (number | null)[];
  /** Absent in states stored before candidates were ranked per slot. */
  slotError?: (number | null)[];
}

const toNullable = (a: Float64Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
const fromNullable = (a: (number | null)[]) => Float64Array.from(a, (v) => v ?? NaN);

export function candidateToJson(m: CandidateState): CandidateJson {
  return { ...m, profile: toNullable(m.profile), slotError: toNullable(m.slotError), visits: Array.from(m.visits) };
}

export function candidateFromJson(j: CandidateJson, slotsPerDay: number): CandidateState {
  const slotError = j.slotError ? fromNullable(j.slotError) : new Float64Array(slotsPerDay).fill(NaN);
  const profile = fromNullable(j.profile);
  const visits = j.visits ? Float64Array.from(j.visits) : Float64Array.from(profile.length > 1 ? profile : [], (v) => (Number.isNaN(v) ? 0 : ESTABLISHED));
  const { lastAnomalous, ...rest } = j;
  return { ...rest, quietResidual: j.quietResidual ?? j.maxResidual, heldResidual: j.heldResidual ?? 0, anomalousRun: j.anomalousRun ?? (lastAnomalous ? 1 : 0), level: j.level ?? NaN, profile, slotError, openSlot: j.openSlot ?? -1, openCount: j.openCount ?? 0, visits, lastSlot: j.lastSlot ?? -1 };
}
