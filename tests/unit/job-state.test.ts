import { describe, expect, it } from "vitest";
import { formatDuration, jobState, type JobTiming } from "@/lib/jobs/job-state";

const T = Date.parse("2026-01-05T12:00:00Z");
const ago = (seconds: number) => new Date(T - seconds * 1000);
const NOW = new Date(T);

/** An hourly job with 5 min grace that last succeeded 10 min ago, run time bounds 10 s – 10 min. */
const base: JobTiming = {
  periodSeconds: 3600,
  graceSeconds: 300,
  minRuntimeSeconds: 10,
  maxRuntimeSeconds: 600,
  lastStartedAt: ago(660),
  lastFinishedAt: ago(600),
  lastOutcome: "success",
  lastDurationMs: 60_000,
  lastSuccessAt: ago(600),
  createdAt: ago(86_400),
};

describe("jobState", () => {
  it.each<[string, Partial<JobTiming>, string, RegExp]>([
    ["on time", {}, "up", /last success 10 min ago/],
    ["new, inside its first period", { lastStartedAt: null, lastFinishedAt: null, lastOutcome: null, lastDurationMs: null, lastSuccessAt: null, createdAt: ago(60) }, "up", /waiting for the first run/],
    ["new and never reported", { lastStartedAt: null, lastFinishedAt: null, lastOutcome: null, lastDurationMs: null, lastSuccessAt: null, createdAt: ago(7200) }, "down", /never reported, expected every 60 min/],
    ["past its period, within grace", { lastStartedAt: ago(3760), lastSuccessAt: ago(3700), lastFinishedAt: ago(3700) }, "late", /100 s late, expected every 60 min \(grace 5 min\)/],
    ["past period and grace", { lastStartedAt: ago(4060), lastSuccessAt: ago(4000), lastFinishedAt: ago(4000) }, "down", /no successful run for 67 min/],
    ["last run failed", { lastOutcome: "fail", lastFinishedAt: ago(30) }, "failed", /last run failed 30 s ago/],
    ["finished too fast", { lastDurationMs: 2000 }, "too_fast", /took 2 s, under the 10 s minimum/],
    ["finished too slow", { lastDurationMs: 900_000 }, "too_slow", /took 15 min, over the 10 min maximum/],
    ["still running past its maximum", { lastStartedAt: ago(700) , lastFinishedAt: ago(3000), lastSuccessAt: ago(3000) }, "too_slow", /running for 12 min, longer than the 10 min maximum/],
    ["running within its maximum", { lastStartedAt: ago(100), lastFinishedAt: ago(600) }, "up", /last success/],
    ["no bounds set", { minRuntimeSeconds: null, maxRuntimeSeconds: null, lastDurationMs: 1 }, "up", /last success/],
  ])("%s → %s", (_, overrides, state, reason) => {
    const status = jobState({ ...base, ...overrides }, NOW);
    expect(status.state).toBe(state);
    expect(status.reason).toMatch(reason);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [119_000, "119 s"],
    [120_000, "2 min"],
    [7_199_000, "120 min"],
    [7_200_000, "2 h"],
    [172_800_000, "2 d"],
  ])("%d ms → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});
