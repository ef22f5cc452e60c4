import { describe, expect, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { baseUrl, getJson, ingest, signIn } from "../support/http-client";
import { readEventsUntil } from "../support/sse";
import { ensureRule, IMMEDIATE_API_RULE } from "../support/rules";
import { waitUntil } from "../support/wait";

const RULE = IMMEDIATE_API_RULE.name;

async function activeAlerts(cookie: string): Promise<AlertView[]> {
  return (await getJson<{ alerts: AlertView[] }>("/api/admin/monitoring/alerts/active", cookie)).body.alerts;
}


describe("metric → store → rule → alert → live stream", () => {
  it("a breaching sample opens an alert, streamed live; healthy samples resolve it", async () => {
    const { cookie } = await signIn();
    await ensureRule(baseUrl(), cookie, IMMEDIATE_API_RULE);
    const stream = await fetch(`${baseUrl()}/api/admin/monitoring/stream`, { headers: { cookie } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);

    const sent = Date.now();
    const slow = Array.from({ length: 10 }, (_, i) => ({ metric: "api.response_time", service: "shop-api", unit: "ms", value: 2500 + i }));
    expect((await ingest({ samples: slow })).status).toBe(200);

    // The alert goes pending, then (its rule's `for` is 0) fires in the same pass.
    const events = await readEventsUntil(stream, (e) => e.event === "alert" && (e.data as AlertView).ruleName === RULE && (e.data as AlertView).status === "firing");
    expect(events[0]!.event).toBe("snapshot"); // the current state comes first
    const fired = events.at(-1)!.data as AlertView;
    expect(fired).toMatchObject({ status: "firing", severity: "warning", metric: "api.response_time" });
    expect(fired.metricValue).toBeGreaterThan(1000);
    expect(fired.reason).toMatch(/p95 of api\.response_time is \d+/);
    // Evaluated every second: the alert follows the write within a couple of seconds.
    expect(Date.parse(fired.triggeredAt) - sent).toBeLessThan(5000);

    expect((await activeAlerts(cookie)).map((a) => a.id)).toContain(fired.id);
    const { body: snapshot } = await getJson<DashboardSnapshot>("/api/admin/monitoring/metrics/realtime", cookie);
    // Other tests on this server may have critical alerts open too: at least not "operational".
    expect(snapshot.status).not.toBe("operational");
    // The card takes the colour of the rule watching it: a warning rule, so amber.
    expect(snapshot.cards.find((c) => c.key === "api")).toMatchObject({ state: "warning" });

    // Enough fast requests that the window's p95 drops under the threshold.
    const fast = Array.from({ length: 400 }, () => ({ metric: "api.response_time", service: "shop-api", value: 120 }));
    expect((await ingest({ samples: fast })).status).toBe(200);
    await waitUntil(async () => ((await activeAlerts(cookie)).some((a) => a.id === fired.id) ? undefined : true));
  });
});
