import { describe, expect, it } from "vitest";
import { parseBatch } from "@/lib/ingest/batch-schema";
import { gatewayHealth } from "@/lib/demo/demo-services";
import { incidentAt, INCIDENT_CYCLE_MS, jobEventAt, simulateSecond } from "@/lib/demo/simulated-shop";

/** Deterministic stand-in for Math.random. */
function seeded(seed: number): () => number {
  return () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
}

describe("simulated shop", () => {
  it.each([
    [0, "none"],
    [119_999, "none"],
    [120_000, "slow-api"],
    [209_999, "slow-api"],
    [210_000, "none"],
    [300_000, "payment-failures"],
    [360_000, "none"],
    [INCIDENT_CYCLE_MS + 150_000, "slow-api"],
  ])("at %d ms the incident is %s", (t, incident) => expect(incidentAt(t)).toBe(incident));

  it("produces a valid ingest batch with the dashboard's metrics", () => {
    const now = Date.parse("2026-01-05T10:00:00Z");
    const samples = parseBatch({ samples: simulateSecond(0, now, seeded(1)) }, now);
    const metrics = new Set(samples.map((s) => s.metric));
    expect([...metrics].sort()).toEqual(["api.requests", "api.response_time", "db.connections.in_use", "db.connections.max", "payment.success_rate"]);
  });

  it("is slow during a slow-api incident and fails payments during a payment incident", () => {
    const p95 = (t: number) => {
      const times = simulateSecond(t, 0, seeded(7)).filter((s) => s.metric === "api.response_time").map((s) => s.value).sort((a, b) => a - b);
      return times[Math.floor(times.length * 0.95)]!;
    };
    const successRate = (t: number) => simulateSecond(t, 0, seeded(3)).find((s) => s.metric === "payment.success_rate")!.value;
    expect(p95(0)).toBeLessThan(1000);
    expect(p95(150_000)).toBeGreaterThan(1000);
    expect(successRate(0)).toBeGreaterThan(97);
    expect(successRate(330_000)).toBeLessThan(95);
  });
});

describe("demo heartbeat job and dependencies", () => {
  it.each([
    [0, "none", "/start"],
    [1, "none", undefined],
    [3, "none", ""],
    [63, "payment-failures", "/fail"],
    [120, "payment-failures", "/start"],
  ] as const)("second %d during %s pings %j", (second, incident, event) => expect(jobEventAt(second, incident)).toBe(event));

  it("the gateway's health follows the incidents", () => {
    expect(gatewayHealth(0)).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(gatewayHealth(150_000).delayMs).toBeGreaterThan(500);
    expect(gatewayHealth(330_000)).toMatchObject({ status: 503, body: { status: "timeout" } });
  });
});
