import { describe, expect, it } from "vitest";
import { nextCronTime, parseCron } from "@/lib/workflows/cron";

const at = (iso: string) => new Date(iso);

describe("nextCronTime", () => {
  it.each<[string, string, string, string]>([
    ["every minute", "* * * * *", "2026-03-10T12:00:30Z", "2026-03-10T12:01:00Z"],
    ["strictly after an exact match", "* * * * *", "2026-03-10T12:01:00Z", "2026-03-10T12:02:00Z"],
    ["hourly on the hour", "0 * * * *", "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z"],
    ["every 15 minutes", "*/15 * * * *", "2026-03-10T12:16:00Z", "2026-03-10T12:30:00Z"],
    ["step from a start", "5/20 * * * *", "2026-03-10T12:26:00Z", "2026-03-10T12:45:00Z"],
    ["list", "0,30 9 * * *", "2026-03-10T09:10:00Z", "2026-03-10T09:30:00Z"],
    ["range with a step", "0 8-18/4 * * *", "2026-03-10T12:00:00Z", "2026-03-10T16:00:00Z"],
    ["wraps past midnight", "30 2 * * *", "2026-03-10T03:00:00Z", "2026-03-11T02:30:00Z"],
    ["weekdays by name (Tue → Wed)", "0 9 * * MON-FRI", "2026-03-10T10:00:00Z", "2026-03-11T09:00:00Z"],
    ["weekdays skip the weekend (Fri → Mon)", "0 9 * * 1-5", "2026-03-13T10:00:00Z", "2026-03-16T09:00:00Z"],
    ["7 is Sunday", "0 0 * * 7", "2026-03-10T00:00:00Z", "2026-03-15T00:00:00Z"],
    ["month by name", "0 0 1 jun *", "2026-03-10T00:00:00Z", "2026-06-01T00:00:00Z"],
    ["day 31 skips short months", "0 0 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"],
    ["February 29th waits for a leap year", "0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"],
    ["both day fields: either matches (the 13th)", "0 0 13 * 5", "2026-03-10T00:00:00Z", "2026-03-13T00:00:00Z"],
    ["both day fields: either matches (a Friday)", "0 0 1 * FRI", "2026-03-14T00:00:00Z", "2026-03-20T00:00:00Z"],
    ["a stepped day field still means both", "0 0 */2 * 1", "2026-03-10T00:00:00Z", "2026-03-23T00:00:00Z"],
    ["@hourly", "@hourly", "2026-03-10T12:59:59Z", "2026-03-10T13:00:00Z"],
    ["@daily", "@daily", "2026-03-10T12:00:00Z", "2026-03-11T00:00:00Z"],
    ["year end", "0 0 1 1 *", "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"],
    ["TZ prefix: 9:00 in New York is 13:00 UTC in summer", "TZ=America/New_York 0 9 * * *", "2026-07-01T00:00:00Z", "2026-07-01T13:00:00Z"],
    ["TZ prefix: and 14:00 UTC in winter", "TZ=America/New_York 0 9 * * *", "2026-01-15T00:00:00Z", "2026-01-15T14:00:00Z"],
    ["CRON_TZ prefix", "CRON_TZ=Asia/Kolkata 0 0 * * *", "2026-03-10T00:00:00Z", "2026-03-10T18:30:00Z"],
    ["TZ: a time lost to the spring change is skipped", "TZ=Europe/Berlin 30 2 * * *", "2026-03-28T12:00:00Z", "2026-03-30T00:30:00Z"],
    ["TZ: the day after the autumn change", "TZ=Europe/Berlin 0 3 * * *", "2026-10-25T12:00:00Z", "2026-10-26T02:00:00Z"],
  ])("%s: %s after %s → %s", (_, expression, after, expected) => {
    expect(nextCronTime(expression, at(after)).toISOString()).toBe(at(expected).toISOString());
  });

  it("accepts a parsed schedule", () => {
    const schedule = parseCron("*/5 * * * *");
    expect(nextCronTime(schedule, at("2026-03-10T12:01:00Z")).toISOString()).toBe("2026-03-10T12:05:00.000Z");
  });
});

describe("parseCron", () => {
  it("normalises Sunday and records the zone", () => {
    const s = parseCron("TZ=Europe/Paris 0 12 * * 0,7");
    expect([...s.daysOfWeek]).toEqual([0]);
    expect(s.timeZone).toBe("Europe/Paris");
    expect(s.eitherDayField).toBe(false);
  });

  it.each<[string, RegExp]>([
    ["* * * *", /expected 5 fields/],
    ["* * * * * *", /expected 5 fields/],
    ["60 * * * *", /minute "60" has 60, outside 0-59/],
    ["* 24 * * *", /hour "24"/],
    ["* * 0 * *", /day of month "0"/],
    ["* * * 13 *", /month "13"/],
    ["* * * * 8", /day of week "8"/],
    ["*/0 * * * *", /step that is not a positive whole number/],
    ["10-5 * * * *", /runs backwards/],
    ["a * * * *", /not a number/],
    ["* * * FOO *", /not a number or name/],
    ["1/2/3 * * * *", /not a value, range or step/],
    ["0 0 30 2 *", /no month has the days it names/],
    ["TZ=Mars/Olympus 0 0 * * *", /unknown time zone Mars\/Olympus/],
  ])("refuses %s", (expression, error) => {
    expect(() => parseCron(expression)).toThrow(error);
  });
});
