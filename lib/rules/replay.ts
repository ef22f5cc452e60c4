import { z } from "zod";
import { AppError } from "@/lib/errors";
import { RuleEngine, type EngineChange } from "./engine";
import { MemoryWindows } from "./memory-windows";
import { engineRuleFromInput, type EvaluatedRule } from "./rules";

/** One recorded sample: `timestamp,metric,value,service` in the csv. */
export interface RecordedSample {
  ts: number;
  metric: string;
  value: number;
  /** Empty in the csv means the ingest API's default service. */
  service: string;
}

/** One alert transition, as `rules:replay` prints it. */
export interface ReplayLine {
  ts: string;
  rule: string;
  fingerprint: string;
  from: string;
  to: string;
  value: number | null;
}

const DEFAULT_SERVICE = "default";

/** Parses `timestamp,metric,value,service` (ISO 8601 timestamps; service may be empty). */
export function parseSamplesCsv(text: string): RecordedSample[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = lines.shift()?.trim();
  if (header !== "timestamp,metric,value,service") throw new AppError("INVALID", `samples csv: the header must be "timestamp,metric,value,service", not "${header ?? ""}"`);
  return lines.map((line, i) => {
    const [timestamp = "", metric = "", value = "", service = ""] = line.split(",").map((cell) => cell.trim());
    const ts = Date.parse(timestamp);
    const number = Number(value);
    const where = `samples csv line ${i + 2}`;
    if (Number.isNaN(ts) || !/\d{4}-\d{2}-\d{2}T/.test(timestamp)) throw new AppError("INVALID", `${where}: "${timestamp}" is not an ISO 8601 timestamp`);
    if (!metric) throw new AppError("INVALID", `${where}: no metric`);
    if (value === "" || !Number.isFinite(number)) throw new AppError("INVALID", `${where}: "${value}" is not a number`);
    return { ts, metric, value: number, service: service || DEFAULT_SERVICE };
  });
}

/** A deterministic UUID per position, so ids in the output are the same run after run. */
const positionalId = (i: number) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`;

const rulesFile = z.array(z.record(z.string(), z.unknown())).min(1, "rules.json holds no rules");

/**
 * Rules from a rules.json: the API's format, plus an optional `id`. `dependsOn` may name a rule
 * of the file by its `id` or its `name`.
 */
export function rulesFromJson(json: unknown): EvaluatedRule[] {
  const raw = rulesFile.parse(json);
  const idOf = new Map<string, string>();
  raw.forEach((rule, i) => {
    for (const key of [rule.id, rule.name]) if (typeof key === "string") idOf.set(key, positionalId(i));
  });
  return raw.map((rule, i) => {
    const { id: _id, dependsOn, ...fields } = rule;
    const deps = Array.isArray(dependsOn) ? dependsOn.map((ref) => (typeof ref === "string" ? (idOf.get(ref) ?? ref) : ref)) : dependsOn;
    if (fields.kind === "anomaly") throw new AppError("INVALID", `rules.json rule ${i + 1} (${String(rule.name ?? "unnamed")}): anomaly rules are not replayed; replay judges thresholds`);
    try {
      return engineRuleFromInput(positionalId(i), { ...fields, ...(deps === undefined ? {} : { dependsOn: deps }) });
    } catch (error) {
      if (error instanceof z.ZodError) {
        const issue = error.issues[0]!;
        throw new AppError("INVALID", `rules.json rule ${i + 1} (${String(rule.name ?? "unnamed")}): ${issue.path.join(".")}: ${issue.message}`);
      }
      throw error;
    }
  });
}

/**
 * Runs the production rule engine over recorded samples in simulated time, evaluating every
 * `intervalMs` as the live evaluator does, from the first sample to the last. It stops there:
 * past the end of a recording every window would empty, and `noData: alert` rules would fire
 * at what is only the end of the file. Returns every engine change in order.
 */
export function replayChanges(rules: readonly EvaluatedRule[], samples: readonly RecordedSample[], intervalMs = 1000): EngineChange[] {
  const windows = new MemoryWindows();
  for (const s of samples) windows.add(s.metric, s.service, s.ts, s.value);
  windows.seal();
  const span = windows.span();
  if (!span || rules.length === 0) return [];
  const engine = new RuleEngine();
  const changes: EngineChange[] = [];
  for (let now = Math.floor(span.from / intervalMs) * intervalMs; now <= span.to; now += intervalMs) {
    const observed = windows.observe(rules, now);
    const observations = new Map(rules.map((rule, i) => [rule.id, observed[i]!]));
    changes.push(...engine.evaluate(rules, observations, [], now));
  }
  return changes;
}

export function toReplayLine(change: EngineChange & { kind: "transition" }): ReplayLine {
  return { ts: new Date(change.at).toISOString(), rule: change.rule.name, fingerprint: change.fingerprint, from: change.from, to: change.to, value: change.value };
}

export function replay(rules: readonly EvaluatedRule[], samples: readonly RecordedSample[], intervalMs = 1000): ReplayLine[] {
  return replayChanges(rules, samples, intervalMs).flatMap((change) => (change.kind === "transition" ? [toReplayLine(change)] : []));
}
