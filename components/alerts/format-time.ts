const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const DAY_TIME = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });

/** Clock time when it is within a day of `now`, with the weekday when it is not. */
export function formatTime(at: string | number, now: number): string {
  const ms = typeof at === "number" ? at : Date.parse(at);
  return Math.abs(now - ms) <= 86_400_000 ? TIME.format(ms) : DAY_TIME.format(ms);
}

/** With the weekday always: for a week's chart, where a bare clock time would repeat. */
export function formatDayTime(at: number): string {
  return DAY_TIME.format(at);
}
