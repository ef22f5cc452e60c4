import { describe, expect, it } from "vitest";
import { checkBodyCondition, parseBodyCondition } from "@/lib/checks/body-condition";
import { judgeResponse, type CheckSpec, type ProbeOutcome } from "@/lib/checks/judge-response";

describe("body conditions", () => {
  it.each<[string, unknown, boolean]>([
    ['status == "ok"', { status: "ok" }, true],
    ['status == "ok"', { status: "degraded" }, false],
    ['status != "down"', { status: "ok" }, true],
    ["db.latency_ms < 200", { db: { latency_ms: 120 } }, true],
    ["db.latency_ms < 200", { db: { latency_ms: 250 } }, false],
    ["db.latency_ms >= 200", { db: { latency_ms: 200 } }, true],
    ["db.latency_ms > 200", { db: { latency_ms: "slow" } }, false],
    ["queue.depth <= 10", { queue: { depth: 10 } }, true],
    ["checks.0.healthy == true", { checks: [{ healthy: true }] }, true],
    ["maintenance == null", { maintenance: null }, true],
    ["a.b.c == 1", { a: null }, false],
  ])("%s on %j is %s", (source, body, ok) => expect(checkBodyCondition(parseBodyCondition(source), body).ok).toBe(ok));

  it("says what the body held instead", () => {
    expect(checkBodyCondition(parseBodyCondition('status == "ok"'), { status: "degraded" })).toEqual({
      ok: false,
      reason: 'status is "degraded", expected == "ok"',
    });
    expect(checkBodyCondition(parseBodyCondition("db.up == true"), {})).toEqual({ ok: false, reason: "db.up is missing, expected == true" });
  });

  it.each([
    ["status", /path op value/],
    ["status == ok", /not a JSON value/],
    ["status == [1]", /string, number, boolean or null/],
    ['status > "a"', /needs a number/],
  ])("refuses %s", (source, message) => expect(() => parseBodyCondition(source)).toThrow(message));
});

describe("judgeResponse", () => {
  const spec: CheckSpec = { expectedStatus: 200, timeoutMs: 5000, warningLatencyMs: 800, bodyCondition: parseBodyCondition('status == "ok"') };
  const ok = (overrides: Partial<Extract<ProbeOutcome, { kind: "response" }>> = {}): ProbeOutcome => ({
    kind: "response",
    status: 200,
    latencyMs: 120,
    body: '{"status":"ok"}',
    ...overrides,
  });

  it.each<[string, ProbeOutcome, string, string]>([
    ["a good answer", ok(), "healthy", "HTTP 200 in 120 ms"],
    ["a slow good answer", ok({ latencyMs: 950 }), "warning", "slow: 950 ms, warning above 800 ms"],
    ["the wrong status", ok({ status: 503 }), "down", "HTTP 503, expected 200"],
    ["a failing body condition", ok({ body: '{"status":"degraded"}' }), "down", 'status is "degraded", expected == "ok"'],
    ["a body that is not JSON", ok({ body: "<html>" }), "down", "body is not JSON, so its condition cannot hold"],
    ["a timeout", { kind: "timeout", latencyMs: 5000 }, "down", "timeout after 5 s"],
    ["a refused connection", { kind: "error", latencyMs: 1, message: "request failed: connect ECONNREFUSED" }, "down", "request failed: connect ECONNREFUSED"],
  ])("%s → %s", (_, outcome, state, reason) => expect(judgeResponse(spec, outcome)).toEqual({ state, reason }));

  it("without a condition or a warning latency, any expected status is healthy", () => {
    expect(judgeResponse({ ...spec, bodyCondition: null, warningLatencyMs: null }, ok({ body: "", latencyMs: 4000 })).state).toBe("healthy");
  });
});
