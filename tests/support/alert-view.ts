import type { AlertView } from "@/lib/alerts/alert-lifecycle";

/** A firing alert as the API shows it, for tests that only carry alerts around. */
export function alertView(over: Partial<AlertView> = {}): AlertView {
  const status = over.status ?? "firing";
  return {
    id: "6c1f0d3e-0000-4000-8000-000000000001",
    ruleId: "6c1f0d3e-0000-4000-8000-000000000002",
    ruleName: "API response time p95 > 1000 ms",
    metric: "api.response_time",
    fingerprint: "0123456789abcdef",
    labels: {},
    severity: "warning",
    status,
    metricValue: 5000,
    reason: "p95 of api.response_time is 5000 > 1000",
    triggeredAt: "2026-01-05T10:00:00.000Z",
    firedAt: "2026-01-05T10:00:00.000Z",
    notifyState: "notified",
    heldBy: null,
    acknowledgedAt: status === "acknowledged" ? "2026-01-05T10:00:05.000Z" : null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    autoResolved: false,
    resolutionNotes: null,
    runbookUrl: null,
    ...over,
  };
}
