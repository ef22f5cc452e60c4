import { Middleware, internalEvents } from "inngest";
import { ulidTime } from "@/lib/workflows/ulid";

export type JobRunOutcome = "ok" | "error";

export interface JobRun {
  functionId: string;
  outcome: JobRunOutcome;
  /** From the run's first execution to its end, retries and sleeps included. */
  durationMs: number;
  /** When the run ended, epoch milliseconds. */
  at: number;
}

// The parts of a hook's (deeply read-only) arguments this middleware reads.
type RunContext = { readonly runId: string; readonly event?: { readonly name: string } };
type NamedFunction = { id(): string };

// A run that never ends (cancelled in Inngest, or dropped by a stopping driver) must not pin
// its start time forever; ending runs older than this fall back to the time in their run id.
const FORGET_AFTER_MS = 24 * 3_600_000;

/**
 * A v4 middleware class that reports each function run once, when it ends: `ok` when the
 * handler returns, `error` when it throws on its last attempt (a retried attempt is not an end).
 *
 * Inngest calls a run's hooks across several requests, each with a fresh middleware instance, so
 * the start time lives in this factory's closure, keyed by run id. A run that started in another
 * process (a restart, or several replicas) is timed from its run id, a ULID minted when Inngest
 * scheduled it. The same hooks fire under the in-process driver, which drives the SDK's execution.
 */
export function jobRunMiddleware(record: (run: JobRun) => void, clock: () => number = Date.now): Middleware.Class {
  const startedAt = new Map<string, number>();

  const forgetStale = (now: number) => {
    for (const [runId, started] of startedAt) {
      if (now - started < FORGET_AFTER_MS) break; // insertion order is start order
      startedAt.delete(runId);
    }
  };

  const finish = (ctx: RunContext, fn: NamedFunction, outcome: JobRunOutcome) => {
    const at = clock();
    const started = startedAt.get(ctx.runId) ?? ulidTime(ctx.runId) ?? at;
    startedAt.delete(ctx.runId);
    record({ functionId: functionIdOf(ctx, fn), outcome, durationMs: Math.max(0, at - started), at });
  };

  return class JobRunMiddleware extends Middleware.BaseMiddleware {
    readonly id = "vigil:job-runs";

    onRunStart({ ctx }: Middleware.OnRunStartArgs) {
      const now = clock();
      forgetStale(now);
      startedAt.set(ctx.runId, now);
    }

    onRunComplete({ ctx, fn }: Middleware.OnRunCompleteArgs) {
      finish(ctx, fn, "ok");
    }

    onRunError({ ctx, fn, isFinalAttempt }: Middleware.OnRunErrorArgs) {
      if (isFinalAttempt) finish(ctx, fn, "error");
    }
  };
}

/** An `onFailure` handler runs as the same function object; Inngest lists it as `<id>-failure`. */
function functionIdOf(ctx: RunContext, fn: NamedFunction): string {
  return ctx.event?.name === internalEvents.FunctionFailed ? `${fn.id()}-failure` : fn.id();
}
