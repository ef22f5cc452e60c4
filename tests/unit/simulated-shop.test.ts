import { describe, expect, it } from "vitest";
import { parseBatch } from "@/lib/ingest/batch-schema";
import { emailHealth, gatewayHealth } from "@/lib/demo/demo-services";
import { activeIncident, describeSchedule, incidentAnnouncements, incidentAt, INCIDENT_CYCLE_MS } from "@/lib/demo/incident-schedule";
import { seededRandom } from "@/lib/demo/seeded-random";
import { jobEventAt, simulateSecond } from "@/lib/demo/simulated-shop";
import { formatShopTime, shopTimeAt, shopTrafficAt, trafficAt } from "@/lib/demo/traffic-shape";

const NOW = Date.parse("2026-01-05T10:00:00Z");
const min = (m: number, s = 0) => (m * 60 + s) * 1000;

describe("traffic shape", () => {
  it.each([
    ["2026-01-05T10:00:00Z", "UTC", 10, 1],
    ["2026-01-05T10:30:00Z", "Asia/Taipei", 18.5, 1],
    ["2026-01-10T23:30:00Z", "Asia/Taipei", 7.5, 0],
  ])("at %s in %s the shop's clock reads %d on weekday %d", (at, zone, hour, weekday) =>
    expect(shopTimeAt(Date.parse(at), zone)).toEqual({ hour, weekday }));

  it("has a weekly shape: weekend mornings quieter, weekend evenings busy for longer, never above 1", () => {
    const monday = (h: number) => shopTrafficAt(Date.parse("2026-01-05T00:00:00Z") + h * 3_600_000, "UTC");
    const saturday = (h: number) => shopTrafficAt(Date.parse("2026-01-10T00:00:00Z") + h * 3_600_000, "UTC");
    expect(saturday(9)).toBeLessThan(0.8 * monday(9));
    expect(saturday(18)).toBeGreaterThan(1.1 * monday(18));
    for (let h = 0; h < 24; h += 0.5) expect(saturday(h)).toBeLessThanOrEqual(1);
  });

  it("is quiet at night, and peaks at lunch and in the evening above the afternoon", () => {
    for (const night of [1, 2, 3, 4, 5]) expect(trafficAt(night)).toBeLessThan(0.15);
    const around = (from: number, to: number) => Array.from({ length: (to - from) * 4 + 1 }, (_, i) => from + i / 4);
    const peakHour = (hours: number[]) => hours.reduce((best, h) => (trafficAt(h) > trafficAt(best) ? h : best));
    expect(peakHour(around(10, 15))).toBeGreaterThanOrEqual(12);
    expect(peakHour(around(10, 15))).toBeLessThanOrEqual(13);
    expect(peakHour(around(17, 23))).toBeGreaterThanOrEqual(19);
    expect(peakHour(around(17, 23))).toBeLessThanOrEqual(21);
    expect(trafficAt(12.5)).toBeGreaterThan(1.5 * trafficAt(16.5));
    expect(trafficAt(20.5)).toBeGreaterThan(1.5 * trafficAt(16.5));
    for (const h of around(0, 24)) {
      expect(trafficAt(h)).toBeGreaterThan(0);
      expect(trafficAt(h)).toBeLessThanOrEqual(1);
    }
  });

  it("has no jump at midnight", () => expect(Math.abs(trafficAt(23.999) - trafficAt(0))).toBeLessThan(0.01));

  it("drives the requests, signed-in users and database load", () => {
    const total = (hour: number, metric: string) =>
      simulateSecond(0, Date.parse("2026-01-05T00:00:00Z") + hour * 3_600_000, seededRandom(5), "UTC")
        .filter((s) => s.metric === metric)
        .reduce((sum, s) => sum + s.value, 0);
    const lunch = 12.5;
    const night = 3;
    expect(total(lunch, "api.requests")).toBeGreaterThan(3 * total(night, "api.requests"));
    expect(total(lunch, "users.signed_in")).toBeGreaterThan(3 * total(night, "users.signed_in"));
    expect(total(lunch, "db.connections.in_use")).toBeGreaterThan(2 * total(night, "db.connections.in_use"));
  });

  it.each([
    [8, "08:00"],
    [12.5, "12:30"],
    [23.99, "23:59"],
  ])("shows %s as %s", (hour, shown) => expect(formatShopTime(hour)).toBe(shown));
});

describe("incident schedule", () => {
  const clock = { now: Date.parse("2026-01-05T14:32:00Z"), timeZone: "UTC" };
  it.each([
    [0, "none"],
    [min(0, 30), "slow-queries"],
    [min(4, 29), "slow-queries"],
    [min(4, 30), "gateway-timeouts"],
    [min(6), "none"],
    [min(7, 30), "latency-spike"],
    [min(9), "none"],
    [min(10, 30), "pool-exhaustion"],
    [min(12, 29), "pool-exhaustion"],
    [min(12, 30), "none"],
    [INCIDENT_CYCLE_MS + min(8), "latency-spike"],
  ])("at %d ms the incident is %s", (t, incident) => expect(incidentAt(t)).toBe(incident));

  it("tells how far into an incident the demo is", () => {
    expect(activeIncident(INCIDENT_CYCLE_MS + min(10, 40))).toMatchObject({ kind: "pool-exhaustion", cycle: 1, sinceMs: 10_000, remainingMs: 110_000 });
    expect(activeIncident(min(13))).toBeUndefined();
  });

  it("announces each start and end once, with the alert or anomaly to expect, at the shop's time", () => {
    const lines: string[] = [];
    for (let s = 1; s <= (2 * INCIDENT_CYCLE_MS) / 1000; s++) lines.push(...incidentAnnouncements((s - 1) * 1000, s * 1000, clock));
    expect(lines).toHaveLength(16);
    expect(lines[0]).toBe(
      'demo 0:30 (shop time 14:32): incident started: slow-queries for 240 s: a deploy dropped an index: database queries take about 4× as long and slow queries pile up, while the API stays under its thresholds; no rule watches this: expect an anomaly on "DB query time p95" within about two minutes',
    );
    expect(lines[1]).toBe("demo 4:30 (shop time 14:32): incident over: slow-queries; its anomaly closes after five calm minutes");
    expect(lines[2]).toMatch(/^demo 4:30 \(shop time 14:32\): incident started: gateway-timeouts for 90 s: .*; expect "Payment success rate < 95%" to fire$/);
    expect(lines.filter((l) => l.includes("incident started"))).toHaveLength(8);
    expect(lines.join("\n")).not.toMatch(/lunch|evening|nightly/);
  });

  it("announces nothing between ticks inside one stretch", () => {
    expect(incidentAnnouncements(min(1, 10), min(1, 11), clock)).toEqual([]);
    expect(incidentAnnouncements(min(13), min(13, 1), clock)).toEqual([]);
  });

  it("sums up the cycle in one line", () =>
    expect(describeSchedule("Asia/Taipei")).toBe(
      "demo: traffic follows the clock in Asia/Taipei; incidents every 15 min: slow-queries at 0:30, gateway-timeouts at 4:30, latency-spike at 7:30, pool-exhaustion at 10:30",
    ));
});

describe("simulated second", () => {
  it("produces a valid ingest batch with the dashboard's metrics and the rest of the shop", () => {
    const evening = Date.parse("2026-01-05T20:30:00Z");
    const samples = parseBatch({ samples: simulateSecond(0, evening, seededRandom(1), "UTC") }, evening);
    const metrics = new Set(samples.map((s) => s.metric));
    expect([...metrics].sort()).toEqual([
      "api.requests",
      "api.response_time",
      "db.connections.in_use",
      "db.connections.max",
      "db.connections.waiting",
      "db.queries.slow",
      "db.query.duration",
      "email.sent",
      "payment.attempts",
      "payment.success_rate",
      "users.logins",
      "users.signed_in",
    ]);
    const tagValues = (metric: string, tag: string) => [...new Set(samples.filter((s) => s.metric === metric).map((s) => s.tags[tag]))].sort();
    expect(tagValues("api.response_time", "route")).toEqual(["/api/cart", "/api/checkout", "/api/login", "/api/products", "/api/search"]);
    expect(tagValues("payment.attempts", "outcome")).toEqual(["declined", "success", "timeout"]);
    expect(tagValues("users.logins", "outcome")).toEqual(["failed", "success"]);
  });

  it("is the same for the same seed and clock", () => {
    expect(simulateSecond(min(3), NOW, seededRandom(9), "UTC")).toEqual(simulateSecond(min(3), NOW, seededRandom(9), "UTC"));
    expect(simulateSecond(min(3), NOW, seededRandom(9), "UTC")).not.toEqual(simulateSecond(min(3), NOW, seededRandom(10), "UTC"));
  });

  it("keeps the success rate in step with the attempts", () => {
    const samples = simulateSecond(min(5), NOW, seededRandom(4), "UTC");
    const attempts = Object.fromEntries(samples.filter((s) => s.metric === "payment.attempts").map((s) => [s.tags!.outcome, s.value]));
    const total = attempts.success! + attempts.declined! + attempts.timeout!;
    expect(attempts.timeout).toBeGreaterThan(0);
    expect(samples.find((s) => s.metric === "payment.success_rate")!.value).toBeCloseTo((100 * attempts.success!) / total, 1);
    // Order confirmations go out for paid orders.
    expect(samples.find((s) => s.metric === "email.sent" && s.tags!.template === "order_confirmation")!.value).toBe(attempts.success);
  });

  it("fills the pool to its maximum once the exhaustion has ramped up, and stalls the email outbox", () => {
    const at = (elapsed: number) => simulateSecond(elapsed, NOW, seededRandom(2), "UTC");
    const value = (samples: ReturnType<typeof at>, metric: string) => samples.find((s) => s.metric === metric)!.value;
    const exhausted = at(min(11));
    expect(value(exhausted, "db.connections.in_use") / value(exhausted, "db.connections.max")).toBeGreaterThanOrEqual(0.95);
    expect(value(exhausted, "db.connections.waiting")).toBeGreaterThan(0);
    expect(exhausted.filter((s) => s.metric === "email.sent").every((s) => s.value === 0)).toBe(true);
    const after = at(min(12, 30));
    expect(value(after, "db.connections.in_use") / value(after, "db.connections.max")).toBeLessThan(0.8);
    expect(value(after, "db.connections.waiting")).toBe(0);
  });
});

describe("demo heartbeat job and dependencies", () => {
  it.each([
    [0, "none", "/start"],
    [1, "none", undefined],
    [3, "none", ""],
    [63, "pool-exhaustion", "/fail"],
    [63, "gateway-timeouts", ""],
    [120, "pool-exhaustion", "/start"],
  ] as const)("second %d during %s pings %j", (second, incident, event) => expect(jobEventAt(second, incident)).toBe(event));

  it.each([
    [0, 200, 200],
    [min(5), 503, 200],
    [min(7), 200, 200],
    [min(11), 200, 503],
    [min(12, 30), 200, 200],
  ])("at %d ms the gateway answers %d and the email service %d", (elapsed, gateway, email) => {
    expect(gatewayHealth(elapsed).status).toBe(gateway);
    expect(emailHealth(elapsed).status).toBe(email);
  });

  it("says why in the body", () => {
    expect(gatewayHealth(0).body).toEqual({ status: "ok" });
    expect(gatewayHealth(min(5)).body).toMatchObject({ status: "timeout" });
    expect(emailHealth(min(11)).body).toMatchObject({ status: "degraded", outbox: "stalled" });
  });
});
