/**
 * A second, different kind of evidence: does the value drag the series' smoothed level out of
 * the range that level has kept over the last `levelRangeDays` days?
 *
 * The candidate models judge a point by its residual against a prediction, scaled by their own
 * fading record of residuals. They follow the level, so they lose sight of *where* the series is
 * compared with its own history: on a series whose records are full of past misses (holidays,
 * earlier incidents, heavy-tailed noise), a departure to a level not held for two weeks can score
 * below 1. This model keeps only an exponential mean of the values (the smoothed level, rate
 * `levelRangeAlpha` per point) and the lowest and highest smoothed level of each hour of the last
 * `levelRangeDays` days. A point breaks out when it moves the smoothed level past that range by
 * more than
 * - `levelRangeMargin` × the range (0.02 of the range with alpha 0.05: from a level at the edge of
 *   its range, the value must lie 0.4 ranges beyond it), and
 * - alpha × `levelRangeNoise` typical errors of the judging candidate (6: from the edge, the value
 *   must miss by 6 typical errors, so pure noise whose level wanders in a narrow range stays quiet).
 * A slow drift, which widens the range one small step at a time, never breaks out.
 *
 * It also keeps the lowest and highest *raw* value of each hour, learnt only from values the
 * detector did not judge anomalous and from blips (see learnSeenRange), so the detector can ask
 * whether a spike is one the series has already made in those days (detector.ts, `seenBefore`).
 *
 * Strictly causal: the point is judged against the range before it, then learnt. O(1) per point;
 * the range over the hourly buckets is recomputed once per hour.
 */

const HOUR_MS = 3_600_000;

export interface LevelRangeParams {
  /** Update rate of the smoothed level, per point. */
  levelRangeAlpha: number;
  /** Days of history whose level range a point is judged against. */
  levelRangeDays: number;
  /** How far past the range, in shares of the range, the smoothed level must move in one step... */
  levelRangeMargin: number;
  /** ...and at least alpha × this many typical errors of the judging candidate. */
  levelRangeNoise: number;
}

export interface LevelRangeState {
  level: number;
  /** Timestamp of the first point learnt (history is judged only once it spans the learning period). */
  since: number | null;
  /** Per hour bucket (ring over `days` × 24 hours): the hour it holds (-1 empty), lowest and highest level. */
  hours: Float64Array;
  lows: Float64Array;
  highs: Float64Array;
  /** Range over the completed buckets, as of hour `cachedHour`. */
  cachedHour: number;
  cachedLow: number;
  cachedHigh: number;
  /** Per hour bucket: lowest and highest value seen (raw values, not the smoothed level; see learnSeenRange). */
  seenLows: Float64Array;
  seenHighs: Float64Array;
  cachedSeenLow: number;
  cachedSeenHigh: number;
  /** Lowest and highest value of the current anomalous run while it is still a blip (learnt once it ends as one). */
  heldLow: number;
  heldHigh: number;
}

export interface LevelRangeVerdict {
  /** In units of the threshold: ≥ 1 when the smoothed level left its range by more than the margin. */
  breakout: number;
  /** How far the value itself lies outside the level's range, in ranges (0 inside). */
  outside: number;
  /** How far the value lies beyond the values seen in those days, in shares of their range (0 within; Infinity before the history counts). */
  beyondSeen: number;
}

const NO_HISTORY: LevelRangeVerdict = { breakout: 0, outside: 0, beyondSeen: Infinity };

export interface LevelRangeJson {
  level: number | null;
  since: number | null;
  hours: number[];
  lows: (number | null)[];
  highs: (number | null)[];
  /** Absent in states stored before seen values were kept. */
  seenLows?: (number | null)[];
  seenHighs?: (number | null)[];
  heldLow?: number | null;
  heldHigh?: number | null;
}

export function newLevelRange(days: number): LevelRangeState {
  const n = Math.max(1, Math.round(days * 24));
  return {
    level: NaN,
    since: null,
    hours: new Float64Array(n).fill(-1),
    lows: new Float64Array(n).fill(Infinity),
    highs: new Float64Array(n).fill(-Infinity),
    cachedHour: -1,
    cachedLow: Infinity,
    cachedHigh: -Infinity,
    seenLows: new Float64Array(n).fill(Infinity),
    seenHighs: new Float64Array(n).fill(-Infinity),
    cachedSeenLow: Infinity,
    cachedSeenHigh: -Infinity,
    heldLow: Infinity,
    heldHigh: -Infinity,
  };
}

/**
 * Judges `value` at `ts`, then learns it into the level's range (the seen values are learnt by
 * learnSeenRange once the detector has decided). Nothing counts before the history spans
 * `minHistoryMs`. `floor` is the smallest range that counts (keeps a flat line from dividing by
 * zero); `noise` is the judging candidate's typical error (Infinity: no judge, no breakout).
 */
export function judgeLevelRange(r: LevelRangeState, p: LevelRangeParams, ts: number, value: number, floor: number, noise: number, minHistoryMs: number): LevelRangeVerdict {
  if (Number.isNaN(r.level)) {
    r.level = value;
    r.since = ts;
    record(r, ts, value);
    return NO_HISTORY;
  }
  r.since ??= ts;
  const hour = Math.floor(ts / HOUR_MS);
  const n = r.hours.length;
  if (hour !== r.cachedHour) {
    // Completed buckets of the last `days` days, excluding this hour's (added below).
    let low = Infinity;
    let high = -Infinity;
    let seenLow = Infinity;
    let seenHigh = -Infinity;
    for (let k = 0; k < n; k++) {
      const h = r.hours[k]!;
      if (h >= 0 && h < hour && h > hour - n) {
        if (r.lows[k]! < low) low = r.lows[k]!;
        if (r.highs[k]! > high) high = r.highs[k]!;
        if (r.seenLows[k]! < seenLow) seenLow = r.seenLows[k]!;
        if (r.seenHighs[k]! > seenHigh) seenHigh = r.seenHighs[k]!;
      }
    }
    r.cachedSeenLow = seenLow;
    r.cachedSeenHigh = seenHigh;
    r.cachedHour = hour;
    r.cachedLow = low;
    r.cachedHigh = high;
  }
  const slot = bucketOf(r, ts);
  const current = r.hours[slot] === hour;
  const low = current ? Math.min(r.cachedLow, r.lows[slot]!) : r.cachedLow;
  const high = current ? Math.max(r.cachedHigh, r.highs[slot]!) : r.cachedHigh;
  const alpha = p.levelRangeAlpha;
  const next = r.level + alpha * (value - r.level);
  let verdict = NO_HISTORY;
  if (ts - r.since >= minHistoryMs && Number.isFinite(low) && Number.isFinite(high)) {
    const width = Math.max(high - low, floor);
    const margin = Math.max(p.levelRangeMargin * width, alpha * p.levelRangeNoise * noise);
    const seenLow = current ? Math.min(r.cachedSeenLow, r.seenLows[slot]!) : r.cachedSeenLow;
    const seenHigh = current ? Math.max(r.cachedSeenHigh, r.seenHighs[slot]!) : r.cachedSeenHigh;
    verdict = {
      breakout: distanceOutside(next, low, high) / margin,
      outside: distanceOutside(value, low, high) / width,
      beyondSeen: distanceOutside(value, seenLow, seenHigh) / Math.max(seenHigh - seenLow, floor),
    };
  }
  r.level = next;
  record(r, ts, next);
  return verdict;
}

const distanceOutside = (x: number, low: number, high: number) => (x > high ? x - high : x < low ? low - x : 0);

/**
 * Learns a judged value into the seen values once the detector has decided on it, as the
 * candidates' records learn (candidate-model.ts, learnRecords): an ordinary value in full; an
 * anomalous one (`run` > 0: the length of the anomalous run it belongs to) not, unless its run
 * ends as a blip (at most `blipPoints` points), whose values are then learnt one point late. A
 * recurring blip is remembered; an incident is not, so a repeat incident is still news.
 */
export function learnSeenRange(r: LevelRangeState, ts: number, value: number, run: number, blipPoints: number): void {
  if (run > 0) {
    if (run <= blipPoints) {
      r.heldLow = Math.min(r.heldLow, value);
      r.heldHigh = Math.max(r.heldHigh, value);
    } else {
      r.heldLow = Infinity;
      r.heldHigh = -Infinity;
    }
    return;
  }
  const slot = bucketOf(r, ts);
  // judgeLevelRange has opened this hour's bucket; a value learnt with no bucket is dropped.
  if (r.hours[slot] === Math.floor(ts / HOUR_MS)) {
    r.seenLows[slot] = Math.min(r.seenLows[slot]!, value, r.heldLow);
    r.seenHighs[slot] = Math.max(r.seenHighs[slot]!, value, r.heldHigh);
  }
  r.heldLow = Infinity;
  r.heldHigh = -Infinity;
}

function bucketOf(r: LevelRangeState, ts: number): number {
  const n = r.hours.length;
  return ((Math.floor(ts / HOUR_MS) % n) + n) % n;
}

function record(r: LevelRangeState, ts: number, level: number): void {
  const hour = Math.floor(ts / HOUR_MS);
  const slot = bucketOf(r, ts);
  if (r.hours[slot] !== hour) {
    r.hours[slot] = hour;
    r.lows[slot] = level;
    r.highs[slot] = level;
    r.seenLows[slot] = Infinity;
    r.seenHighs[slot] = -Infinity;
  } else {
    if (level < r.lows[slot]!) r.lows[slot] = level;
    if (level > r.highs[slot]!) r.highs[slot] = level;
  }
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

export function levelRangeToJson(r: LevelRangeState): LevelRangeJson {
  return {
    level: finiteOrNull(r.level),
    since: r.since,
    hours: Array.from(r.hours),
    lows: Array.from(r.lows, finiteOrNull),
    highs: Array.from(r.highs, finiteOrNull),
    seenLows: Array.from(r.seenLows, finiteOrNull),
    seenHighs: Array.from(r.seenHighs, finiteOrNull),
    heldLow: finiteOrNull(r.heldLow),
    heldHigh: finiteOrNull(r.heldHigh),
  };
}

/** Restores a stored range; a missing or mis-sized one starts afresh (it then waits for history again). */
export function levelRangeFromJson(j: LevelRangeJson | undefined, days: number): LevelRangeState {
  const r = newLevelRange(days);
  if (!j || j.hours.length !== r.hours.length) return r;
  r.level = j.level ?? NaN;
  r.since = j.since;
  r.hours = Float64Array.from(j.hours);
  r.lows = Float64Array.from(j.lows, (v) => v ?? Infinity);
  r.highs = Float64Array.from(j.highs, (v) => v ?? -Infinity);
  // Stored before seen values were kept: start from the level's range (narrower, so fewer spikes count as seen before).
  r.seenLows = j.seenLows?.length === r.hours.length ? Float64Array.from(j.seenLows, (v) => v ?? Infinity) : Float64Array.from(r.lows);
  r.seenHighs = j.seenHighs?.length === r.hours.length ? Float64Array.from(j.seenHighs, (v) => v ?? -Infinity) : Float64Array.from(r.highs);
  r.heldLow = j.heldLow ?? Infinity;
  r.heldHigh = j.heldHigh ?? -Infinity;
  return r;
}
