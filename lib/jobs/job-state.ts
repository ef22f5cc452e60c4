import type { JobOutcome } from "@/db/schema";

export const JOB_STATES = ["up", "late", "down", "failed", "too_fast", "too_slow"] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * Numbers for the `job.state_code` metric, so rules can compare them: 0 is healthy,
 * higher is worse, in the order an admin would want to hear about them.
 */
export const JOB_STATE_CODE: Record<JobState, number> = { up: 0, too_fast: 1, late: 2, too_slow: 3, failed: 4, down: 5 };

export interface JobTiming {
  periodSeconds: number;
  graceSeconds: number;
  minRuntimeSeconds: number | null;
  maxRuntimeSeconds: number | null;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastOutcome: JobOutcome | null;
  lastDurationMs: number | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
}

export interface JobStatus {
  state: JobState;
  reason: string;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** Whether a run started and has not reported back yet. */
export function isRunning(job: JobTiming): boolean {
  return job.lastStartedAt !== null && (job.lastFinishedAt === null || job.lastStartedAt > job.lastFinishedAt);
}

/**
 * A heartbeat job's state at `now`, with the reason in words. Order matters: a run stuck
 * past its maximum and a failed last run outrank lateness; lateness outranks how long the
 * last good run took.
 */
export function jobState(job: JobTiming, now: Date): JobStatus {
  const t = now.getTime();
  if (isRunning(job) && job.maxRuntimeSeconds !== null) {
    const running = t - job.lastStartedAt!.getTime();
    if (running > job.maxRuntimeSeconds * 1000) {
      return { state: "too_slow", reason: `running for ${formatDuration(running)}, longer than the ${formatDuration(job.maxRuntimeSeconds * 1000)} maximum` };
    }
  }
  if (job.lastOutcome === "fail") {
    return { state: "failed", reason: `last run failed ${formatDuration(t - job.lastFinishedAt!.getTime())} ago` };
  }
  const since = job.lastSuccessAt ?? job.createdAt;
  const overdue = t - (since.getTime() + job.periodSeconds * 1000);
  const expected = `expected every ${formatDuration(job.periodSeconds * 1000)}`;
  if (overdue > job.graceSeconds * 1000) {
    const what = job.lastSuccessAt ? `no successful run for ${formatDuration(t - since.getTime())}` : "never reported";
    return { state: "down", reason: `${what}, ${expected}` };
  }
  if (overdue > 0) {
    return { state: "late", reason: `${formatDuration(overdue)} late, ${expected} (grace ${formatDuration(job.graceSeconds * 1000)})` };
  }
  if (job.lastDurationMs !== null && job.lastOutcome === "success") {
    const took = formatDuration(job.lastDurationMs);
    if (job.minRuntimeSeconds !== null && job.lastDurationMs < job.minRuntimeSeconds * 1000) {
      return { state: "too_fast", reason: `last run took ${took}, under the ${formatDuration(job.minRuntimeSeconds * 1000)} minimum` };
    }
    if (job.maxRuntimeSeconds !== null && job.lastDurationMs > job.maxRuntimeSeconds * 1000) {
      return { state: "too_slow", reason: `last run took ${took}, over the ${formatDuration(job.maxRuntimeSeconds * 1000)} maximum` };
    }
  }
  return { state: "up", reason: job.lastSuccessAt ? `last success ${formatDuration(t - job.lastSuccessAt.getTime())} ago` : "waiting for the first run" };
}
