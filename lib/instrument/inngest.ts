import type { Reporter } from "./reporter";

/** What Vigil's `jobRunMiddleware` (inngest/middleware.ts) hands its recorder for each run. */
export interface InngestRun {
  functionId: string;
  outcome: "ok" | "error";
  durationMs: number;
  at: number;
}

/**
 * The recorder for a host app's Inngest client, so its background jobs show up in Vigil
 * the way its routes do (this module stays free of the `inngest` package; the middleware
 * file is copied beside it):
 *
 * ```ts
 * new Inngest({ id: "shop", middleware: [jobRunMiddleware(inngestRunRecorder(vigil))] });
 * ```
 *
 * Each run becomes one `job.run.duration` sample (ms) tagged `function` and `outcome`, so
 * a rule can alert on `count` of `outcome=error` or on the p95 duration.
 */
export function inngestRunRecorder(reporter: Reporter): (run: InngestRun) => void {
  return (run) =>
    reporter.record({
      metric: "job.run.duration",
      value: run.durationMs,
      unit: "ms",
      tags: { function: run.functionId, outcome: run.outcome },
      timestamp: run.at,
    });
}
