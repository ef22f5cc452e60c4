import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertEvent, alertHistory, alertRule } from "@/db/schema";
import { eq } from "drizzle-orm";
import { authenticate, ensureAdmin } from "@/lib/auth/users";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { replay, rulesFromJson, type ReplayLine } from "@/lib/rules/replay";
import { RuleEvaluator } from "@/lib/rules/rule-evaluator";
import { createRule } from "@/lib/rules/rules";
import { soleLeader } from "@/lib/runtime/leader-lease";
import { SCENARIOS } from "../scenarios/alert-scenarios";
import { openTestStore, type TestStore } from "../support/test-store";

const root = path.resolve(import.meta.dirname, "../..");
const scenario = SCENARIOS.find((s) => s.name === "flapping")!;

function writeScenarioFiles(): { rules: string; samples: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-replay-"));
  const rules = path.join(dir, "rules.json");
  const samples = path.join(dir, "samples.csv");
  writeFileSync(rules, JSON.stringify(scenario.rules, null, 2));
  const rows = scenario.samples.map((s) => `${new Date(s.ts).toISOString()},${s.metric},${s.value},${s.service === "default" ? "" : s.service}`);
  writeFileSync(samples, ["timestamp,metric,value,service", ...rows].join("\n") + "\n");
  return { rules, samples };
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/rules-replay.ts", ...args], { cwd: root, encoding: "utf8" });
}

describe("rules:replay", () => {
  it("prints one JSON line per transition, the engine's own", () => {
    const files = writeScenarioFiles();
    const result = runCli(["--rules", files.rules, "--samples", files.samples, "--interval", "1s"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as ReplayLine);
    expect(lines).toEqual(replay(rulesFromJson(scenario.rules), scenario.samples));
    expect(lines.map((l) => `${l.from}→${l.to}`)).toEqual(["inactive→pending", "pending→firing", "firing→resolved"]);
    expect(Object.keys(lines[0]!)).toEqual(["ts", "rule", "fingerprint", "from", "to", "value"]);
  });

  it.each([
    [["--rules", "/nonexistent.json", "--samples", "/nonexistent.csv"], /ENOENT/],
    [["--rules", "x.json"], /usage/],
    [["--interval", "soon", "--rules", "a", "--samples", "b"], /--interval soon/],
  ])("bad input %j: exit 2 and a message", (args, message) => {
    const result = runCli(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("says which line of the csv and which rule is wrong", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vigil-replay-bad-"));
    writeFileSync(path.join(dir, "rules.json"), JSON.stringify([{ name: "r", metric: "m", aggregation: "ratio", operator: ">", threshold: 1, severity: "info" }]));
    writeFileSync(path.join(dir, "ok.json"), JSON.stringify([{ name: "r", metric: "m", operator: ">", threshold: 1, severity: "info" }]));
    writeFileSync(path.join(dir, "samples.csv"), "timestamp,metric,value,service\n2026-01-01T00:00:00Z,m,1,\nyesterday,m,2,\n");
    expect(runCli(["--rules", path.join(dir, "rules.json"), "--samples", path.join(dir, "samples.csv")]).stderr).toMatch(/rule 1 \(r\): denominator: a ratio needs/);
    expect(runCli(["--rules", path.join(dir, "ok.json"), "--samples", path.join(dir, "samples.csv")]).stderr).toMatch(/line 3: "yesterday" is not an ISO 8601 timestamp/);
  });
});

describe("the live evaluator does what rules:replay says", () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(new Date(scenario.samples[0]!.ts));
  });
  afterAll(() => t.close());

  it("same samples, same rules, one pass a second: the same transitions at the same times", async () => {
    await ensureAdmin(t.ctx, "ops@shop.test", "ops-password");
    const admin = await authenticate(t.ctx, new LoginThrottle(), { email: "ops@shop.test", password: "ops-password", address: "x" });
    await t.ctx.db.delete(alertRule);
    for (const rule of scenario.rules) await createRule(t.ctx, admin, rule);
    await writeSamples(t.store, new SeriesCache(), scenario.samples.map((s) => ({ ...s, tags: {} })));

    const evaluator = new RuleEvaluator(t.ctx, soleLeader, 1000, () => {});
    const first = scenario.samples[0]!.ts;
    const last = scenario.samples.at(-1)!.ts;
    for (let now = first; now <= last; now += 1000) {
      t.setNow(new Date(now));
      await evaluator.tick();
    }
    const live = await t.ctx.db
      .select({ at: alertEvent.at, from: alertEvent.fromStatus, to: alertEvent.toStatus, value: alertEvent.value, rule: alertRule.name, fingerprint: alertHistory.fingerprint })
      .from(alertEvent)
      .innerJoin(alertHistory, eq(alertHistory.id, alertEvent.alertId))
      .innerJoin(alertRule, eq(alertRule.id, alertHistory.ruleId))
      .orderBy(asc(alertEvent.at), asc(alertEvent.toStatus));
    const transitions = live.filter((e) => e.from !== e.to); // announcements are not transitions
    const replayed = replay(rulesFromJson(scenario.rules), scenario.samples);
    expect(transitions.map((e) => [e.at.toISOString(), e.rule, e.from, e.to, e.value])).toEqual(replayed.map((l) => [l.ts, l.rule, l.from, l.to, l.value]));
  }, 120_000);
});
