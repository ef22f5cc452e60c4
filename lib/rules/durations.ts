import { z } from "zod";

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** "90s", "5m", "1h30m" or "2d" to seconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === "") return null;
  const [, d, h, m, s] = match;
  return Number(d ?? 0) * UNIT_SECONDS.d + Number(h ?? 0) * UNIT_SECONDS.h + Number(m ?? 0) * UNIT_SECONDS.m + Number(s ?? 0);
}

/** Seconds in the largest units that divide them: 90 → "1m30s", 3600 → "1h", 0 → "0s". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  let rest = seconds;
  let text = "";
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}

/** A duration field: a string like "5m" or a number of seconds, within [min, max] seconds. */
export function durationField(minSeconds: number, maxSeconds: number) {
  return z
    .union([z.string(), z.number().int()])
    .transform((value, ctx) => {
      const seconds = typeof value === "number" ? value : parseDuration(value);
      if (seconds === null) {
        ctx.addIssue({ code: "custom", message: 'a duration like "30s", "5m", "1h30m" or a number of seconds' });
        return z.NEVER;
      }
      if (seconds < minSeconds || seconds > maxSeconds) {
        ctx.addIssue({ code: "custom", message: `between ${formatDuration(minSeconds)} and ${formatDuration(maxSeconds)}` });
        return z.NEVER;
      }
      return seconds;
    });
}
