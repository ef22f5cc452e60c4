import { describe, expect, it } from "vitest";
import { decideLogin, LoginThrottle, type ThrottlePolicy } from "@/lib/auth/login-throttle";

const policy: ThrottlePolicy = { windowMs: 60_000, maxFailuresPerEmail: 3, maxFailuresPerAddress: 5 };
const NOW = 1_000_000;

describe("decideLogin", () => {
  it.each([
    { name: "no failures", email: [], addr: [], allowed: true },
    { name: "below the email limit", email: [NOW - 1, NOW - 2], addr: [], allowed: true },
    { name: "at the email limit", email: [NOW - 30_000, NOW - 20_000, NOW - 10_000], addr: [], allowed: false, retry: 30_000 },
    { name: "old failures fall out of the window", email: [NOW - 90_000, NOW - 80_000, NOW - 10_000], addr: [], allowed: true },
    { name: "at the address limit", email: [], addr: [1, 2, 3, 4, 5].map((i) => NOW - i * 1000), allowed: false, retry: 55_000 },
    { name: "unsorted input", email: [NOW - 10_000, NOW - 30_000, NOW - 20_000], addr: [], allowed: false, retry: 30_000 },
  ])("$name", ({ email, addr, allowed, retry }) => {
    const decision = decideLogin(email, addr, NOW, policy);
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) {
      expect(decision.retryAfterMs).toBe(retry);
      expect(decision.reason).toMatch(/too many failed logins/);
    }
  });
});

describe("LoginThrottle", () => {
  it("blocks an account after its limit and lets it in once the window passes", () => {
    const throttle = new LoginThrottle(policy);
    for (let i = 0; i < 3; i++) throttle.recordFailure("a@x", "10.0.0.1", NOW + i);
    expect(throttle.check("a@x", "10.0.0.2", NOW + 10).allowed).toBe(false);
    expect(throttle.check("b@x", "10.0.0.1", NOW + 10).allowed).toBe(true);
    expect(throttle.check("a@x", "10.0.0.2", NOW + 60_001).allowed).toBe(true);
  });

  it("blocks an address spraying many accounts", () => {
    const throttle = new LoginThrottle(policy);
    for (let i = 0; i < 5; i++) throttle.recordFailure(`user${i}@x`, "10.0.0.9", NOW);
    expect(throttle.check("fresh@x", "10.0.0.9", NOW + 1)).toMatchObject({ allowed: false, reason: expect.stringMatching(/address/) });
  });

  it("a success clears the account's failures but not the address's", () => {
    const throttle = new LoginThrottle(policy);
    for (let i = 0; i < 2; i++) throttle.recordFailure("a@x", "10.0.0.1", NOW);
    throttle.recordSuccess("a@x");
    throttle.recordFailure("a@x", "10.0.0.1", NOW);
    expect(throttle.check("a@x", "10.0.0.3", NOW).allowed).toBe(true);
    for (let i = 0; i < 2; i++) throttle.recordFailure(`z${i}@x`, "10.0.0.1", NOW);
    expect(throttle.check("other@x", "10.0.0.1", NOW).allowed).toBe(false);
  });

  it("uses the default policy when none is given", () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 4; i++) throttle.recordFailure("a@x", "ip", NOW);
    expect(throttle.check("a@x", "ip", NOW).allowed).toBe(true);
    throttle.recordFailure("a@x", "ip", NOW);
    expect(throttle.check("a@x", "ip", NOW).allowed).toBe(false);
  });
});
