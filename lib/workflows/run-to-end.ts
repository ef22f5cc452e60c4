import type { EventPayload, Inngest, InngestFunction } from "inngest";
import type { InngestExecution } from "inngest/internals";
import { StepMode, StepOpCode, type OutgoingOp } from "inngest/types";
import { ulid } from "./ulid";

export type RunOutcome = { runId: string; functionId: string } & (
  | { status: "completed"; output: unknown }
  | { status: "failed"; error: unknown }
  /** The driver stopped while the run slept, waited or backed off; nothing resumes it yet. */
  | { status: "abandoned" }
  /** An event named in the function's `cancelOn` arrived while the run slept, waited or backed off. */
  | { status: "cancelled" }
);

export type HandlerKind = "main" | "failure";

export const STOPPED = Symbol("stopped");

/** What a run needs from its driver: the clock, the retry policy and the ability to wait. */
export interface RunEnvironment {
  now(): Date;
  /** Delay before retry number `attempt` (1 for the first retry). */
  retryDelayMs(attempt: number): number;
  /** Resolves true at `at`, or false when the driver stops first. */
  sleepUntil(at: Date): Promise<boolean>;
  /** The first later event named `name` that `matches`, null at `timeoutAt`, or STOPPED. */
  waitForEvent(name: string, matches: (event: EventPayload) => boolean, timeoutAt: Date): Promise<EventPayload | null | typeof STOPPED>;
}

const DEFAULT_RETRIES = 3;
// Inngest registers an onFailure handler with one retry.
const FAILURE_HANDLER_RETRIES = 1;

type Memo = { data: unknown } | { error: unknown };

interface RunState {
  runId: string;
  attempt: number;
  steps: Record<string, InngestExecution.MemoizedOp>;
  order: string[];
  /** Steps found together (parallel), run one per request as Inngest does. */
  planned: string[];
  retryStep: string | undefined;
  parallel: boolean;
  waits: Map<string, Promise<Memo | typeof STOPPED>>;
}

/**
 * One function run driven to its end in this process, through the SDK's own execution engine,
 * exactly as Inngest drives it over HTTP: each "request" replays the handler against the steps
 * memoized so far; the engine answers with a step it ran, steps it found, or the run's end; we
 * memoize, retry, wait, and ask again. Middleware hooks therefore fire as they do under Inngest
 * (all but `wrapRequest`, since there is no HTTP request).
 */
export async function runToEnd(fn: InngestFunction.Any, event: EventPayload, handlerKind: HandlerKind, env: RunEnvironment): Promise<RunOutcome> {
  const run: RunState = { runId: ulid(), attempt: 0, steps: {}, order: [], planned: [], retryStep: undefined, parallel: false, waits: new Map() };
  const retries = handlerKind === "failure" ? FAILURE_HANDLER_RETRIES : (fn.opts.retries ?? DEFAULT_RETRIES);
  const end = { runId: run.runId, functionId: fn.id() };
  const abandoned: RunOutcome = { ...end, status: "abandoned" };

  for (;;) {
    if (!run.retryStep && run.planned.length === 0 && run.waits.size > 0) {
      const waited = await Promise.all([...run.waits].map(async ([id, wait]) => [id, await wait] as const));
      run.waits.clear();
      for (const [id, memo] of waited) {
        if (memo === STOPPED) return abandoned;
        memoize(run, id, memo);
      }
      continue;
    }

    const result = await request(fn, event, handlerKind, run, retries + 1);
    switch (result.type) {
      case "function-resolved":
        return { ...end, status: "completed", output: result.data };
      case "function-rejected":
        if (result.retriable === false) return { ...end, status: "failed", error: result.error };
        if (!(await env.sleepUntil(retryAt(result.retriable, run.attempt + 1, env)))) return abandoned;
        run.attempt++;
        break;
      case "step-ran":
        if (result.step.op === StepOpCode.StepError) {
          if (!(await env.sleepUntil(retryAt(result.retriable ?? true, run.attempt + 1, env)))) return abandoned;
          run.attempt++;
          run.retryStep = result.step.id;
        } else {
          memoize(run, result.step.id, result.step.op === StepOpCode.StepFailed ? { error: result.step.error } : { data: result.step.data });
        }
        break;
      case "steps-found":
        plan(run, result.steps, event, env);
        break;
      default:
        // "step-not-found" (the handler changed under a run) or "change-mode" (sync mode only).
        return { ...end, status: "failed", error: { name: "Error", message: `unexpected execution result "${result.type}"` } };
    }
  }
}

function request(fn: InngestFunction.Any, event: EventPayload, handlerKind: HandlerKind, run: RunState, maxAttempts: number): Promise<InngestExecution.ExecutionResult> {
  // `client` and `createExecution` are protected: the SDK's own serve handler and @inngest/test
  // reach them the same way. Pinned to inngest 4.x; a major upgrade must re-check this call.
  const client: Inngest.Any = fn["client"];
  // As InngestCommHandler does: fresh instances per request, client middleware then the function's.
  const middlewareInstances = [...client.middleware, ...(fn.opts.middleware ?? [])].map((Mw) => new Mw({ client }));
  return fn["createExecution"]({
    partialOptions: {
      client,
      runId: run.runId,
      stepMode: StepMode.Async,
      handlerKind,
      data: { event, events: [event], runId: run.runId, attempt: run.attempt, maxAttempts },
      // The engine marks memoized ops as seen and fulfilled: each request gets its own copies.
      stepState: Object.fromEntries(Object.entries(run.steps).map(([id, op]) => [id, { ...op }])),
      stepCompletionOrder: [...run.order],
      requestedRunStep: run.retryStep ?? run.planned[0],
      disableImmediateExecution: run.parallel,
      reqArgs: [],
      headers: {},
      middlewareInstances,
    },
  }).start();
}

function memoize(run: RunState, id: string, memo: Memo): void {
  // Inngest stores step results as JSON; replaying them from JSON keeps the two paths alike.
  const stored = "data" in memo ? { data: asJson(memo.data) } : { error: asJson(memo.error) };
  run.steps[id] = { id, ...stored };
  run.order.push(id);
  run.planned = run.planned.filter((planned) => planned !== id);
  if (run.retryStep === id) run.retryStep = undefined;
  run.attempt = 0;
}

function plan(run: RunState, ops: readonly OutgoingOp[], event: EventPayload, env: RunEnvironment): void {
  if (ops.length > 1) run.parallel = true;
  for (const op of ops) {
    if (run.steps[op.id] || run.waits.has(op.id)) continue;
    switch (op.op) {
      case StepOpCode.StepPlanned:
        if (!run.planned.includes(op.id)) run.planned.push(op.id);
        break;
      case StepOpCode.Sleep:
        run.waits.set(op.id, env.sleepUntil(sleepTarget(op.name ?? "", env.now())).then((slept) => (slept ? { data: null } : STOPPED)));
        break;
      case StepOpCode.WaitForEvent: {
        const wait = eventWait(op, event, env.now());
        if ("error" in wait) memoize(run, op.id, wait);
        else run.waits.set(op.id, env.waitForEvent(wait.name, wait.matches, wait.timeoutAt).then((got) => (got === STOPPED ? STOPPED : { data: got })));
        break;
      }
      default:
        // Failing the step (not the driver) lets the handler catch it and middleware see it.
        memoize(run, op.id, { error: { name: "Error", message: `the in-process driver does not run ${op.op} steps; serve this function through Inngest` } });
    }
  }
}

interface EventWait {
  name: string;
  matches: (event: EventPayload) => boolean;
  timeoutAt: Date;
}

/** `waitForEvent` with `match` becomes `event.X == async.X`; other CEL expressions are not evaluated here. */
function eventWait(op: OutgoingOp, trigger: EventPayload, now: Date): EventWait | { error: unknown } {
  const opts = (op.opts ?? {}) as { timeout?: string; if?: string };
  const timeoutAt = sleepTarget(opts.timeout ?? "", now);
  if (!opts.if) return { name: op.name ?? "", matches: () => true, timeoutAt };
  const match = /^event\.([\w.]+) == async\.\1$/.exec(opts.if.trim());
  if (!match) return { error: { name: "Error", message: `the in-process driver only evaluates "match" waits, not "${opts.if}"` } };
  return { name: op.name ?? "", matches: sameFieldAs(trigger, match[1]!), timeoutAt };
}

/** Inngest's `match: "data.alert.id"`: an event matches when that field equals the trigger's. */
export function sameFieldAs(trigger: EventPayload, dottedPath: string): (event: EventPayload) => boolean {
  const path = dottedPath.split(".");
  const expected = pick(trigger, path);
  return (event) => expected !== undefined && pick(event, path) === expected;
}

function pick(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((at, key) => (at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), value);
}

const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** The SDK writes sleeps as "1h30m"-style durations or, for `sleepUntil`, ISO instants. */
function sleepTarget(name: string, now: Date): Date {
  if (/^(\d+[wdhms])+$/.test(name)) {
    let ms = 0;
    for (const [, count, unit] of name.matchAll(/(\d+)([wdhms])/g)) ms += Number(count) * UNIT_MS[unit!]!;
    return new Date(now.getTime() + ms);
  }
  const at = Date.parse(name);
  return Number.isNaN(at) ? now : new Date(at);
}

/** `RetryAfterError` says when (seconds, or an ISO instant); other errors back off by policy. */
function retryAt(retriable: boolean | string, attempt: number, env: RunEnvironment): Date {
  const now = env.now().getTime();
  if (typeof retriable === "string") {
    if (/^\d+$/.test(retriable)) return new Date(now + Number(retriable) * 1000);
    const at = Date.parse(retriable);
    if (!Number.isNaN(at)) return new Date(at);
  }
  return new Date(now + env.retryDelayMs(attempt));
}

function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}
