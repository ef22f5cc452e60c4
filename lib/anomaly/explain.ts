import type { Basis } from "./detector";

export interface Explained {
  /** How the series is named to people: "DB connections". */
  label: string;
  value: number;
  expected: number | null;
  basis: Basis | null;
  /** The minute judged. */
  at: Date;
  timeZone: string;
}

/**
 * One line an admin reads on a phone: "DB connections 3.4× the usual for Tuesday 14:00".
 * The "usual" is what the model that judged the point expected: the same time last week,
 * the same time of day, or simply lately.
 */
export function explainAnomaly({ label, value, expected, basis, at, timeZone }: Explained): string {
  const usual = `the usual ${usualFor(basis, at, timeZone)}`;
  if (expected === null) return `${label} at ${formatNumber(value)}, unusual for this series`;
  const ratio = Math.abs(expected) < 1e-9 ? Infinity : value / expected;
  if (!Number.isFinite(ratio) || ratio < 0) return `${label} at ${formatNumber(value)} where ${usual} is ${formatNumber(expected)}`;
  if (ratio >= 1.05) return `${label} ${formatRatio(ratio)}× ${usual}`;
  if (ratio <= 0.95) return `${label} down to ${Math.round(ratio * 100)} % of ${usual}`;
  // Close in ratio but unusual all the same: a series that is normally very steady.
  return `${label} at ${formatNumber(value)} where ${usual} is ${formatNumber(expected)}`;
}

function usualFor(basis: Basis | null, at: Date, timeZone: string): string {
  const time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
  if (basis === "weekly") {
    const weekday = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "long" }).format(at);
    return `for ${weekday} ${time}`;
  }
  if (basis === "daily") return `for ${time}`;
  return "lately";
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? String(Math.round(ratio)) : ratio.toFixed(1);
}

/** Three significant figures at most, no exponent: 0.0123, 4.56, 1840. */
export function formatNumber(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}
