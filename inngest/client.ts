import { Inngest } from "inngest";
import { InProcessEvents } from "@/lib/workflows/in-process-events";
import { getRuntime, hasRuntime } from "@/lib/runtime/runtime";
import { jobRunMiddleware, type JobRun } from "./middleware";

/** With neither set, Vigil runs its functions itself (lib/workflows/in-process-driver.ts). */
export const usesInngestServer = Boolean(process.env.INNGEST_EVENT_KEY || process.env.INNGEST_DEV);

/** Vigil's own runs become self-metrics, like its request and store latencies. */
function recordJobRun(run: JobRun): void {
  if (!hasRuntime()) return;
  const tags = { function: run.functionId, outcome: run.outcome };
  getRuntime().selfMetrics.record("vigil.workflow.run_time", run.durationMs, "ms", tags, run.at);
}

export const inngest = new Inngest({
  id: "vigil",
  // In process, sends never reach the network (InProcessEvents answers them), but the SDK refuses
  // to send at all without an event key before any middleware runs: a placeholder gets past that.
  ...(usesInngestServer ? {} : { eventKey: "in-process" }),
  middleware: [InProcessEvents, jobRunMiddleware(recordJobRun)],
});
