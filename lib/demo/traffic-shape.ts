/**
 * How busy the demo shop is follows the wall clock in the shop's time zone: the same hour of
 * the same weekday looks the same in the written history and in the live data, so the anomaly
 * detector, which learns the daily and weekly pattern, sees live minutes as usual ones.
 */

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

export interface ShopTime {
  /** 0 to 24, fractional. */
  hour: number;
  /** 0 Sunday to 6 Saturday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", weekday: "short", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The shop's local hour and weekday at `at` (ms since the epoch). */
export function shopTimeAt(at: number, timeZone: string): ShopTime {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour) + Number(parts.minute) / 60 + Number(parts.second) / 3600;
  return { hour, weekday: DAY_NAMES.indexOf(parts.weekday as (typeof DAY_NAMES)[number]) };
}

/** "14:30" */
export function formatShopTime(hour: number): string {
  const minutes = Math.floor(hour * 60) % (24 * 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** A bump centred on `peak` hours, measured around the clock so 23:00 and 01:00 are two hours apart. */
function bump(hour: number, peak: number, width: number): number {
  const apart = Math.abs(hour - peak) % 24;
  const distance = Math.min(apart, 24 - apart);
  return Math.exp(-0.5 * (distance / width) ** 2);
}

/**
 * How busy the shop is at an hour of a weekday, from about 0.06 (03:00) to nearly 1 (the evening
 * peak): a broad daytime hump, a sharp lunch peak around 12:30 and a taller one around 20:30.
 */
export function trafficAt(hour: number): number {
  return Math.min(1, 0.05 + 0.45 * bump(hour, 15, 4.5) + 0.52 * bump(hour, 12.5, 1.3) + 0.72 * bump(hour, 20.5, 1.6));
}

/**
 * The week's shape on top of the day's: on Saturday and Sunday people sleep in (the morning is
 * about 30% quieter) and shop all evening (the evening peak, capped at the weekday's height, is
 * about twice as long), so the detector has a weekly pattern to learn, not only a daily one.
 */
export function weeklyFactor({ hour, weekday }: ShopTime): number {
  if (weekday !== 0 && weekday !== 6) return 1;
  return 1 - 0.3 * bump(hour, 9, 2) + 0.3 * bump(hour, 20.5, 2.5);
}

/**
 * How busy the shop is at `at`, 0.04 to 1. Capped at 1, the weekday evening peak: the pool and
 * the API keep their margin from the default rules' thresholds at the busiest hour of the week.
 */
export function shopTrafficAt(at: number, timeZone: string): number {
  const time = shopTimeAt(at, timeZone);
  return Math.min(1, trafficAt(time.hour) * weeklyFactor(time));
}
