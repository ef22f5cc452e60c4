import { describe, expect, it } from "vitest";
import {
  fingerprintOf,
  judge,
  RuleEngine,
  silenceMatches,
  type ActiveSilence,
  type EngineChange,
  type EngineRule,
  type Observation,
} from "@/lib/rules/engine";

const rule = (over: Partial<EngineRule> = {}): EngineRule => ({
  id: "r1",
  name: "slow api",
  kind: "threshold",
  metric: "api.latency",
  service: null,
  tags: {},
  labels: {},
  aggregation: "last",
  windowSeconds: 60,
  comparison: ">",
  threshold: 100,
  clearThreshold: null,
  forSeconds: 0,
  keepFiringForSeconds: 0,
  minSamples: 1,
  noData: "keep",
  severity: "critical",
  cooldownMinutes: 15,
  maxAlertsPerHour: 4,
  dependsOn: [],
  ...over,
});

const seen = (value: number | null, sampleCount = value === null ? 0 : 10): Observation => ({ value, sampleCount });

/** Feeds one value a second from t = 0 and returns "t:from→to" for each transition. */
function run(r: EngineRule, values: (number | null)[], engine = new RuleEngine()): string[] {
  return values.flatMap((value, t) =>
    engine
      .evaluate([r], new Map([[r.id, seen(value)]]), [], t * 1000)
      .flatMap((c) => (c.kind === "transition" ? [`${t}:${c.from}→${c.to}`] : [])),
  );
}

describe("judge", () => {
  it.each([
    ["a breach", rule(), seen(150), false, "breach"],
    ["within the threshold", rule(), seen(50), false, "clear"],
    ["too few samples says nothing", rule({ minSamples: 5 }), seen(150, 2), false, "unknown"],
    ["no data, keep", rule({ noData: "keep" }), seen(null), false, "unknown"],
    ["no data, alert", rule({ noData: "alert" }), seen(null), false, "breach"],
    ["no data, ok", rule({ noData: "ok" }), seen(null), true, "clear"],
    ["firing, between threshold and clear threshold", rule({ clearThreshold: 80 }), seen(90), true, "breach"],
    ["firing, past the clear threshold", rule({ clearThreshold: 80 }), seen(79), true, "clear"],
    ["not firing: the clear threshold does not count", rule({ clearThreshold: 80 }), seen(90), false, "clear"],
  ] as const)("%s → %s", (_what, r, observation, firing, verdict) => expect(judge(r, observation, firing)).toBe(verdict));
});

describe("the lifecycle", () => {
  it("with for = 0 a breach fires on the pass that sees it, and resolves when it clears", () => {
    expect(run(rule(), [50, 150, 150, 50])).toEqual(["1:inactive→pending", "1:pending→firing", "3:firing→resolved"]);
  });

  it("a sustained breach fires once `for` has passed, not before", () => {
    expect(run(rule({ forSeconds: 3 }), [150, 150, 150, 150, 150])).toEqual(["0:inactive→pending", "3:pending→firing"]);
  });

  it("a one-sample spike with for ≥ 2 s never fires", () => {
    expect(run(rule({ forSeconds: 2 }), [50, 500, 50, 50, 50])).toEqual(["1:inactive→pending", "2:pending→inactive"]);
  });

  it("a flapping value with a clear threshold makes one alert, not ten", () => {
    const flapping = [150, ...Array.from({ length: 20 }, (_, i) => (i % 2 ? 110 : 90)), 50];
    expect(run(rule({ clearThreshold: 80 }), flapping)).toEqual(["0:inactive→pending", "0:pending→firing", "21:firing→resolved"]);
    // Without hysteresis the same data opens an alert per swing.
    expect(run(rule(), flapping).filter((t) => t.endsWith("→firing")).length).toBeGreaterThan(5);
  });

  it("keepFiringFor holds a firing alert through a short dip", () => {
    expect(run(rule({ keepFiringForSeconds: 3 }), [150, 50, 50, 150, 50, 50, 50, 50])).toEqual([
      "0:inactive→pending",
      "0:pending→firing",
      "7:firing→resolved",
    ]);
  });

  it("too few samples neither fires nor resolves: the state stands", () => {
    const r = rule({ minSamples: 5 });
    const engine = new RuleEngine();
    const at = (t: number, value: number, samples: number) =>
      engine.evaluate([r], new Map([[r.id, seen(value, samples)]]), [], t * 1000).filter((c) => c.kind === "transition").map((c) => (c as { to: string }).to);
    expect(at(0, 150, 2)).toEqual([]); // one failure in two payments at 3 am
    expect(at(1, 150, 10)).toEqual(["pending", "firing"]);
    expect(at(2, 50, 2)).toEqual([]);
    expect(at(3, 50, 10)).toEqual(["resolved"]);
  });

  it.each([
    ["keep", ["0:inactive→pending", "0:pending→firing"]],
    ["ok", ["0:inactive→pending", "0:pending→firing", "1:firing→resolved"]],
  ] as const)("no data with noData=%s", (noData, expected) => {
    expect(run(rule({ noData }), [150, null, null])).toEqual(expected);
  });

  it("a count of an empty window is 0, not missing data: \"no orders in 5 minutes\" fires", () => {
    const noOrders = rule({ aggregation: "count", comparison: "<", threshold: 1, minSamples: 5 });
    expect(judge(noOrders, { value: 0, sampleCount: 0 }, false)).toBe("breach");
    expect(judge(noOrders, { value: 3, sampleCount: 3 }, false)).toBe("clear"); // minSamples does not apply to a count
  });

  it("noData=alert fires when the data stops", () => {
    expect(run(rule({ noData: "alert", forSeconds: 2 }), [50, null, null, null])).toEqual(["1:inactive→pending", "3:pending→firing"]);
  });

  it("after a resolve a new breach starts again from resolved", () => {
    expect(run(rule(), [150, 50, 150])).toEqual([
      "0:inactive→pending",
      "0:pending→firing",
      "1:firing→resolved",
      "2:resolved→pending",
      "2:pending→firing",
    ]);
  });

  it("a rule switched off takes its open alert with it", () => {
    const engine = new RuleEngine();
    run(rule(), [150], engine);
    expect(engine.openFingerprints()).toHaveLength(1);
    expect(engine.evaluate([], new Map(), [], 5000)).toEqual([]);
    expect(engine.openFingerprints()).toEqual([]);
  });

  it("one fingerprint per rule and label set", () => {
    expect(fingerprintOf(rule())).toBe(fingerprintOf(rule()));
    expect(fingerprintOf(rule({ service: "api" }))).not.toBe(fingerprintOf(rule()));
    expect(fingerprintOf(rule({ labels: { a: "1", b: "2" } }))).toBe(fingerprintOf(rule({ labels: { b: "2", a: "1" } })));
  });
});

describe("announcing", () => {
  const notifications = (changes: EngineChange[]) => changes.flatMap((c) => (c.kind === "notify" ? [`${c.rule.name}:${c.notify}`] : []));

  it("announces a firing alert once, and not a pending one", () => {
    const r = rule({ forSeconds: 1 });
    const engine = new RuleEngine();
    const pass = (t: number) => notifications(engine.evaluate([r], new Map([[r.id, seen(150)]]), [], t * 1000));
    expect(pass(0)).toEqual([]);
    expect(pass(1)).toEqual(["slow api:notified"]);
    expect(pass(2)).toEqual([]);
  });

  it("holds a silenced alert back, and announces it when the silence ends if it still fires", () => {
    const r = rule();
    const silence: ActiveSilence = { id: "s1", matcher: { metric: "api.latency" }, startsAt: 0, endsAt: 2000 };
    const engine = new RuleEngine();
    const pass = (t: number) => engine.evaluate([r], new Map([[r.id, seen(150)]]), [silence], t * 1000);
    expect(pass(0).find((c) => c.kind === "notify")).toMatchObject({ notify: "silenced", heldBy: "s1" });
    expect(notifications(pass(1))).toEqual([]);
    expect(notifications(pass(2))).toEqual(["slow api:notified"]);
  });

  it("inhibits an alert while a rule it depends on fires, then announces it if it outlasts the cause", () => {
    const database = rule({ id: "db", name: "db down", metric: "db.up", comparison: "<", threshold: 1 });
    const api = rule({ id: "api", name: "api slow", dependsOn: ["db"] });
    const engine = new RuleEngine();
    const pass = (t: number, dbUp: number, latency: number) =>
      notifications(engine.evaluate([api, database], new Map([["db", seen(dbUp)], ["api", seen(latency)]]), [], t * 1000));
    expect(pass(0, 0, 500)).toEqual(["api slow:inhibited", "db down:notified"]); // decided after both rules' transitions
    expect(pass(1, 0, 500)).toEqual([]);
    expect(pass(2, 1, 500)).toEqual(["api slow:notified"]); // the database is back, the API still slow
  });

  it("an inhibited alert that resolves with its cause is never announced", () => {
    const database = rule({ id: "db", name: "db down", metric: "db.up", comparison: "<", threshold: 1 });
    const api = rule({ id: "api", name: "api slow", dependsOn: ["db"] });
    const engine = new RuleEngine();
    const pass = (t: number, dbUp: number, latency: number) =>
      notifications(engine.evaluate([database, api], new Map([["db", seen(dbUp)], ["api", seen(latency)]]), [], t * 1000));
    expect(pass(0, 0, 500)).toEqual(["db down:notified", "api slow:inhibited"]);
    expect(pass(1, 1, 50)).toEqual([]);
  });

  it("an alert within the cooldown of the last one waits it out, then is announced if still firing", () => {
    const r = rule({ cooldownMinutes: 1 });
    const engine = new RuleEngine();
    const pass = (t: number, value: number) => notifications(engine.evaluate([r], new Map([[r.id, seen(value)]]), [], t * 1000));
    expect(pass(0, 150)).toEqual(["slow api:notified"]);
    expect(pass(10, 50)).toEqual([]);
    expect(pass(20, 150)).toEqual(["slow api:cooldown"]);
    expect(pass(69, 150)).toEqual([]);
    expect(pass(70, 150)).toEqual(["slow api:notified"]);
  });

  it("the cooldown runs from an announced alert, not from one a silence kept quiet", () => {
    const r = rule({ cooldownMinutes: 60 });
    const engine = new RuleEngine();
    const silence: ActiveSilence = { id: "s1", matcher: { ruleId: "r1" }, startsAt: 0, endsAt: 5000 };
    const pass = (t: number, value: number) => notifications(engine.evaluate([r], new Map([[r.id, seen(value)]]), [silence], t * 1000));
    expect(pass(0, 150)).toEqual(["slow api:silenced"]);
    expect(pass(1, 50)).toEqual([]);
    expect(pass(10, 150)).toEqual(["slow api:notified"]);
  });

  it("at most maxAlertsPerHour announcements per rule; the rest are recorded as rate limited", () => {
    const r = rule({ cooldownMinutes: 0, maxAlertsPerHour: 2 });
    const engine = new RuleEngine();
    const decisions: string[] = [];
    for (let i = 0; i < 4; i++) {
      decisions.push(...notifications(engine.evaluate([r], new Map([[r.id, seen(150)]]), [], i * 60_000)));
      engine.evaluate([r], new Map([[r.id, seen(50)]]), [], i * 60_000 + 1000);
    }
    expect(decisions).toEqual(["slow api:notified", "slow api:notified", "slow api:rate_limited", "slow api:rate_limited"]);
    // An hour after the first, the budget has room again and a still-firing alert is announced.
    expect(notifications(engine.evaluate([r], new Map([[r.id, seen(150)]]), [], 3_600_000))).toEqual(["slow api:notified"]);
  });
});

describe("taking over", () => {
  it("a new leader restored from the store neither re-fires nor re-announces, and keeps a pending `for`", () => {
    const firing = rule({ id: "a", name: "firing one" });
    const pending = rule({ id: "b", name: "pending one", forSeconds: 10 });
    const engine = new RuleEngine({
      open: [
        { ruleId: "a", fingerprint: fingerprintOf(firing), phase: "firing", since: 0, firedAt: 0, clearSince: null, value: 150, notify: "notified", heldBy: null },
        { ruleId: "b", fingerprint: fingerprintOf(pending), phase: "pending", since: 0, firedAt: null, clearSince: null, value: 150, notify: null, heldBy: null },
      ],
      lastResolvedAt: {},
      notifiedAt: { a: [0] },
    });
    const observations = new Map([["a", seen(150)], ["b", seen(150)]]);
    expect(engine.evaluate([firing, pending], observations, [], 5000)).toEqual([]);
    expect(engine.evaluate([firing, pending], observations, [], 10_000).map((c) => `${c.rule.name}:${c.kind === "transition" ? c.to : c.notify}`)).toEqual([
      "pending one:firing",
      "pending one:notified",
    ]);
  });

  it("an alert resolved by hand is forgotten, so a breach that goes on opens a new one", () => {
    const r = rule();
    const engine = new RuleEngine();
    run(r, [150], engine);
    engine.resolvedByHand(fingerprintOf(r), 1000);
    expect(engine.evaluate([r], new Map([[r.id, seen(150)]]), [], 2000).filter((c) => c.kind === "transition").map((c) => (c as { from: string }).from)).toEqual([
      "resolved",
      "pending",
    ]);
  });
});

describe("silenceMatches", () => {
  const r = rule({ id: "r9", service: "api", labels: { team: "payments" }, tags: { region: "eu" } });
  it.each([
    [{ ruleId: "r9" }, true],
    [{ ruleId: "other" }, false],
    [{ metric: "api.latency", service: "api" }, true],
    [{ service: "db" }, false],
    [{ labels: { team: "payments" } }, true],
    [{ labels: { region: "eu" } }, true],
    [{ labels: { team: "search" } }, false],
  ] as const)("%j → %s", (matcher, expected) => expect(silenceMatches(matcher, r)).toBe(expected));
});
