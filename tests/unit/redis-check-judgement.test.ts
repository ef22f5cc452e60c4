import { describe, expect, it } from "vitest";
import { judgeRedis, redisCheckSamples, RedisProbeError, type RedisProbeResult } from "@/lib/checks/redis-check";

const MB = 1024 * 1024;
const probe = (overrides: Partial<RedisProbeResult> = {}): RedisProbeResult => ({
  latencyMs: 2,
  usedMemoryBytes: 10 * MB,
  maxMemoryBytes: 0,
  connectedClients: 3,
  ...overrides,
});

describe("judgeRedis", () => {
  it.each<[string, RedisProbeResult | Error, string, string]>([
    ["fast, no memory limit", probe(), "healthy", "PING in 2 ms"],
    ["fast, well under maxmemory", probe({ maxMemoryBytes: 100 * MB }), "healthy", "PING in 2 ms"],
    ["exactly 90% of maxmemory", probe({ usedMemoryBytes: 90 * MB, maxMemoryBytes: 100 * MB }), "healthy", "PING in 2 ms"],
    ["above 90% of maxmemory", probe({ usedMemoryBytes: 95 * MB, maxMemoryBytes: 100 * MB }), "warning", "PING in 2 ms, memory 95% of maxmemory"],
    ["100 ms is still fine", probe({ latencyMs: 100 }), "healthy", "PING in 100 ms"],
    ["slower than 100 ms", probe({ latencyMs: 140.4 }), "warning", "PING in 140 ms, slower than 100 ms"],
    ["a failed probe", new RedisProbeError("Redis refused AUTH: WRONGPASS", 3), "down", "Redis refused AUTH: WRONGPASS"],
  ])("%s", (_, outcome, state, reason) => expect(judgeRedis(outcome)).toEqual({ state, reason }));
});

describe("redisCheckSamples", () => {
  it("records the check under check=redis and the figures under service redis", () => {
    expect(redisCheckSamples(probe({ latencyMs: 140, maxMemoryBytes: 64 * MB }), 1000)).toEqual([
      { metric: "check.up", service: "checks", tags: { check: "redis" }, value: 1, ts: 1000 },
      { metric: "check.state_code", service: "checks", tags: { check: "redis" }, value: 1, ts: 1000 },
      { metric: "check.latency", service: "checks", unit: "ms", tags: { check: "redis" }, value: 140, ts: 1000 },
      { metric: "redis.ping_time", service: "redis", unit: "ms", tags: {}, value: 140, ts: 1000 },
      { metric: "redis.memory.used", service: "redis", unit: "bytes", tags: {}, value: 10 * MB, ts: 1000 },
      { metric: "redis.memory.max", service: "redis", unit: "bytes", tags: {}, value: 64 * MB, ts: 1000 },
      { metric: "redis.clients.connected", service: "redis", unit: "clients", tags: {}, value: 3, ts: 1000 },
    ]);
  });

  it("a failure is only the check, down, with how long it took to fail", () => {
    expect(redisCheckSamples(new RedisProbeError("timed out", 2000), 1000).map((s) => [s.metric, s.value])).toEqual([
      ["check.up", 0],
      ["check.state_code", 2],
      ["check.latency", 2000],
    ]);
    expect(redisCheckSamples(new Error("anything else"), 1000).find((s) => s.metric === "check.latency")?.value).toBe(0);
  });
});
