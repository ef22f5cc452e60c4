import type { TrendPeriod } from "./trends-api";

// The browser's own zone: the same one the page sends as `tz`, so hours of day agree.
const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const DAY_HOUR = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
const DATE = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

/** A chart's x label: short enough for a phone, long enough not to repeat within the period. */
export function formatAxisTime(t: number, period: TrendPeriod): string {
  if (period === "24h") return TIME.format(t);
  if (period === "7d") return DAY_HOUR.format(t);
  return DATE.format(t);
}

/** A moment in a list or a marker's text: date and time, as the period may span a month. */
export function formatMoment(t: number | string): string {
  return DATE_TIME.format(typeof t === "number" ? t : Date.parse(t));
}

/** "45 min", "2 h 5 min", "3 d 4 h". */
export function formatSpan(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** Scores are 0–1: two decimals say all a person can use. */
export function formatScore(score: number): string {
  return score.toFixed(2);
}
