import { describe, expect, it } from "vitest";
import type { HistoryPoint } from "@/lib/metrics/history";
import { byHourOfDay } from "@/lib/metrics/trends";
import { isTimeZone } from "@/lib/time-zone";

const point = (t: number, sum: number, count: number): HistoryPoint => ({ t, count, sum, avg: sum / count, min: null, max: null, p50: null, p95: null, p99: null });

describe("user activity by hour of day", () => {
  // Two days of hourly buckets: users = the UTC hour, counted twice an hour.
  const start = Date.UTC(2026, 2, 9);
  const points = Array.from({ length: 48 }, (_, i) => point(start + i * 3_600_000, 2 * (i % 24), 2));

  it("averages each local hour, weighted by sample count", () => {
    const utc = byHourOfDay(points, "UTC");
    expect(utc).toHaveLength(24);
    expect(utc[0]).toEqual({ hour: 0, users: 0 });
    expect(utc[13]).toEqual({ hour: 13, users: 13 });
  });

  it("shifts to the admin's time zone", () => {
    const taipei = byHourOfDay(points, "Asia/Taipei"); // UTC+8
    expect(taipei[8]).toEqual({ hour: 8, users: 0 });
    expect(taipei[21]).toEqual({ hour: 21, users: 13 });
  });

  it("leaves hours without data empty, not zero", () => {
    expect(byHourOfDay([point(start + 5 * 3_600_000, 10, 1)], "UTC")[6]).toEqual({ hour: 6, users: null });
    expect(byHourOfDay([point(start + 5 * 3_600_000, 0, 0)], "UTC")[5]).toEqual({ hour: 5, users: null });
  });

  it("knows real time zones from made-up ones", () => {
    expect(isTimeZone("Asia/Taipei")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
