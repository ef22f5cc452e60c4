import { describe, expect, it } from "vitest";
import { CALM_MINUTES_TO_RESOLVE, nextEpisodeStep, SUSTAINED_MINUTES, type EpisodeState } from "@/lib/anomaly/episodes";
import { explainAnomaly, formatNumber } from "@/lib/anomaly/explain";

// A Tuesday, 14:00 in Taipei (06:00 UTC).
const at = new Date("2026-03-03T06:00:00Z");
const explain = (value: number, expected: number | null, basis: "recent" | "daily" | "weekly" | null) =>
  explainAnomaly({ label: "DB connections", value, expected, basis, at, timeZone: "Asia/Taipei" });

describe("an anomaly's one-line explanation", () => {
  it.each([
    [85, 25, "weekly", "DB connections 3.4× the usual for Tuesday 14:00"],
    [85, 25, "daily", "DB connections 3.4× the usual for 14:00"],
    [85, 25, "recent", "DB connections 3.4× the usual lately"],
    [500, 20, "weekly", "DB connections 25× the usual for Tuesday 14:00"],
    [5, 25, "daily", "DB connections down to 20 % of the usual for 14:00"],
    [25.4, 25, "daily", "DB connections at 25.4 where the usual for 14:00 is 25"],
    [12, 0, "recent", "DB connections at 12 where the usual lately is 0"],
    [12, null, null, "DB connections at 12, unusual for this series"],
  ] as const)("%s against %s (%s)", (value, expected, basis, line) => {
    expect(explain(value, expected, basis)).toBe(line);
  });

  it("writes numbers an admin reads at a glance", () => {
    expect([0, 0.012345, 4.567, 99.94, 1840.4, -3.21].map(formatNumber)).toEqual(["0", "0.0123", "4.57", "99.9", "1840", "-3.21"]);
  });
});

describe("an anomaly episode", () => {
  const run = (verdicts: [number, boolean][], learnt = true, seenBefore = false) => {
    let state: EpisodeState = { open: false, run: 0 };
    return verdicts.map(([score, isAnomaly]) => {
      const next = nextEpisodeStep(state, { score, isAnomaly, learnt, seenBefore });
      state = next.state;
      return next.step;
    });
  };

  it("opens when the detector raises an anomaly, not on a surprising minute alone", () => {
    expect(run([[0.9, false], [0.7, false], [0.9, false]])).toEqual(["none", "none", "none"]);
    expect(run([[0.9, true]])).toEqual(["open"]);
  });

  it("opens on extreme minutes in a row once the series is learnt, whatever the gate says", () => {
    const extreme = Array.from({ length: SUSTAINED_MINUTES }, (): [number, boolean] => [0.85, false]);
    expect(run(extreme)).toEqual([...Array(SUSTAINED_MINUTES - 1).fill("none"), "open"]);
    expect(run(extreme, false)).toEqual(Array(SUSTAINED_MINUTES).fill("none"));
    // Nor on a spike the series has already made, which the detector holds back.
    expect(run(extreme, true, true)).toEqual(Array(SUSTAINED_MINUTES).fill("none"));
  });

  it("stays open through a calm minute or two and resolves after enough calm minutes in a row", () => {
    const calm = Array.from({ length: CALM_MINUTES_TO_RESOLVE }, (): [number, boolean] => [0.1, false]);
    expect(run([[0.9, true], [0.2, false], [0.8, false], ...calm])).toEqual([
      "open",
      "continue",
      "continue",
      ...Array(CALM_MINUTES_TO_RESOLVE - 1).fill("continue"),
      "resolve",
    ]);
  });
});
