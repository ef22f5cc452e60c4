import { DEMO_DAY_MS, formatShopTime, shopHourAt } from "./traffic-shape";

export const INCIDENT_KINDS = ["gateway-timeouts", "latency-spike", "pool-exhaustion"] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export type Incident = IncidentKind | "none";

export interface ScheduledIncident {
  kind: IncidentKind;
  /** Offset into the cycle. */
  startMs: number;
  durationMs: number;
  /** What breaks, for the console. */
  what: string;
  /** The default rules it trips (see lib/rules/default-rules.ts); a unit test keeps the names in step. */
  alerts: readonly string[];
  /** When those alerts should close again, for the console. */
  resolves: string;
}

/**
 * The incidents repeat with the demo's day, so each lands at the same shop hour every cycle.
 * Each lasts well past the 60 s rule windows, and the gaps leave time for the previous alert to
 * resolve (a window takes up to a minute to drain, the job alert waits for the next run) before
 * the next incident starts.
 */
export const INCIDENT_CYCLE_MS = DEMO_DAY_MS;

export const INCIDENT_SCHEDULE: readonly ScheduledIncident[] = [
  {
    kind: "gateway-timeouts",
    startMs: 60_000,
    durationMs: 90_000,
    what: "ECPay times out on about 30% of payments over the lunch peak; the ECPay gateway health check goes down",
    alerts: ["Payment success rate < 95%"],
    resolves: "within about a minute, as the 60 s window drains",
  },
  {
    kind: "latency-spike",
    startMs: 270_000,
    durationMs: 90_000,
    what: "the product cache is down in the evening rush: /api/products and /api/search take 1.5 s or more",
    alerts: ["API response time p95 > 1000 ms"],
    resolves: "within about a minute, as the 60 s window drains",
  },
  {
    kind: "pool-exhaustion",
    startMs: 450_000,
    durationMs: 120_000,
    what: "a nightly export holds the database pool: connections in use at the maximum, the invoice-sync job fails and the email service's outbox stalls",
    alerts: ["DB connection pool > 90% in use", "Background job unhealthy"],
    resolves: "a minute after the pool recovers (keepFiringFor) for the pool; at its next successful run, still inhibited, for the job",
  },
];

export interface ActiveIncident extends ScheduledIncident {
  /** Which repetition of the cycle, from 0. */
  cycle: number;
  sinceMs: number;
  remainingMs: number;
}

/** The incident under way `elapsedMs` into the demo, if any. */
export function activeIncident(elapsedMs: number): ActiveIncident | undefined {
  const cycle = Math.floor(elapsedMs / INCIDENT_CYCLE_MS);
  const inCycle = elapsedMs - cycle * INCIDENT_CYCLE_MS;
  const scheduled = INCIDENT_SCHEDULE.find((i) => inCycle >= i.startMs && inCycle < i.startMs + i.durationMs);
  if (!scheduled) return undefined;
  const sinceMs = inCycle - scheduled.startMs;
  return { ...scheduled, cycle, sinceMs, remainingMs: scheduled.durationMs - sinceMs };
}

export function incidentAt(elapsedMs: number): Incident {
  return activeIncident(elapsedMs)?.kind ?? "none";
}

/** "12:05" for 12 min 5 s into the demo. */
function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(" and ");
}

function stamp(elapsedMs: number): string {
  return `demo ${formatElapsed(elapsedMs)} (shop time ${formatShopTime(shopHourAt(elapsedMs))})`;
}

/** What a watcher should read when the demo moves from `previousMs` to `elapsedMs`: an incident ending, starting, or nothing. */
export function incidentAnnouncements(previousMs: number, elapsedMs: number): string[] {
  const before = activeIncident(previousMs);
  const now = activeIncident(elapsedMs);
  if (before?.kind === now?.kind && before?.cycle === now?.cycle) return [];
  const lines: string[] = [];
  if (before) lines.push(`${stamp(elapsedMs)}: incident over: ${before.kind}; ${quoted(before.alerts)} should resolve ${before.resolves}`);
  if (now) {
    const lasts = Math.round(now.remainingMs / 1000);
    lines.push(`${stamp(elapsedMs)}: incident started: ${now.kind} for ${lasts} s: ${now.what}; expect ${quoted(now.alerts)} to fire`);
  }
  return lines;
}

/** One line for the start of the demo: the day's length and when each incident comes. */
export function describeSchedule(): string {
  const incidents = INCIDENT_SCHEDULE.map((i) => `${i.kind} at ${formatElapsed(i.startMs)} (${formatShopTime(shopHourAt(i.startMs))})`);
  return `demo: a shop day lasts ${INCIDENT_CYCLE_MS / 60_000} min from ${formatShopTime(shopHourAt(0))}; incidents every cycle: ${incidents.join(", ")}`;
}
