/**
 * One sample as Vigil's `POST /api/ingest/metrics` takes it (lib/ingest/batch-schema.ts in
 * Vigil; repeated here so this folder copies into an app with no dependency on Vigil).
 */
export interface WireSample {
  metric: string;
  service: string;
  value: number;
  /** Epoch milliseconds, an integer. */
  timestamp: number;
  unit?: string;
  tags: Record<string, string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:\-/]*$/;
const MAX_NAME_LENGTH = 200;

export function isValidName(name: unknown): name is string {
  return typeof name === "string" && name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

/**
 * Why Vigil would refuse this sample, checked before it is buffered: Vigil refuses a
 * whole batch for one bad sample, so one bad sample must not reach a batch.
 */
export function invalidSampleReason(sample: WireSample): string | undefined {
  if (!isValidName(sample.metric)) return `metric name ${JSON.stringify(sample.metric)}`;
  if (!isValidName(sample.service)) return `service name ${JSON.stringify(sample.service)}`;
  if (typeof sample.value !== "number" || !Number.isFinite(sample.value)) return `value ${String(sample.value)} of ${sample.metric}`;
  if (!Number.isInteger(sample.timestamp) || sample.timestamp <= 0) return `timestamp ${sample.timestamp} of ${sample.metric}`;
  if (sample.unit !== undefined && (typeof sample.unit !== "string" || sample.unit.length < 1 || sample.unit.length > 32)) return `unit of ${sample.metric}`;
  if (typeof sample.tags !== "object" || sample.tags === null) return `tags of ${sample.metric}`;
  for (const [key, value] of Object.entries(sample.tags)) {
    if (key.length < 1 || key.length > 100 || typeof value !== "string" || value.length > 500) return `tag ${key} of ${sample.metric}`;
  }
  return undefined;
}
