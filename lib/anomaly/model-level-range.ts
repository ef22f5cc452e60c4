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
}

export interface LevelRangeJson {
  level: number | null;
  since: number | null;
  hours: number[];
  lows: (number | null)[];
  highs: (number | null)[];
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
  };
}

/**
 * Judges `value` at `ts`, then learns it. Returns the breakout in units of the threshold (≥ 1: the
 * smoothed level left the range by more than the margin), 0 inside the range or before the history
 * spans `minHistoryMs`. `floor` is the smallest range that counts (keeps a flat line from dividing
 * by zero); `noise` is the judging candidate's typical error (Infinity: no judge, no breakout).
 */
export function judgeLevelRange(r: LevelRangeState, p: LevelRangeParams, ts: number, value: number, floor: number, noise: number, minHistoryMs: number): number {
  if (Number.isNaN(r.level)) {
    r.level = value;
    r.since = ts;
    record(r, ts, value);
    return 0;
  }
  r.since ??= ts;
  const hour = Math.floor(ts / HOUR_MS);
  const n = r.hours.length;
  if (hour !== r.cachedHour) {
    // Completed buckets of the last `days` days, excluding this hour's (added below).
    let low = Infinity;
    let high = -Infinity;
    for (let k = 0; k < n; k++) {
      const h = r.hours[k]!;
      if (h >= 0 && h < hour && h > hour - n) {
        if (r.lows[k]! < low) low = r.lows[k]!;
        if (r.highs[k]! > high) high = r.highs[k]!;
      }
    }
    r.cachedHour = hour;
    r.cachedLow = low;
    r.cachedHigh = high;
  }
  const slot = ((hour % n) + n) % n;
  const current = r.hours[slot] === hour;
  const low = current ? Math.min(r.cachedLow, r.lows[slot]!) : r.cachedLow;
  const high = current ? Math.max(r.cachedHigh, r.highs[slot]!) : r.cachedHigh;
  const alpha = p.levelRangeAlpha;
  const next = r.level + alpha * (value - r.level);
  let breakout = 0;
  if (ts - r.since >= minHistoryMs && Number.isFinite(low) && Number.isFinite(high)) {
    const margin = Math.max(p.levelRangeMargin * Math.max(high - low, floor), alpha * p.levelRangeNoise * noise);
    const beyond = next > high ? next - high : next < low ? low - next : 0;
    breakout = beyond / margin;
  }
  r.level = next;
  record(r, ts, next);
  return breakout;
}

function record(r: LevelRangeState, ts: number, level: number): void {
  const hour = Math.floor(ts / HOUR_MS);
  const n = r.hours.length;
  const slot = ((hour % n) + n) % n;
  if (r.hours[slot] !== hour) {
    r.hours[slot] = hour;
    r.lows[slot] = level;
    r.highs[slot] = level;
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
  return r;
}
