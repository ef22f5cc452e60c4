import { describe, expect, it } from "vitest";
import { operationOf } from "@/lib/instrument";
import { decideAfterSend, parseRetryAfter, type SendOutcome } from "@/lib/instrument/send-decision";
import { invalidSampleReason, type WireSample } from "@/lib/instrument/wire-sample";

const NOW = Date.parse("2026-01-05T10:00:00Z");
const policy = { baseMs: 500, maxMs: 30_000 };
const answered = (status: number, retryAfter: string | null = null): SendOutcome => ({ kind: "answered", status, retryAfter });
const midRandom = () => 0.5; // jitter factor 0.75

describe("decideAfterSend", () => {
  it.each<[string, SendOutcome, number, unknown]>([
    ["200 is sent", answered(200), 0, { action: "sent" }],
    ["202 is sent", answered(202), 3, { action: "sent" }],
    ["400 drops the batch", answered(400), 0, { action: "reject", reason: "400 batch refused as invalid" }],
    ["413 splits it", answered(413), 0, { action: "split", reason: "413 batch too large" }],
    ["503 waits as long as Retry-After says", answered(503, "7"), 0, { action: "retry", delayMs: 7000, reason: "503 from ingest, Retry-After 7" }],
    ["429 with an HTTP date", answered(429, new Date(NOW + 12_000).toUTCString()), 0, { action: "retry", delayMs: 12_000 }],
    ["503 without Retry-After backs off", answered(503), 0, { action: "retry", delayMs: 375, reason: "503 from ingest" }],
    ["an absurd Retry-After is capped at 5 min", answered(503, "86400"), 0, { action: "retry", delayMs: 300_000 }],
    ["401 backs off: the key may not be seeded yet", answered(401), 2, { action: "retry", delayMs: 1500 }],
    ["500 ignores Retry-After", answered(500, "60"), 1, { action: "retry", delayMs: 750 }],
    ["a network error backs off", { kind: "network-error", message: "ECONNREFUSED" }, 0, { action: "retry", delayMs: 375, reason: "network error: ECONNREFUSED" }],
    ["backoff doubles up to maxMs", { kind: "network-error", message: "x" }, 20, { action: "retry", delayMs: 22_500 }],
  ])("%s", (_name, outcome, attempt, expected) => {
    expect(decideAfterSend(outcome, attempt, NOW, policy, midRandom)).toMatchObject(expected as object);
  });

  it("spreads retries between half and all of the backoff", () => {
    const network: SendOutcome = { kind: "network-error", message: "x" };
    expect(decideAfterSend(network, 1, NOW, policy, () => 0)).toMatchObject({ delayMs: 500 });
    expect(decideAfterSend(network, 1, NOW, policy, () => 0.999_999)).toMatchObject({ delayMs: expect.closeTo(1000, 0) });
  });
});

describe("parseRetryAfter", () => {
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ["3", 3000],
    [" 1.5 ", 1500],
    [new Date(NOW - 5000).toUTCString(), 0],
    ["soon", undefined],
  ])("%j → %j ms", (header, ms) => expect(parseRetryAfter(header, NOW)).toBe(ms));
});

describe("operationOf", () => {
  it.each([
    ["select 1", "select"],
    ["  INSERT into t values (1)", "insert"],
    ["\n-- why\n/* and how */ (select 1) union (select 2)", "select"],
    ['update "user" set x = 1', "update"],
    ["with x as (select 1) delete from t", "with"],
    ["frobnicate now", "other"],
    ["", "other"],
  ])("%j → %s", (text, operation) => expect(operationOf(text)).toBe(operation));
});

describe("invalidSampleReason", () => {
  const ok: WireSample = { metric: "api.response_time", service: "shop-api", value: 1, timestamp: NOW, unit: "ms", tags: { route: "/x" } };
  it.each<[string, Partial<WireSample> | Record<string, unknown>, RegExp | undefined]>([
    ["a valid sample", {}, undefined],
    ["a metric starting with a digit", { metric: "9lives" }, /metric name/],
    ["a space in the service", { service: "shop api" }, /service name/],
    ["an infinite value", { value: Infinity }, /value/],
    ["a fractional timestamp", { timestamp: NOW + 0.5 }, /timestamp/],
    ["an empty unit", { unit: "" }, /unit/],
    ["a tag value over 500 characters", { tags: { route: "x".repeat(501) } }, /tag route/],
    ["a number as tag value", { tags: { status: 200 } }, /tag status/],
  ])("%s", (_name, change, reason) => {
    const result = invalidSampleReason({ ...ok, ...change } as WireSample);
    if (reason === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(reason);
  });
});
