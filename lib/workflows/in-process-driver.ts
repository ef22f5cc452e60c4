import { internalEvents, type EventPayload, type Inngest, type InngestFunction } from "inngest";
import { nextCronTime, parseCron, type CronSchedule } from "./cron";
import { InProcessEvents, routeEventsInProcess } from "./in-process-events";
import { runToEnd, sameFieldAs, STOPPED, type HandlerKind, type RunEnvironment, type RunOutcome } from "./run-to-end";
import { ulid } from "./ulid";

export { nextCronTime, parseCron } from "./cron";
export type { RunOutcome } from "./run-to-end";

export interface InProcessDriverOptions {
  functions: readonly InngestFunction.Any[];
  /** The clock for cron, sleep and retry decisions. */
  now?: () => Date;
  /** How often cron schedules are checked against the clock. */
  tickMs?: number;
  /** Delay before retry number `attempt` (1 for the first retry). */
  retryDelayMs?: (attempt: number) => number;
  /** Where failed runs and dropped events are reported. */
  log?: (message: string, detail?: unknown) => void;
}

export interface SendableEvent {
  name: string;
  data?: Record<string, unknown>;
  id?: string;
  ts?: number;
}

interface CronEntry {
  fn: InngestFunction.Any;
  schedule: CronSchedule;
  due: Date;
}

interface EventWaiter {
  name: string;
  matches: (event: EventPayload) => boolean;
  resolve: (event: EventPayload | null | typeof STOPPED) => void;
}

// Options that decide which runs happen; running without them would run the wrong ones.
// (Concurrency, throttle, priority and timeouts only shape timing and are ignored here.)
const UNSUPPORTED_OPTIONS = ["batchEvents", "debounce", "rateLimit", "idempotency", "singleton"] as const;

/** A running run's `cancelOn`: an event by this name that `matches` stops it at its next wait. */
interface Canceller {
  name: string;
  matches: (event: EventPayload) => boolean;
  cancel: () => void;
}

export function defaultRetryDelayMs(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 5 * 60_000);
}

/**
 * The embedded default for workflows: runs the same function objects `inngest.createFunction`
 * returns, in this process, with no Inngest server. Cron and event triggers, `step.run` with
 * retries and backoff, `step.sleep`/`sleepUntil`, `step.waitForEvent` (with `match`) and
 * `step.sendEvent`, and `cancelOn` with `match`. Each run goes through the SDK's real execution engine (see run-to-end.ts),
 * so client and function middleware fire as under Inngest.
 *
 * Waits live in memory for now: a stop or restart abandons runs that sleep, wait or back off.
 */
export class InProcessDriver {
  private readonly functions: readonly InngestFunction.Any[];
  private readonly now: () => Date;
  private readonly tickMs: number;
  private readonly log: (message: string, detail?: unknown) => void;
  private readonly env: RunEnvironment;
  private state: "new" | "running" | "stopping" | "stopped" = "new";
  private crons: CronEntry[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private unroute: (() => void)[] = [];
  private readonly active = new Set<Promise<RunOutcome>>();
  /** Cron functions with a run in flight: a slot that comes round meanwhile is skipped, not stacked. */
  private readonly cronRunning = new Set<string>();
  private readonly cancelWaits = new Set<() => void>();
  private readonly waiters = new Set<EventWaiter>();
  private readonly cancellers = new Set<Canceller>();

  constructor(options: InProcessDriverOptions) {
    for (const fn of options.functions) assertRunnable(fn);
    this.functions = options.functions;
    this.now = options.now ?? (() => new Date());
    this.tickMs = options.tickMs ?? 1000;
    this.log = options.log ?? ((message, detail) => console.error(message, detail ?? ""));
    const retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
    this.env = {
      now: this.now,
      retryDelayMs,
      sleepUntil: (at) => this.sleepUntil(at),
      waitForEvent: (name, matches, timeoutAt) => this.waitForEvent(name, matches, timeoutAt),
    };
  }

  /** Starts the cron clock and takes over the apps' event sends. */
  start(): void {
    if (this.state !== "new") throw new Error("the in-process driver starts only once");
    const appIds = new Set(this.functions.map((fn) => clientOf(fn).id));
    this.unroute = [...appIds].map((appId) => routeEventsInProcess(appId, (events) => this.deliver(events)));
    const now = this.now();
    this.crons = this.functions.flatMap((fn) =>
      cronsOf(fn).map((expression) => {
        const schedule = parseCron(expression);
        return { fn, schedule, due: nextCronTime(schedule, now) };
      }),
    );
    this.ticker = setInterval(() => this.tick(), this.tickMs);
    this.state = "running";
  }

  /**
   * Takes no new runs, abandons runs that are sleeping, waiting or backing off, and resolves once
   * the runs still executing have finished (their own sends are dropped, with a log line).
   */
  async stop(): Promise<void> {
    if (this.state === "new" || this.state === "stopped") {
      this.state = "stopped";
      return;
    }
    this.state = "stopping";
    clearInterval(this.ticker);
    for (const cancel of this.cancelWaits) cancel();
    await this.settled();
    for (const unroute of this.unroute) unroute();
    this.state = "stopped";
  }

  /** Delivers events to waiting runs and starts the functions they trigger; does not wait for them. */
  async send(events: SendableEvent | readonly SendableEvent[]): Promise<{ ids: string[] }> {
    this.assertRunning();
    return { ids: await this.deliver(Array.isArray(events) ? events : [events as SendableEvent]) };
  }

  /** Runs a function once now, as its cron would (or invoked with `data`), and resolves when it ends. */
  runNow(functionId: string, data: Record<string, unknown> = {}): Promise<RunOutcome> {
    this.assertRunning();
    const fn = this.functions.find((f) => f.id() === functionId || f.id(clientOf(f).id) === functionId);
    if (!fn) throw new Error(`no function "${functionId}" in the in-process driver`);
    const [cron] = cronsOf(fn);
    const event = cron
      ? this.event({ name: internalEvents.ScheduledTimer, data: { cron } })
      : this.event({ name: internalEvents.FunctionInvoked, data });
    return this.launch(fn, event, "main");
  }

  /** Resolves once no run is in flight, including runs started while waiting. */
  async settled(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  private tick(): void {
    const now = this.now();
    for (const cron of this.crons) {
      if (now < cron.due) continue;
      // A late tick (a paused process) fires once, not once per missed slot.
      const event = this.event({ name: internalEvents.ScheduledTimer, data: { cron: cron.schedule.expression }, ts: cron.due.getTime() });
      cron.due = nextCronTime(cron.schedule, now);
      const id = cron.fn.id();
      if (this.cronRunning.has(id)) {
        this.log(`workflow ${id}: the previous run is still going, skipping this slot`);
        continue;
      }
      this.cronRunning.add(id);
      void this.launch(cron.fn, event, "main").finally(() => this.cronRunning.delete(id));
    }
  }

  private async deliver(events: readonly SendableEvent[]): Promise<string[]> {
    const ids: string[] = [];
    for (const sent of events) {
      const event = this.event(sent);
      ids.push(event.id!);
      if (this.state !== "running") {
        this.log(`in-process driver stopping: dropped event ${event.name}`);
        continue;
      }
      // Cancel first: a run cancelled by this event must not also be woken by it.
      for (const canceller of this.cancellers) {
        if (canceller.name === event.name && canceller.matches(event)) canceller.cancel();
      }
      for (const waiter of this.waiters) {
        if (waiter.name === event.name && waiter.matches(event)) waiter.resolve(event);
      }
      for (const fn of this.functions) {
        if (eventsOf(fn).some((pattern) => matchesEventName(pattern, event.name))) void this.launch(fn, event, "main");
      }
    }
    return ids;
  }

  private launch(fn: InngestFunction.Any, event: EventPayload, handlerKind: HandlerKind): Promise<RunOutcome> {
    const cancellation = handlerKind === "main" ? this.cancellationOf(fn, event) : undefined;
    const run = runToEnd(fn, event, handlerKind, cancellation?.env ?? this.env)
      .catch((error: unknown): RunOutcome => ({ runId: "", functionId: fn.id(), status: "failed", error }))
      .then((ended) => {
        cancellation?.dispose();
        const outcome: RunOutcome = cancellation?.signal.aborted && ended.status === "abandoned" ? { ...ended, status: "cancelled" } : ended;
        this.afterRun(fn, event, handlerKind, outcome);
        return outcome;
      })
      .finally(() => this.active.delete(run));
    this.active.add(run);
    return run;
  }

  private afterRun(fn: InngestFunction.Any, event: EventPayload, handlerKind: HandlerKind, outcome: RunOutcome): void {
    if (outcome.status !== "failed") return;
    this.log(`workflow ${outcome.functionId}${handlerKind === "failure" ? " (failure handler)" : ""} failed`, outcome.error);
    if (handlerKind === "main" && fn.opts.onFailure && this.state === "running") {
      const data = { error: outcome.error, event, function_id: fn.id(clientOf(fn).id), run_id: outcome.runId };
      void this.launch(fn, this.event({ name: internalEvents.FunctionFailed, data }), "failure");
    }
  }

  /**
   * For a function with `cancelOn`: the run's own environment, whose waits end (as a stop does)
   * when a matching event arrives. Steps already executing finish; the run ends at its next wait.
   */
  private cancellationOf(fn: InngestFunction.Any, trigger: EventPayload) {
    const rules = cancelOnOf(fn);
    if (rules.length === 0) return undefined;
    const controller = new AbortController();
    const signal = controller.signal;
    const cancellers: Canceller[] = rules.map((rule) => ({
      name: rule.event,
      matches: rule.match ? sameFieldAs(trigger, rule.match) : () => true,
      cancel: () => controller.abort(),
    }));
    for (const canceller of cancellers) this.cancellers.add(canceller);
    const env: RunEnvironment = {
      ...this.env,
      sleepUntil: (at) => this.sleepUntil(at, signal),
      waitForEvent: (name, matches, timeoutAt) => this.waitForEvent(name, matches, timeoutAt, signal),
    };
    return { env, signal, dispose: () => cancellers.forEach((c) => this.cancellers.delete(c)) };
  }

  private sleepUntil(at: Date, signal?: AbortSignal): Promise<boolean> {
    if (this.state !== "running" || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (slept: boolean) => {
        clearTimer();
        this.cancelWaits.delete(cancel);
        signal?.removeEventListener("abort", cancel);
        resolve(slept);
      };
      const cancel = () => finish(false);
      const clearTimer = setTimer(at.getTime() - this.now().getTime(), () => finish(true));
      this.cancelWaits.add(cancel);
      signal?.addEventListener("abort", cancel);
    });
  }

  private waitForEvent(name: string, matches: (event: EventPayload) => boolean, timeoutAt: Date, signal?: AbortSignal): Promise<EventPayload | null | typeof STOPPED> {
    if (this.state !== "running" || signal?.aborted) return Promise.resolve(STOPPED);
    return new Promise((resolve) => {
      const finish = (got: EventPayload | null | typeof STOPPED) => {
        clearTimer();
        this.waiters.delete(waiter);
        this.cancelWaits.delete(cancel);
        signal?.removeEventListener("abort", cancel);
        resolve(got);
      };
      const waiter: EventWaiter = { name, matches, resolve: finish };
      const cancel = () => finish(STOPPED);
      const clearTimer = setTimer(timeoutAt.getTime() - this.now().getTime(), () => finish(null));
      this.waiters.add(waiter);
      this.cancelWaits.add(cancel);
      signal?.addEventListener("abort", cancel);
    });
  }

  private event(sent: SendableEvent): EventPayload {
    // Inngest hands functions JSON; a round trip keeps Dates and class instances from leaking through.
    const copy = JSON.parse(JSON.stringify(sent)) as SendableEvent;
    return { ...copy, id: copy.id ?? ulid(), data: copy.data ?? {}, ts: copy.ts ?? this.now().getTime() };
  }

  private assertRunning(): void {
    if (this.state !== "running") throw new Error(`the in-process driver is ${this.state === "new" ? "not started" : "stopped"}`);
  }
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** setTimeout for any distance (Node fires longer delays at once); returns its clear. */
function setTimer(delayMs: number, fire: () => void): () => void {
  let handle: NodeJS.Timeout;
  const arm = (remaining: number) => {
    handle = setTimeout(() => (remaining > MAX_TIMEOUT_MS ? arm(remaining - MAX_TIMEOUT_MS) : fire()), Math.min(remaining, MAX_TIMEOUT_MS));
  };
  arm(Math.max(0, delayMs));
  return () => clearTimeout(handle);
}

function clientOf(fn: InngestFunction.Any): Inngest.Any {
  return fn["client"];
}

function triggersOf(fn: InngestFunction.Any): InngestFunction.Trigger<string>[] {
  return fn.opts.triggers ?? [];
}

function cronsOf(fn: InngestFunction.Any): string[] {
  return triggersOf(fn).flatMap((trigger) => (trigger.cron ? [trigger.cron] : []));
}

function eventsOf(fn: InngestFunction.Any): string[] {
  return triggersOf(fn).flatMap((trigger) => {
    if (!trigger.event) return [];
    return [typeof trigger.event === "string" ? trigger.event : trigger.event.name];
  });
}

type CancelOn = { event: string; match?: string; if?: string; timeout?: unknown };

function cancelOnOf(fn: InngestFunction.Any): CancelOn[] {
  return (fn.opts.cancelOn ?? []) as CancelOn[];
}

function matchesEventName(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** Refuses, at construction, what the driver would otherwise run wrongly. */
function assertRunnable(fn: InngestFunction.Any): void {
  const refuse = (why: string): never => {
    throw new Error(`the in-process driver cannot run "${fn.id()}": ${why}; serve it through Inngest instead`);
  };
  const unsupported = UNSUPPORTED_OPTIONS.filter((option) => fn.opts[option] !== undefined);
  if (unsupported.length > 0) refuse(`it does not honour ${unsupported.join(", ")}`);
  if (triggersOf(fn).some((trigger) => trigger.if)) refuse("it does not evaluate trigger `if` expressions");
  if (cancelOnOf(fn).some((rule) => rule.if || rule.timeout)) refuse("it honours cancelOn only with `match`, not `if` or `timeout`");
  for (const cron of cronsOf(fn)) parseCron(cron);
  // Without it, step.sendEvent would leave the process for an Inngest server.
  if (!clientOf(fn).middleware.includes(InProcessEvents)) refuse("its client lacks the InProcessEvents middleware");
}
