import { formatShopTime, shopTimeAt } from "./traffic-shape";

export const INCIDENT_KINDS = ["gateway-timeouts", "latency-spike", "pool-exhaustion", "slow-queries"] as const;
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
  /** The demo's anomaly watch that should raise it when no rule does (lib/demo/demo-services.ts seeds it). */
  anomaly?: string;
}

/** The watch the demo adds for the incident no rule catches. */
export const SLOW_QUERY_WATCH = { metric: "db.query.duration", service: "postgres", stat: "p95", label: "DB query time p95" } as const;

/**
 * The incidents repeat every 15 minutes, whatever the hour: short enough that a watcher sees
 * each kind within minutes of starting the demo. Each lasts well past the 60 s rule windows,
 * and the gaps leave time for the previous alert to resolve (a window takes up to a minute to
 * drain, the pool alert keeps firing a minute longer, the job alert waits for the next run)
 * before the next incident starts. Slow queries come first, after the quietest stretch for the
 * database, so the detector has its anomaly within minutes of the start.
 */
export const INCIDENT_CYCLE_MS = 15 * 60_000;

export const INCIDENT_SCHEDULE: readonly ScheduledIncident[] = [
  {
    kind: "slow-queries",
    startMs: 30_000,
    durationMs: 240_000,
    what: "a deploy dropped an index: database queries take about 4× as long and slow queries pile up, while the API stays under its thresholds",
    alerts: [],
    resolves: "",
    anomaly: SLOW_QUERY_WATCH.label,
  },
  {
    kind: "gateway-timeouts",
    startMs: 270_000,
    durationMs: 90_000,
    what: "ECPay times out on about 30% of payments; the ECPay gateway health check goes down",
    alerts: ["Payment success rate < 95%"],
    resolves: "within about a minute, as the 60 s window drains",
  },
  {
    kind: "latency-spike",
    startMs: 450_000,
    durationMs: 90_000,
    what: "the product cache is down: /api/products and /api/search take 1.5 s or more",
    alerts: ["API response time p95 > 1000 ms"],
    resolves: "within about a minute, as the 60 s window drains",
  },
  {
    kind: "pool-exhaustion",
    // 33 s before the job's failing run, as in a real pool: the pool alert fires first and inhibits the job's.
    startMs: 630_000,
    durationMs: 120_000,
    what: "a runaway export holds the database pool: connections in use at the maximum, the invoice-sync job fails and the email service's outbox stalls",
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

/** Where the demo is: its run time, and the shop's clock. */
export interface DemoClock {
  /** Wall-clock time, ms since the epoch. */
  now: number;
  timeZone: string;
}

function stamp(elapsedMs: number, clock: DemoClock): string {
  return `demo ${formatElapsed(elapsedMs)} (shop time ${formatShopTime(shopTimeAt(clock.now, clock.timeZone).hour)})`;
}

function expectation(incident: ScheduledIncident): string {
  if (incident.alerts.length > 0) return `expect ${quoted(incident.alerts)} to fire`;
  return `no rule watches this: expect an anomaly on ${quoted(incident.anomaly ? [incident.anomaly] : [])} within about two minutes`;
}

function aftermath(incident: ScheduledIncident): string {
  if (incident.alerts.length > 0) return `${quoted(incident.alerts)} should resolve ${incident.resolves}`;
  return `its anomaly closes after five calm minutes`;
}

/** What a watcher should read when the demo moves from `previousMs` to `elapsedMs`: an incident ending, starting, or nothing. */
export function incidentAnnouncements(previousMs: number, elapsedMs: number, clock: DemoClock): string[] {
  const before = activeIncident(previousMs);
  const now = activeIncident(elapsedMs);
  if (before?.kind === now?.kind && before?.cycle === now?.cycle) return [];
  const lines: string[] = [];
  if (before) lines.push(`${stamp(elapsedMs, clock)}: incident over: ${before.kind}; ${aftermath(before)}`);
  if (now) {
    const lasts = Math.round(now.remainingMs / 1000);
    lines.push(`${stamp(elapsedMs, clock)}: incident started: ${now.kind} for ${lasts} s: ${now.what}; ${expectation(now)}`);
  }
  return lines;
}

/** One line for the start of the demo: whose clock the traffic follows and when each incident comes. */
export function describeSchedule(timeZone: string): string {
  const incidents = INCIDENT_SCHEDULE.map((i) => `${i.kind} at ${formatElapsed(i.startMs)}`);
  return `demo: traffic follows the clock in ${timeZone}; incidents every ${INCIDENT_CYCLE_MS / 60_000} min: ${incidents.join(", ")}`;
}
