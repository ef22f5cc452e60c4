/**
 * The demo compresses a shop's day into 12 minutes (one demo minute is two shop hours) so a
 * watcher sees night, the lunch peak and the evening peak in one sitting. It starts at 08:00,
 * when traffic is picking up, rather than in the flat night.
 */
export const DEMO_DAY_MS = 12 * 60_000;
export const DEMO_START_HOUR = 8;

/** The shop's hour of day (0 to 24, fractional) at this point of the demo. */
export function shopHourAt(elapsedMs: number): number {
  const dayFraction = (((elapsedMs % DEMO_DAY_MS) + DEMO_DAY_MS) % DEMO_DAY_MS) / DEMO_DAY_MS;
  return (DEMO_START_HOUR + 24 * dayFraction) % 24;
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
 * How busy the shop is at an hour of the day, from about 0.06 (03:00) to nearly 1 (the evening
 * peak): a broad daytime hump, a sharp lunch peak around 12:30 and a taller one around 20:30.
 */
export function trafficAt(hour: number): number {
  return Math.min(1, 0.05 + 0.45 * bump(hour, 15, 4.5) + 0.52 * bump(hour, 12.5, 1.3) + 0.72 * bump(hour, 20.5, 1.6));
}
