import type { NotifyWork } from "@/lib/notify/notifier";
import { inngest } from "./client";
import { notifyAlertFunction } from "./notify-alert";
import { notifyResolvedFunction } from "./notify-resolved";
import { sendDigestsFunction } from "./send-digests";

/** What Vigil's functions call; injected so these definitions stay free of the runtime. */
export interface VigilFunctionDeps {
  rollUpRecent(now: Date): Promise<unknown>;
  /** Feeds the minutes just rolled up to the anomaly detectors. */
  detectAnomalies(now: Date): Promise<unknown>;
  enforceRetention(now: Date): Promise<unknown>;
  /** The notification workflows' steps. */
  notify: NotifyWork;
  /** The time handed to each step; the wall clock unless given. */
  now?: () => Date;
}

/**
 * Vigil's own workflows, thin adapters over lib/. The same objects are served to Inngest
 * (app/api/inngest) or run by the in-process driver. Every step is safe to repeat, which
 * retries and a driver that fires a late cron at once both rely on.
 */
export function vigilFunctions(deps: VigilFunctionDeps) {
  const now = deps.now ?? (() => new Date());
  return [
    inngest.createFunction(
      { id: "rollup-metrics", name: "Roll up metrics", retries: 3, concurrency: { limit: 1 }, triggers: [{ cron: "* * * * *" }] },
      async ({ step }) => {
        await step.run("roll-up-recent", () => deps.rollUpRecent(now()));
        // Right after the rollup: the minute that just ended is judged within seconds of its end.
        return step.run("detect-anomalies", () => deps.detectAnomalies(now()));
      },
    ),
    inngest.createFunction(
      { id: "enforce-retention", name: "Enforce retention", retries: 3, concurrency: { limit: 1 }, triggers: [{ cron: "0 * * * *" }] },
      async ({ step }) => step.run("enforce-retention", () => deps.enforceRetention(now())),
    ),
    notifyAlertFunction(deps.notify),
    notifyResolvedFunction(deps.notify),
    sendDigestsFunction(deps.notify),
  ];
}
