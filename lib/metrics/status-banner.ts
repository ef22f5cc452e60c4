import type { DashboardSnapshot } from "./dashboard";

export type BannerLevel = "operational" | "degraded" | "outage";

export interface BannerCause {
  level: Exclude<BannerLevel, "operational">;
  text: string;
}

export interface StatusBanner {
  level: BannerLevel;
  /** The most severe cause, and how many more there are; null when operational. */
  reason: string | null;
  /** "All systems operational", "Degraded: …", "Outage: …". */
  text: string;
  /** Every cause, most severe first. */
  causes: BannerCause[];
}

const LEVEL_RANK: Record<BannerLevel, number> = { operational: 0, degraded: 1, outage: 2 };

/**
 * The one-line verdict at the top of the dashboard, from what the snapshot already says.
 *
 * Outage: users are affected by something confirmed.
 *   - an open (firing or acknowledged) critical alert: acknowledging means someone is on it,
 *     not that it is over;
 *   - a health-checked service that is down.
 * Degraded: something is wrong or on its way to wrong.
 *   - an open warning alert;
 *   - a service in warning;
 *   - a metric card in warning or critical whose metric has no open alert (the rule has not
 *     fired yet, e.g. within its pending window): a single window is not a confirmed outage;
 *   - a background job that is not up (failed, down, late, too slow, too fast).
 * Ignored: info alerts, resolved alerts, cards with no data and services not checked yet
 * (a fresh install is not degraded).
 *
 * Causes are ordered by level, then alerts, services, cards, jobs, each in snapshot order.
 */
export function deriveStatusBanner(snapshot: Pick<DashboardSnapshot, "alerts" | "services" | "cards" | "jobs">): StatusBanner {
  const causes: BannerCause[] = [];
  const openAlerts = snapshot.alerts.filter((a) => (a.status === "firing" || a.status === "acknowledged") && a.severity !== "info");
  for (const alert of openAlerts) {
    causes.push({
      level: alert.severity === "critical" ? "outage" : "degraded",
      text: alert.status === "acknowledged" ? `${alert.ruleName} (acknowledged)` : alert.ruleName,
    });
  }
  for (const service of snapshot.services) {
    if (service.state === "down") causes.push({ level: "outage", text: `${service.name} is down` });
    else if (service.state === "warning") causes.push({ level: "degraded", text: `${service.name} is in warning` });
  }
  // An open alert on the same metric already names the problem, at its rule's severity.
  const alerted = new Set(openAlerts.map((a) => a.metric));
  for (const card of snapshot.cards) {
    if ((card.state === "warning" || card.state === "critical") && !alerted.has(card.metric)) {
      causes.push({ level: "degraded", text: `${card.title} at ${card.state} level` });
    }
  }
  for (const job of snapshot.jobs) {
    if (job.state !== "up") causes.push({ level: "degraded", text: `job ${job.name} ${job.state.replace("_", " ")}` });
  }

  // Stable sort: within a level the order of discovery above is kept.
  causes.sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
  const first = causes[0];
  if (!first) return { level: "operational", reason: null, text: "All systems operational", causes };
  const reason = causes.length > 1 ? `${first.text} and ${causes.length - 1} more` : first.text;
  return { level: first.level, reason, text: `${first.level === "outage" ? "Outage" : "Degraded"}: ${reason}`, causes };
}
