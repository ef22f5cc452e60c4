import { z } from "zod";
import { DEFAULT_RING_LIMITS, type RingLimits } from "./event-ring";

export interface LiveSettings {
  /** SSE comment heartbeat and WebSocket ping interval: keeps proxies from closing idle streams. */
  heartbeatMs: number;
  /** Unsent bytes one client may hold before it is dropped (SSE queue, WebSocket bufferedAmount). */
  maxQueuedBytes: number;
  /** How long one stream may stay open before the client must reconnect (and be authenticated again). */
  maxStreamMs: number;
  /** What the replay buffer keeps for reconnecting clients. */
  replay: RingLimits;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = {
  heartbeatMs: 15_000,
  maxQueuedBytes: 4 * 1024 * 1024,
  maxStreamMs: 10 * 60_000,
  replay: DEFAULT_RING_LIMITS,
};

const envSchema = z.object({
  VIGIL_SSE_HEARTBEAT_MS: z.coerce.number().int().min(50).max(600_000).default(DEFAULT_LIVE_SETTINGS.heartbeatMs),
  VIGIL_LIVE_MAX_QUEUED_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_LIVE_SETTINGS.maxQueuedBytes),
  VIGIL_LIVE_MAX_STREAM_MS: z.coerce.number().int().min(1000).default(DEFAULT_LIVE_SETTINGS.maxStreamMs),
  VIGIL_LIVE_REPLAY_EVENTS: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_RING_LIMITS.maxEvents),
  VIGIL_LIVE_REPLAY_MS: z.coerce.number().int().min(1000).default(DEFAULT_RING_LIMITS.maxAgeMs),
});

/** Tuning for the live stream; the defaults suit production, tests shrink them. */
export function liveSettingsFromEnv(env: Record<string, string | undefined>): LiveSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    heartbeatMs: e.VIGIL_SSE_HEARTBEAT_MS,
    maxQueuedBytes: e.VIGIL_LIVE_MAX_QUEUED_BYTES,
    maxStreamMs: e.VIGIL_LIVE_MAX_STREAM_MS,
    replay: { ...DEFAULT_RING_LIMITS, maxEvents: e.VIGIL_LIVE_REPLAY_EVENTS, maxAgeMs: e.VIGIL_LIVE_REPLAY_MS },
  };
}
