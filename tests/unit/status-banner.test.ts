import { describe, expect, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { deriveStatusBanner } from "@/lib/metrics/status-banner";

type Snapshot = Pick<DashboardSnapshot, "alerts" | "services" | "cards" | "jobs">;
type Service = DashboardSnapshot["services"][number];
type CardData = DashboardSnapshot["cards"][number];
type Job = DashboardSnapshot["jobs"][number];

const alert = (ruleName: string, severity: AlertView["severity"], status: AlertView["status"], metric = "some.metric") =>
  ({ id: ruleName, ruleName, metric, severity, status }) as AlertView;
const service = (name: string, state: Service["state"]): Service => ({ name, url: "http://x", state, reason: null, latencyMs: null });
const card = (title: string, metric: string, state: CardData["state"]): CardData => ({
  key: metric,
  title,
  metric,
  service: null,
  unit: "",
  value: state === "no-data" ? null : 1,
  capacity: null,
  state,
  rules: [],
  pinId: null,
  trend: [],
});
const job = (name: string, state: Job["state"]): Job => ({ slug: name, name, state, reason: "", running: false });
const snap = (over: Partial<Snapshot>): Snapshot => ({ alerts: [], services: [], cards: [], jobs: [], ...over });

describe("deriveStatusBanner", () => {
  it.each<[string, Partial<Snapshot>, string]>([
    ["nothing at all (a fresh install)", {}, "All systems operational"],
    [
      "everything fine, cards without data, services not checked yet",
      { cards: [card("API", "api", "ok"), card("Pool", "pool", "no-data")], services: [service("Shop", "healthy"), service("New", null)], jobs: [job("backup", "up")] },
      "All systems operational",
    ],
    ["resolved and info alerts do not count", { alerts: [alert("Gateway timeout", "critical", "resolved"), alert("Backup done", "info", "firing")] }, "All systems operational"],
    ["a firing warning alert", { alerts: [alert("High memory on worker-2", "warning", "firing")] }, "Degraded: High memory on worker-2"],
    ["a firing critical alert", { alerts: [alert("Payment gateway timeout", "critical", "firing")] }, "Outage: Payment gateway timeout"],
    ["an acknowledged critical alert is still an outage", { alerts: [alert("Payment gateway timeout", "critical", "acknowledged")] }, "Outage: Payment gateway timeout (acknowledged)"],
    ["a service down", { services: [service("ECPay", "down")] }, "Outage: ECPay is down"],
    ["a service in warning", { services: [service("Redis cache", "warning")] }, "Degraded: Redis cache is in warning"],
    ["a critical card without an alert yet is degraded, not an outage", { cards: [card("API response time (p95)", "api.response_time", "critical")] }, "Degraded: API response time (p95) at critical level"],
    ["a warning card", { cards: [card("DB connection pool", "db.pool", "warning")] }, "Degraded: DB connection pool at warning level"],
    ["a job that failed", { jobs: [job("nightly-backup", "failed")] }, "Degraded: job nightly-backup failed"],
    ["a late job", { jobs: [job("nightly-backup", "too_slow")] }, "Degraded: job nightly-backup too slow"],
    [
      "the worst cause leads, the rest are counted",
      { alerts: [alert("High memory", "warning", "firing")], services: [service("Email", "warning"), service("ECPay", "down")], jobs: [job("backup", "late")] },
      "Outage: ECPay is down and 3 more",
    ],
    [
      "a card whose metric already has an open alert is not listed twice",
      { alerts: [alert("API p95 > 1000 ms", "critical", "firing", "api.response_time")], cards: [card("API response time (p95)", "api.response_time", "critical")] },
      "Outage: API p95 > 1000 ms",
    ],
  ])("%s → %s", (_name, over, text) => expect(deriveStatusBanner(snap(over)).text).toBe(text));

  it("returns the level, the reason and every cause, most severe first", () => {
    const banner = deriveStatusBanner(
      snap({
        alerts: [alert("High memory", "warning", "firing"), alert("Gateway timeout", "critical", "firing")],
        services: [service("Redis", "warning")],
      }),
    );
    expect(banner).toEqual({
      level: "outage",
      reason: "Gateway timeout and 2 more",
      text: "Outage: Gateway timeout and 2 more",
      causes: [
        { level: "outage", text: "Gateway timeout" },
        { level: "degraded", text: "High memory" },
        { level: "degraded", text: "Redis is in warning" },
      ],
    });
    expect(deriveStatusBanner(snap({}))).toEqual({ level: "operational", reason: null, text: "All systems operational", causes: [] });
  });
});
