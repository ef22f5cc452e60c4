/**
 * When an anomaly event opens and when it is over, from the detector's verdict on each
 * minute. Pure: the online runner stores what this decides.
 *
 * An event opens when the detector raises an anomaly (its likelihood gate already keeps
 * noise out). It stays open while the minutes stay surprising (score ≥ 0.5) and resolves
 * after `CALM_MINUTES_TO_RESOLVE` calm minutes in a row, so one normal-looking minute in
 * the middle of an incident does not split it into two events.
 */

export const OPEN_SCORE = 0.5;
export const CALM_MINUTES_TO_RESOLVE = 5;

export interface EpisodeState {
  open: boolean;
  /** Calm minutes in a row while open. */
  calmMinutes: number;
}

export type EpisodeStep = "open" | "continue" | "resolve" | "none";

export function nextEpisodeStep(state: EpisodeState, verdict: { score: number; isAnomaly: boolean }): { step: EpisodeStep; state: EpisodeState } {
  if (!state.open) {
    return verdict.isAnomaly ? { step: "open", state: { open: true, calmMinutes: 0 } } : { step: "none", state };
  }
  if (verdict.score >= OPEN_SCORE) return { step: "continue", state: { open: true, calmMinutes: 0 } };
  const calmMinutes = state.calmMinutes + 1;
  if (calmMinutes >= CALM_MINUTES_TO_RESOLVE) return { step: "resolve", state: { open: false, calmMinutes: 0 } };
  return { step: "continue", state: { open: true, calmMinutes } };
}
