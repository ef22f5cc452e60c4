/**
 * A mergeable quantile sketch (the DDSketch idea): values fall into logarithmic buckets,
 * so any quantile read back is within RELATIVE_ACCURACY of the true value, and two
 * sketches merge by adding counts. That is what lets a day's p95 come from 24 hourly
 * rollups instead of every raw sample.
 *
 * Stored as jsonb `{ bucketKey: count }`: positive buckets are keyed by their index,
 * negative ones by `n` + index, values too close to zero by `z`. The same key is
 * computed in SQL (`sketchKeySql`) when rollups are built, and in TypeScript here.
 */
export type Sketch = Record<string, number>;

/** ±2 %: p95 of 480 ms reads back as 470–490 ms. */
export const RELATIVE_ACCURACY = 0.02;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
/** Below this magnitude a value counts as zero (log buckets cannot reach it). */
const ZERO_MAGNITUDE = 1e-9;

export function sketchKey(value: number): string {
  if (value > ZERO_MAGNITUDE) return String(Math.ceil(Math.log(value) / LN_GAMMA));
  if (value < -ZERO_MAGNITUDE) return `n${Math.ceil(Math.log(-value) / LN_GAMMA)}`;
  return "z";
}

/** The SQL twin of `sketchKey`, over a column or expression named `column`. */
export function sketchKeySql(column: string): string {
  const lnGamma = LN_GAMMA.toPrecision(17);
  return `case
    when ${column} > ${ZERO_MAGNITUDE} then ceil(ln(${column}) / ${lnGamma})::int::text
    when ${column} < -${ZERO_MAGNITUDE} then 'n' || ceil(ln(-${column}) / ${lnGamma})::int::text
    else 'z' end`;
}

/** The value a bucket stands for: the point equidistant (relatively) from its bounds. */
function bucketValue(key: string): number {
  if (key === "z") return 0;
  const negative = key.startsWith("n");
  const index = Number(negative ? key.slice(1) : key);
  const magnitude = (2 * GAMMA ** index) / (GAMMA + 1);
  return negative ? -magnitude : magnitude;
}

export function addToSketch(sketch: Sketch, value: number, count = 1): void {
  const key = sketchKey(value);
  sketch[key] = (sketch[key] ?? 0) + count;
}

export function mergeSketches(into: Sketch, from: Sketch): Sketch {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
  return into;
}

/**
 * The q-quantile (0–1) of the sketched values, clamped to the exact min and max when
 * they are known (so p0 and p100 are exact); null for an empty sketch.
 */
export function sketchQuantile(sketch: Sketch, q: number, bounds?: { min: number; max: number }): number | null {
  if (bounds && q <= 0) return bounds.min;
  if (bounds && q >= 1) return bounds.max;
  const buckets = Object.entries(sketch)
    .map(([key, count]) => ({ value: bucketValue(key), count }))
    .filter((b) => b.count > 0)
    .sort((a, b) => a.value - b.value);
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0) return null;
  const rank = q * (total - 1);
  let seen = 0;
  let value = buckets[buckets.length - 1]!.value;
  for (const bucket of buckets) {
    seen += bucket.count;
    if (seen > rank) {
      value = bucket.value;
      break;
    }
  }
  return bounds ? Math.min(bounds.max, Math.max(bounds.min, value)) : value;
}
