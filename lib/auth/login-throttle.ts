/**
 * Failed-login throttling, per email and per client address. The decision is pure
 * (`decideLogin`); `LoginThrottle` only remembers failure times.
 */
export interface ThrottlePolicy {
  windowMs: number;
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  maxFailuresPerEmail: 5,
  // An office behind one NAT shares an address, so it gets more room than one account.
  maxFailuresPerAddress: 20,
};

export type LoginDecision = { allowed: true } | { allowed: false; retryAfterMs: number; reason: string };

/** failures: timestamps (ms) of recent failed attempts, any order. */
export function decideLogin(
  emailFailures: readonly number[],
  addressFailures: readonly number[],
  now: number,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): LoginDecision {
  const checks = [
    { failures: emailFailures, max: policy.maxFailuresPerEmail, reason: "too many failed logins for this account" },
    { failures: addressFailures, max: policy.maxFailuresPerAddress, reason: "too many failed logins from this address" },
  ];
  for (const { failures, max, reason } of checks) {
    const recent = failures.filter((t) => t > now - policy.windowMs).sort((a, b) => a - b);
    if (recent.length >= max) {
      // Allowed again once the oldest failure that still counts leaves the window.
      const unblockAt = recent[recent.length - max]! + policy.windowMs;
      return { allowed: false, retryAfterMs: unblockAt - now, reason };
    }
  }
  return { allowed: true };
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY) {}

  check(email: string, address: string, now: number): LoginDecision {
    return decideLogin(this.recent(`email:${email}`, now), this.recent(`addr:${address}`, now), now, this.policy);
  }

  recordFailure(email: string, address: string, now: number): void {
    for (const key of [`email:${email}`, `addr:${address}`]) {
      this.failures.set(key, [...this.recent(key, now), now]);
    }
  }

  /** A correct password clears the account's count, not the address's: one success must not unlock a spray. */
  recordSuccess(email: string): void {
    this.failures.delete(`email:${email}`);
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => t > now - this.policy.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }
}
