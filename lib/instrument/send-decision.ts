/** What one POST of a batch to Vigil's ingest route came back with. */
export type SendOutcome =
  | { kind: "answered"; status: number; retryAfter: string | null }
  | { kind: "network-error"; message: string };

export type SendDecision =
  | { action: "sent" }
  /** Keep the batch and try again after `delayMs`. */
  | { action: "retry"; delayMs: number; reason: string }
  /** Too large: send it again in halves. */
  | { action: "split"; reason: string }
  /** The batch itself is invalid; sending it again cannot succeed. */
  | { action: "reject"; reason: string };

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** A Retry-After further out than this is treated as a misconfiguration, not followed. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * Decides what to do with a batch after a POST. `attempt` counts the failures since the
 * last success (0 on the first failure); `random` spreads the retries of many instances.
 */
export function decideAfterSend(
  outcome: SendOutcome,
  attempt: number,
  now: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): SendDecision {
  const backoff = () => Math.min(policy.maxMs, policy.baseMs * 2 ** attempt) * (0.5 + random() / 2);
  if (outcome.kind === "network-error") {
    return { action: "retry", delayMs: backoff(), reason: `network error: ${outcome.message}` };
  }
  const { status } = outcome;
  if (status >= 200 && status < 300) return { action: "sent" };
  if (status === 413) return { action: "split", reason: "413 batch too large" };
  // Vigil validates the whole batch; only these say the samples themselves are wrong.
  if (status === 400 || status === 422) return { action: "reject", reason: `${status} batch refused as invalid` };
  // Everything else (401 key not yet seeded, 404 during a deploy, 429, 5xx) may pass later.
  const asked = status === 429 || status === 503 ? parseRetryAfter(outcome.retryAfter, now) : undefined;
  const delayMs = asked === undefined ? backoff() : Math.min(asked, MAX_RETRY_AFTER_MS);
  return { action: "retry", delayMs, reason: `${status} from ingest${asked === undefined ? "" : `, Retry-After ${outcome.retryAfter}`}` };
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
