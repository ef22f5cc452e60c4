import { z } from "zod";

export const MAX_SAMPLES_PER_BATCH = 10_000;
/** Anything further ahead than this is a clock bug on the sender, not data. */
const MAX_FUTURE_MS = 5 * 60_000;

export const MAX_NAME_LENGTH = 200;

export const vigilName = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH)
  .regex(/^[A-Za-z_][A-Za-z0-9_.:\-/]*$/, "letters, digits, '_', '.', ':', '-' or '/', starting with a letter or '_'");

/**
 * Makes a name from another system (an OTel instrument, a Prometheus job label) fit Vigil's
 * rule: other characters become `_`, and a name must start with a letter or `_`.
 */
export function toVigilName(raw: string, maxLength = MAX_NAME_LENGTH): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_.:\-/]/gu, "_"); // u: an emoji is one character, one `_`
  return (/^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`).slice(0, maxLength);
}

/** Tags of a sample, labels of a rule, label matchers of a silence: short keys, bounded values. */
export const labelMap = z.record(z.string().min(1).max(100), z.string().max(500));

const timestamp = z
  .union([
    z.number().int().positive().describe("epoch milliseconds"),
    z.string().datetime({ offset: true }).describe("ISO 8601 with a time zone"),
  ])
  .transform((t) => (typeof t === "number" ? t : Date.parse(t)));

export const sampleSchema = z.object({
  metric: vigilName,
  value: z.number().refine(Number.isFinite, "must be a finite number"),
  timestamp: timestamp.optional(),
  service: vigilName.default("default"),
  unit: z.string().min(1).max(32).optional(),
  tags: labelMap.default({}),
});

export const batchSchema = z.object({
  samples: z.array(sampleSchema).min(1, "send at least one sample").max(MAX_SAMPLES_PER_BATCH),
});

export type SampleInput = z.input<typeof sampleSchema>;

export interface Sample {
  metric: string;
  service: string;
  unit?: string;
  tags: Record<string, string>;
  value: number;
  /** Epoch milliseconds. */
  ts: number;
}

/** Validates a batch; missing timestamps become `now`. Throws ZodError with the failing field's path. */
export function parseBatch(body: unknown, now: number): Sample[] {
  const { samples } = batchSchema.parse(body);
  return samples.map((s, i) => {
    const ts = s.timestamp ?? now;
    if (ts > now + MAX_FUTURE_MS) {
      throw new z.ZodError([
        { code: "custom", path: ["samples", i, "timestamp"], message: "more than 5 minutes in the future", input: ts },
      ]);
    }
    return { metric: s.metric, service: s.service, unit: s.unit, tags: s.tags, value: s.value, ts };
  });
}
