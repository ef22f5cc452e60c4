import { describe, expect, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { cardState, DASHBOARD_CARDS, overallStatus } from "@/lib/metrics/dashboard";

const [payments, api, pool] = DASHBOARD_CARDS as [(typeof DASHBOARD_CARDS)[0], (typeof DASHBOARD_CARDS)[0], (typeof DASHBOARD_CARDS)[0]];

describe("cardState", () => {
  it.each([
    [api, null, null, "no-data"],
    [api, 240, null, "ok"],
    [api, 500, null, "warning"],
    [api, 1200, null, "critical"],
    [payments, 99.1, null, "ok"],
    [payments, 96, null, "warning"],
    [payments, 90, null, "critical"],
    [pool, 50, 100, "ok"],
    [pool, 85, 100, "warning"],
    [pool, 19, 20, "critical"],
  ] as const)("%s: %s of %s is %s", (spec, value, capacity, state) => expect(cardState(spec, value, capacity)).toBe(state));
});

describe("overallStatus", () => {
  const a = (severity: AlertView["severity"], status: AlertView["status"]) => ({ severity, status }) as AlertView;
  it.each([
    [[], "operational"],
    [[a("critical", "resolved")], "operational"],
    [[a("warning", "firing")], "degraded"],
    [[a("warning", "acknowledged"), a("critical", "firing")], "outage"],
  ] as const)("%j → %s", (alerts, status) => expect(overallStatus([...alerts])).toBe(status));
});
