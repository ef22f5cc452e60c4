import { z } from "zod";
import { fromZodError } from "@/lib/errors";
import { MAX_NAME_LENGTH, toVigilName, type Sample } from "@/lib/ingest/batch-schema";
import { decodeExportMetricsRequest, malformedOtlp } from "@/lib/ingest/otlp-protobuf";

/**
 * OTLP/HTTP metrics (ExportMetricsServiceRequest) as Vigil samples, so an app using the official
 * OpenTelemetry exporters can post to Vigil unchanged. Both encodings share one validator and
 * one mapping: the protobuf decoder produces the OTLP/JSON shape.
 *
 * - `service.name` on the resource is the service ("default" without one).
 * - Gauge and sum points are one sample each, named after the metric. Cumulative sums stay the
 *   running total the sender reports; Vigil does not turn them into deltas.
 * - Histograms (explicit and exponential) become `<name>.count`, `.sum`, `.min`, `.max`, each
 *   where the point has it; summaries `<name>.count`, `.sum` and `<name>` tagged `quantile`.
 *   Buckets are dropped: Vigil stores numbers, not distributions.
 * - Point attributes are the tags; NaN and ±Infinity are skipped, as the store cannot hold them.
 *
 * All or nothing: malformed input throws AppError INVALID naming the first bad field.
 */
export function otlpJsonToSamples(body: unknown, now: number): Sample[] {
  checkNesting(body, []);
  const parsed = exportMetricsRequest.safeParse(body);
  if (!parsed.success) throw fromZodError(parsed.error);
  return toSamples(parsed.data, now);
}

export function otlpProtobufToSamples(bytes: Uint8Array, now: number): Sample[] {
  return otlpJsonToSamples(decodeExportMetricsRequest(bytes), now);
}

const DEFAULT_SERVICE = "default";
const MAX_UNIT_LENGTH = 32;
const MAX_TAG_KEY_LENGTH = 100;
const MAX_TAG_VALUE_LENGTH = 500;
/** Real requests nest about 12 deep plus 3 per level of nested attribute arrays. */
const MAX_JSON_DEPTH = 128;
/** The last instant a JS Date can hold; a later timestamp is garbage, not data. */
const MAX_DATE_MS = 8.64e15;

/**
 * Zod recurses once per level, so a deeply nested attribute would overflow the stack and surface
 * as a 500; this check stops at the limit, so its own recursion is bounded.
 */
function checkNesting(value: unknown, path: PropertyKey[]): void {
  if (typeof value !== "object" || value === null) return;
  if (path.length >= MAX_JSON_DEPTH) throw malformedOtlp(path, `nested more than ${MAX_JSON_DEPTH} levels deep`);
  for (const [key, child] of Object.entries(value)) {
    path.push(Array.isArray(value) ? Number(key) : key);
    checkNesting(child, path);
    path.pop();
  }
}

const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;
const NON_FINITE: ReadonlyMap<unknown, number> = new Map([
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
]);

/**
 * A scalar that proto3 JSON lets senders spell more than one way (64-bit integers as strings or
 * numbers, NaN as a string). `read` returns undefined for anything it cannot take.
 */
function scalar<T>(expected: string, read: (raw: unknown) => T | undefined) {
  return z.unknown().transform((raw, ctx) => {
    const value = read(raw);
    if (value !== undefined) return value;
    ctx.addIssue({ code: "custom", message: `expected ${expected}, received ${JSON.stringify(raw)?.slice(0, 40)}` });
    return z.NEVER;
  });
}

// JSON.stringify writes NaN and ±Infinity as null, and that is how the official JSON exporter
// sends them; null reads as NaN so such a point is skipped rather than the whole request refused.
const double = scalar("a number", (raw) =>
  typeof raw === "number" ? raw : raw === null ? NaN : typeof raw === "string" && DECIMAL.test(raw) ? Number(raw) : NON_FINITE.get(raw),
);
const integer = scalar("an integer", (raw) =>
  typeof raw === "number" ? (Number.isInteger(raw) ? raw : undefined) : raw === null ? NaN : typeof raw === "string" && INTEGER.test(raw) ? Number(raw) : undefined,
);
/** Nanoseconds to epoch ms; 0 means "not set". Strings go through BigInt: 19 digits overflow a double. */
const unixNanosAsMs = scalar("nanoseconds since 1970 as a non-negative integer", (raw) => {
  const ms =
    typeof raw === "string" && /^\d+$/.test(raw)
      ? Number(BigInt(raw) / 1_000_000n)
      : typeof raw === "number" && Number.isInteger(raw) && raw >= 0
        ? Math.floor(raw / 1e6)
        : raw === null
          ? 0
          : undefined;
  return ms !== undefined && ms <= MAX_DATE_MS ? ms : undefined;
});

/** An attribute value as plain JSON, on its way to becoming a tag. */
type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

const anyValue: z.ZodType<AttributeValue> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: integer.optional(),
      doubleValue: double.optional(),
      arrayValue: z.object({ values: z.array(anyValue).default([]) }).optional(),
      kvlistValue: z.object({ values: z.array(keyValue).default([]) }).optional(),
      bytesValue: z.string().optional(),
    })
    .transform(
      (v): AttributeValue =>
        v.stringValue ??
        v.boolValue ??
        v.intValue ??
        v.doubleValue ??
        v.arrayValue?.values ??
        (v.kvlistValue && Object.fromEntries(v.kvlistValue.values)) ??
        v.bytesValue ??
        null,
    ),
);
const keyValue: z.ZodType<[string, AttributeValue]> = z.lazy(() =>
  z.object({ key: z.string(), value: anyValue.optional() }).transform((kv): [string, AttributeValue] => [kv.key, kv.value ?? null]),
);
const attributes = z.array(keyValue).default([]).transform(toTags);

const pointFields = { attributes, timeUnixNano: unixNanosAsMs.optional() };
const numberPoint = z
  .object({ ...pointFields, asDouble: double.optional(), asInt: integer.optional() })
  .refine((p) => p.asDouble !== undefined || p.asInt !== undefined, "has neither asDouble nor asInt");
// Explicit and exponential histograms differ only in their buckets, which Vigil does not keep.
const histogramPoint = z.object({
  ...pointFields,
  count: integer.optional(),
  sum: double.optional(),
  min: double.optional(),
  max: double.optional(),
});
const summaryPoint = z.object({
  ...pointFields,
  count: integer.optional(),
  sum: double.optional(),
  quantileValues: z.array(z.object({ quantile: double.optional(), value: double.optional() })).default([]),
});
const pointsOf = <Point extends z.ZodType>(point: Point) => z.object({ dataPoints: z.array(point).default([]) }).optional();

const metric = z.object({
  name: z.string().min(1, "metric needs a name"),
  unit: z.string().optional(),
  gauge: pointsOf(numberPoint),
  sum: pointsOf(numberPoint),
  histogram: pointsOf(histogramPoint),
  exponentialHistogram: pointsOf(histogramPoint),
  summary: pointsOf(summaryPoint),
});

// Nested lists default to empty as in proto3; only a missing `resourceMetrics` is refused, since
// then the body is most likely not OTLP at all.
const exportMetricsRequest = z.object({
  resourceMetrics: z.array(
    z.object({
      resource: z.object({ attributes }).optional(),
      scopeMetrics: z.array(z.object({ metrics: z.array(metric).default([]) })).default([]),
    }),
  ),
});

type Metric = z.output<typeof metric>;
type PointFields = z.output<z.ZodObject<typeof pointFields>>;
/** The numbers one data point carries, by name suffix; undefined where the sender left one out. */
type Reading = [suffix: string, value: number | undefined, extraTags?: Record<string, string>];

function toSamples(request: z.output<typeof exportMetricsRequest>, now: number): Sample[] {
  return request.resourceMetrics.flatMap(({ resource, scopeMetrics }) => {
    const serviceName = resource?.attributes["service.name"];
    const service = serviceName ? toVigilName(serviceName, MAX_NAME_LENGTH) : DEFAULT_SERVICE;
    return scopeMetrics.flatMap(({ metrics }) => metrics.flatMap((m) => metricSamples(m, service, now)));
  });
}

function metricSamples(metric: Metric, service: string, now: number): Sample[] {
  const unit = metric.unit?.slice(0, MAX_UNIT_LENGTH);
  return readingsOf(metric).flatMap(({ point, readings }) =>
    readings.flatMap(([suffix, value, extraTags]): Sample[] => {
      if (value === undefined || !Number.isFinite(value)) return [];
      const sample: Sample = {
        metric: toVigilName(metric.name, MAX_NAME_LENGTH - suffix.length) + suffix,
        service,
        tags: { ...point.attributes, ...extraTags },
        value,
        ts: point.timeUnixNano || now,
      };
      // A count is a number of observations, not a quantity in the metric's unit.
      if (unit && suffix !== ".count") sample.unit = unit;
      return [sample];
    }),
  );
}

function readingsOf(metric: Metric): { point: PointFields; readings: Reading[] }[] {
  const each = <Point extends PointFields>(points: Point[] | undefined, read: (point: Point) => Reading[]) =>
    (points ?? []).map((point) => ({ point, readings: read(point) }));
  return [
    ...each(metric.gauge?.dataPoints, numberReadings),
    ...each(metric.sum?.dataPoints, numberReadings),
    ...each(metric.histogram?.dataPoints, histogramReadings),
    ...each(metric.exponentialHistogram?.dataPoints, histogramReadings),
    ...each(metric.summary?.dataPoints, summaryReadings),
  ];
}

const numberReadings = (point: z.output<typeof numberPoint>): Reading[] => [["", point.asDouble ?? point.asInt]];

const histogramReadings = (point: z.output<typeof histogramPoint>): Reading[] => [
  [".count", point.count ?? 0],
  [".sum", point.sum],
  [".min", point.min],
  [".max", point.max],
];

// A summary's count and sum are plain proto3 fields, so absent means 0, not unknown.
const summaryReadings = (point: z.output<typeof summaryPoint>): Reading[] => [
  [".count", point.count ?? 0],
  [".sum", point.sum ?? 0],
  ...point.quantileValues.map((q): Reading => ["", q.value ?? 0, { quantile: String(q.quantile ?? 0) }]),
];

/** Object.fromEntries, not assignment: an attribute named `__proto__` must stay a plain key. */
function toTags(entries: readonly [string, AttributeValue][]): Record<string, string> {
  return Object.fromEntries(
    entries
      .filter(([key]) => key !== "")
      .map(([key, value]) => [key.slice(0, MAX_TAG_KEY_LENGTH), tagText(value).slice(0, MAX_TAG_VALUE_LENGTH)]),
  );
}

function tagText(value: AttributeValue): string {
  if (value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

