/** An admin's quiet hours: wall-clock times in their own time zone; the span may cross midnight. */
export interface QuietHours {
  /** "22:00" */
  start: string;
  /** "08:00" */
  end: string;
  timeZone: string;
}

const MINUTES_PER_DAY = 24 * 60;

/** "22:00" or "22:00:00" → minutes after midnight. */
function minutesOfDay(time: string): number {
  const [hours = 0, minutes = 0] = time.split(":").map(Number);
  return hours * 60 + minutes;
}

/** The wall-clock minute of the day at `at` in `timeZone`. */
function localMinuteOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part("hour") * 60 + part("minute");
}

export function isInQuietHours(quiet: QuietHours, at: Date): boolean {
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  if (start === end) return false;
  const now = localMinuteOfDay(at, quiet.timeZone);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * When the quiet hours that contain `at` end. Counted in wall-clock minutes from `at`, so on the
 * night clocks change it is off by the shift (an hour at most): a digest an hour early or late.
 */
export function quietHoursEnd(quiet: QuietHours, at: Date): Date {
  const now = localMinuteOfDay(at, quiet.timeZone);
  const untilEnd = (minutesOfDay(quiet.end) - now + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const end = new Date(at.getTime() + untilEnd * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}
