import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { channelSettingsFromEnv } from "@/lib/notify/channels";
import type { ChannelSettings } from "@/lib/notify/channels/sender";
import { isTimeZone } from "@/lib/time-zone";
import { DEFAULT_RETENTION, type RetentionPolicy } from "@/lib/rollups/rollup";

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  VIGIL_DATA_DIR: z.string().default("./.vigil"),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  ADMIN_EMAIL: z.string().email().default("admin@vigil.local"),
  ADMIN_PASSWORD: z.string().min(8).default("vigil-admin"),
  INGEST_API_KEY: z.string().min(16).optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  TRUST_PROXY: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  EVALUATION_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  RETENTION_RAW_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_RETENTION.rawDays),
  RETENTION_1M_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_RETENTION.minuteDays),
  RETENTION_1H_DAYS: z.coerce.number().int().min(1).max(36500).default(DEFAULT_RETENTION.hourDays),
  NOTIFY_MAX_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),
  /** The shop's time zone: anomaly explanations ("the usual for Tuesday 14:00") are written in it. */
  VIGIL_TIME_ZONE: z
    .string()
    .refine((name) => isTimeZone(name), "an IANA time zone such as Europe/Berlin")
    .default(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
  REDIS_URL: z.string().url().refine((url) => url.startsWith("redis://"), "a redis:// URL (rediss:// is not supported)").optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  poolSize: number;
  adminEmail: string;
  adminPassword: string;
  /** True when the admin password is the built-in default, so start-up can say so loudly. */
  adminPasswordIsDefault: boolean;
  ingestApiKey: string;
  ingestApiKeyIsGenerated: boolean;
  sessionSecret: string;
  publicUrl: string;
  trustProxy: boolean;
  evaluationIntervalMs: number;
  retention: RetentionPolicy;
  /** When set, Vigil checks this Redis as a built-in service check. */
  redisUrl?: string;
  /** Resend, Twilio and Slack settings; a channel without its keys is not configured. */
  channels: ChannelSettings;
  /** Messages an hour to one address before the rest are held back as rate-limited. */
  notifyMaxPerHour: number;
  /** IANA zone for anomaly explanations. */
  timeZone: string;
}

/**
 * Reads the environment once at start. Secrets nobody configured are generated on first
 * start and kept in the data directory, so a demo needs no setup and a restart keeps sessions.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.VIGIL_DATA_DIR);
  const secrets = loadOrCreateSecrets(dataDir);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE,
    adminEmail: e.ADMIN_EMAIL.toLowerCase(),
    adminPassword: e.ADMIN_PASSWORD,
    adminPasswordIsDefault: env.ADMIN_PASSWORD === undefined,
    ingestApiKey: e.INGEST_API_KEY ?? secrets.ingestApiKey,
    ingestApiKeyIsGenerated: e.INGEST_API_KEY === undefined,
    sessionSecret: e.NEXTAUTH_SECRET ?? secrets.sessionSecret,
    publicUrl: e.NEXTAUTH_URL ?? `http://localhost:${e.PORT}`,
    trustProxy: e.TRUST_PROXY,
    evaluationIntervalMs: e.EVALUATION_INTERVAL_MS,
    retention: { rawDays: e.RETENTION_RAW_DAYS, minuteDays: e.RETENTION_1M_DAYS, hourDays: e.RETENTION_1H_DAYS },
    redisUrl: e.REDIS_URL,
    channels: channelSettingsFromEnv(env),
    notifyMaxPerHour: e.NOTIFY_MAX_PER_HOUR,
    timeZone: e.VIGIL_TIME_ZONE,
  };
}

interface Secrets {
  sessionSecret: string;
  ingestApiKey: string;
}

function loadOrCreateSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, "secrets.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secrets: Secrets = {
    sessionSecret: randomBytes(32).toString("base64url"),
    ingestApiKey: `vgl_${randomBytes(24).toString("base64url")}`,
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
