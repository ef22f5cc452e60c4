/**
 * When an anomaly event opens and when it is over, from the detector's verdict on each
 * minute. Pure: the online runner stores what this decides.
 *
 * An event opens when the detector raises an anomaly (its likelihood gate keeps noise out),
 * or when `SUSTAINED_MINUTES` minutes in a row are each extreme (score ≥ `EXTREME_SCORE`, four
 * typical errors off) once the detector has learnt the series. The second way exists because
 * the detector raises one anomaly per episode and then stays quiet for `refractory` (100)
 * points: an incident that comes back within that quiet spell (the demo's slow queries, every
 * 15 minutes) would otherwise never be an event, though two extreme minutes in a row are
 * already rare for any noise. A minute the detector calls `seenBefore` (a spike no taller than
 * the series' own of the last two weeks, in its first two minutes) is not extreme here either:
 * the detector holds it back for that reason; from the spike's third minute it counts again.
 *
 * It stays open while the minutes stay surprising (score ≥ 0.5) and resolves after
 * `CALM_MINUTES_TO_RESOLVE` calm minutes in a row, so one normal-looking minute in the middle
 * of an incident does not split it into two events.
 */

export const OPEN_SCORE = 0.5;
export const EXTREME_SCORE = 0.8;
export const SUSTAINED_MINUTES = 2;
export const CALM_MINUTES_TO_RESOLVE = 5;

export interface EpisodeState {
  open: boolean;
  /** While open: calm minutes in a row. While closed: extreme minutes in a row. */
  run: number;
}

export interface MinuteVerdict {
  score: number;
  /** The detector raised an anomaly on this minute. */
  isAnomaly: boolean;
  /** Past the detector's learning period: an extreme minute may count towards a sustained one. */
  learnt: boolean;
  /** A spike the series has already made (detector.ts, Observation.seenBefore): not extreme. */
  seenBefore: boolean;
}

export type EpisodeStep = "open" | "continue" | "resolve" | "none";

export function nextEpisodeStep(state: EpisodeState, verdict: MinuteVerdict): { step: EpisodeStep; state: EpisodeState } {
  if (!state.open) {
    const extremeRun = verdict.learnt && !verdict.seenBefore && verdict.score >= EXTREME_SCORE ? state.run + 1 : 0;
    if (verdict.isAnomaly || extremeRun >= SUSTAINED_MINUTES) return { step: "open", state: { open: true, run: 0 } };
    return { step: "none", state: { open: false, run: extremeRun } };
  }
  if (verdict.score >= OPEN_SCORE) return { step: "continue", state: { open: true, run: 0 } };
  const calm = state.run + 1;
  if (calm >= CALM_MINUTES_TO_RESOLVE) return { step: "resolve", state: { open: false, run: 0 } };
  return { step: "continue", state: { open: true, run: calm } };
}
