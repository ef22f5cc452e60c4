import { sql } from "drizzle-orm";
import { z } from "zod";
import { selectRows } from "@/db";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { RuleEngine, type Transition } from "./engine";
import { MemoryWindows } from "./memory-windows";
import { selectorsOf } from "./observe";
import { engineRuleFromInput, getRule, toRuleView, type EvaluatedRule } from "./rules";

export const BACKTEST_PERIODS = { "24h": { ms: 86_400_000, stepSeconds: 10 }, "7d": { ms: 7 * 86_400_000, stepSeconds: 60 } } as const;
export type BacktestPeriod = keyof typeof BACKTEST_PERIODS;

/** Beyond this many raw samples a backtest would hold too much in memory: narrow it instead. */
const MAX_SAMPLES = 2_000_000;
/** Points of the rule's value drawn on the chart. */
const MAX_POINTS = 500;

/** One would-be alert: when it would have gone pending, fired and resolved (null: still firing at the end). */
export interface BacktestAlert {
  pendingAt: string;
  firedAt: string;
  resolvedAt: string | null;
  /** The worst value while it fired, in the rule's direction. */
  peak: number | null;
}

export interface Backtest {
  period: BacktestPeriod;
  from: string;
  to: string;
  /** How often the rule was evaluated in the backtest (the live engine: every second). */
  stepSeconds: number;
  rule: { name: string; operator: string; threshold: number; clearThreshold: number | null; aggregation: string; window: number; for: number };
  samplesRead: number;
  /** The rule's value over time, for the chart; null where the window held no data. */
  points: { t: number; value: number | null }[];
  alerts: BacktestAlert[];
  transitions: { at: string; from: string; to: string; value: number | null }[];
}

const periodSchema = z.enum(["24h", "7d"]).default("24h");
const savedBody = z.object({ period: periodSchema, rule: z.record(z.string(), z.unknown()).optional() }).default({ period: "24h" });
const draftBody = z.object({ period: periodSchema, rule: z.record(z.string(), z.unknown()) });

/** A saved rule, or the saved rule with unsaved edits (`rule`) laid over it. */
export async function backtestSavedRule(ctx: Ctx, id: string, body: unknown): Promise<Backtest> {
  const { period, rule: edits } = savedBody.parse(body ?? undefined);
  const saved = await getRule(ctx, id);
  const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = toRuleView(saved);
  return backtestRule(ctx, engineRuleFromInput(saved.id, { ...fields, ...edits }), period);
}

export async function backtestDraftRule(ctx: Ctx, body: unknown): Promise<Backtest> {
  const { period, rule } = draftBody.parse(body);
  return backtestRule(ctx, engineRuleFromInput(crypto.randomUUID(), rule), period);
}

/**
 * Runs the rule engine over the stored samples of the last day or week, as if the rule had
 * existed then: the same engine and window arithmetic as the live evaluator, stepped every
 * 10 s (24 h) or 60 s (7 d) instead of every second, so a breach shorter than the step may be
 * missed and `for` is rounded up to a step. Dependencies and silences are left out: this is
 * about the threshold.
 */
export async function backtestRule(ctx: Ctx, rule: EvaluatedRule, period: BacktestPeriod): Promise<Backtest> {
  if (rule.kind === "anomaly") {
    throw new AppError("INVALID", "an anomaly rule cannot be backtested: the detector judges each minute once, as it arrives; its past anomalies are on the trends page");
  }
  const { ms, stepSeconds } = BACKTEST_PERIODS[period];
  const to = ctx.now().getTime();
  const from = to - ms;
  const windows = await loadWindows(ctx, rule, from - rule.windowSeconds * 1000, to);
  // The samples were filtered by tags as they were read; the copy in memory has none.
  const evaluated: EvaluatedRule = { ...rule, tags: {}, dependsOn: [] };
  const engine = new RuleEngine();
  const stepMs = stepSeconds * 1000;
  const transitions: Transition[] = [];
  const values: { t: number; value: number | null }[] = [];
  const evaluateAt = (t: number) => {
    const [observation] = windows.memory.observe([evaluated], t);
    values.push({ t, value: observation!.value });
    for (const change of engine.evaluate([evaluated], new Map([[rule.id, observation!]]), [], t)) {
      if (change.kind === "transition") transitions.push(change);
    }
  };
  const steps = [];
  for (let t = Math.ceil(from / stepMs) * stepMs; t <= to; t += stepMs) steps.push(t);
  // And now itself: the samples of the last seconds are often what the admin is looking at.
  if (steps.at(-1) !== to) steps.push(to);
  for (const t of steps) evaluateAt(t);
  return {
    period,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    stepSeconds,
    rule: {
      name: rule.name,
      operator: rule.comparison,
      threshold: rule.threshold,
      clearThreshold: rule.clearThreshold,
      aggregation: rule.aggregation,
      window: rule.windowSeconds,
      for: rule.forSeconds,
    },
    samplesRead: windows.count,
    points: downsample(values, MAX_POINTS),
    alerts: episodes(transitions, values, rule),
    transitions: transitions.map((tr) => ({ at: new Date(tr.at).toISOString(), from: tr.from, to: tr.to, value: tr.value })),
  };
}

async function loadWindows(ctx: Ctx, rule: EvaluatedRule, from: number, to: number): Promise<{ memory: MemoryWindows; count: number }> {
  const { own, denominator } = selectorsOf(rule);
  const metrics = denominator ? [own.metric, denominator.metric] : [own.metric];
  const metricList = sql.join(metrics.map((m) => sql`${m}`), sql`, `);
  const service = rule.service === null ? sql`` : sql`and se.service = ${rule.service}`;
  const rows = await selectRows<{ name: string; service: string; ts: string | Date; value: number }>(ctx.db, sql`
    select se.name, se.service, sm.ts, sm.value
    from series se join sample sm on sm.series_id = se.id
    where se.name in (${metricList}) ${service} and se.tags @> ${JSON.stringify(rule.tags)}::jsonb
      and sm.ts > ${new Date(from).toISOString()}::timestamptz and sm.ts <= ${new Date(to).toISOString()}::timestamptz
    limit ${MAX_SAMPLES + 1}`);
  if (rows.length > MAX_SAMPLES) {
    throw new AppError("TOO_LARGE", `the ${metrics.join(" and ")} samples of this period are over ${MAX_SAMPLES.toLocaleString("en")}: backtest 24h, or narrow the rule by service or tags`);
  }
  const memory = new MemoryWindows();
  for (const row of rows) memory.add(row.name, row.service, new Date(row.ts).getTime(), Number(row.value));
  memory.seal();
  return { memory, count: rows.length };
}

/** Every k-th point, keeping the extremes of each stretch so a spike survives on the chart. */
function downsample(points: { t: number; value: number | null }[], max: number): { t: number; value: number | null }[] {
  if (points.length <= max) return points;
  const per = Math.ceil(points.length / max);
  const kept: { t: number; value: number | null }[] = [];
  for (let i = 0; i < points.length; i += per) {
    const slice = points.slice(i, i + per).filter((p) => p.value !== null);
    if (slice.length === 0) {
      kept.push({ t: points[i]!.t, value: null });
      continue;
    }
    const extreme = slice.reduce((a, b) => (Math.abs(b.value! - slice[0]!.value!) > Math.abs(a.value! - slice[0]!.value!) ? b : a));
    kept.push({ t: points[i]!.t, value: extreme.value });
  }
  return kept;
}

function episodes(transitions: readonly Transition[], values: readonly { t: number; value: number | null }[], rule: EvaluatedRule): BacktestAlert[] {
  const alerts: BacktestAlert[] = [];
  let pendingAt: number | null = null;
  let current: { pendingAt: number; firedAt: number } | null = null;
  const higherIsWorse = rule.comparison === ">" || rule.comparison === ">=";
  const peakBetween = (a: number, b: number) => {
    const inside = values.filter((v) => v.t >= a && v.t <= b && v.value !== null).map((v) => v.value!);
    return inside.length ? (higherIsWorse ? Math.max(...inside) : Math.min(...inside)) : null;
  };
  for (const tr of transitions) {
    if (tr.to === "pending") pendingAt = tr.at;
    if (tr.to === "firing") current = { pendingAt: pendingAt ?? tr.at, firedAt: tr.at };
    if (tr.to === "resolved" && current) {
      alerts.push({ pendingAt: iso(current.pendingAt), firedAt: iso(current.firedAt), resolvedAt: iso(tr.at), peak: peakBetween(current.firedAt, tr.at) });
      current = null;
    }
  }
  if (current) alerts.push({ pendingAt: iso(current.pendingAt), firedAt: iso(current.firedAt), resolvedAt: null, peak: peakBetween(current.firedAt, Infinity) });
  return alerts;
}

const iso = (t: number) => new Date(t).toISOString();
