import { and, eq, inArray, sql } from "drizzle-orm";
import { selectRows } from "@/db";
import { alertRule, type Aggregation, type Comparison, type Severity } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { compare } from "@/lib/rules/engine";
import { observeWindows, type WindowSpec } from "@/lib/rules/observe";
import { listPins, type Pin } from "./pins";

/**
 * `unwatched`: there is data but no active rule watches the metric, so nothing says what
 * "bad" is; the card shows the number without a verdict instead of a reassuring green.
 */
export type CardState = "ok" | "warning" | "critical" | "no-data" | "unwatched";

/** One headline number on the dashboard. */
export interface CardSpec {
  key: string;
  title: string;
  metric: string;
  /** null pools every service's samples. */
  service: string | null;
  aggregation: Aggregation;
  windowSeconds: number;
  unit: string;
  /** A second metric shown as the value's capacity: "85 / 100". */
  capacityMetric?: string;
  /** Set for cards an admin pinned; they can be unpinned. */
  pinId?: string;
}

/** The user story's three critical metrics; admins pin more (lib/metrics/pins.ts). */
export const DASHBOARD_CARDS: CardSpec[] = [
  { key: "payments", title: "Payment success rate", metric: "payment.success_rate", service: null, aggregation: "avg", windowSeconds: 60, unit: "%" },
  { key: "api", title: "API response time (p95)", metric: "api.response_time", service: null, aggregation: "p95", windowSeconds: 60, unit: "ms" },
  {
    key: "db-pool",
    title: "DB connection pool",
    metric: "db.connections.in_use",
    service: null,
    aggregation: "last",
    windowSeconds: 60,
    unit: "",
    capacityMetric: "db.connections.max",
  },
];

/** A rule watching a card's metric, with its own verdict now: the card's colour comes from these. */
export interface CardRule {
  ruleId: string;
  ruleName: string;
  severity: Severity;
  comparison: Comparison;
  threshold: number;
  aggregation: Aggregation;
  windowSeconds: number;
  /** The rule's own value (its aggregation over its window), which may differ from the card's. */
  value: number | null;
  breached: boolean;
  alertOpen: boolean;
}

export interface Card {
  key: string;
  title: string;
  metric: string;
  service: string | null;
  unit: string;
  value: number | null;
  capacity: number | null;
  state: CardState;
  rules: CardRule[];
  pinId: string | null;
  /** Average per 10 s over the last 5 minutes, oldest first. */
  trend: { t: number; value: number }[];
}

const SEVERITY_STATE: Record<Severity, CardState> = { critical: "critical", warning: "warning", info: "ok" };
const STATE_RANK: Record<CardState, number> = { "no-data": 0, unwatched: 1, ok: 2, warning: 3, critical: 4 };

/**
 * The card turns the colour of the most severe watching rule that is breached now or still
 * has its alert open (a firing alert stays red while its value sits between the thresholds).
 */
export function cardState(value: number | null, rules: readonly CardRule[]): CardState {
  if (value === null) return "no-data";
  if (rules.length === 0) return "unwatched";
  let state: CardState = "ok";
  for (const rule of rules) {
    if (!rule.breached && !rule.alertOpen) continue;
    const candidate = SEVERITY_STATE[rule.severity];
    if (STATE_RANK[candidate] > STATE_RANK[state]) state = candidate;
  }
  return state;
}

/** A pooled card is watched by every rule on its metric; a per-service card by the pooled ones and its own. */
export function watches(rule: { metric: string; service: string | null }, spec: Pick<CardSpec, "metric" | "service">): boolean {
  return rule.metric === spec.metric && (rule.service === null || spec.service === null || rule.service === spec.service);
}

export function pinCardSpec(pin: Pin): CardSpec {
  return {
    key: `pin-${pin.id}`,
    title: pin.title ?? (pin.service ? `${pin.metric} (${pin.service})` : pin.metric),
    metric: pin.metric,
    service: pin.service,
    aggregation: pin.aggregation,
    windowSeconds: pin.windowSeconds,
    unit: pin.unit ?? "",
    pinId: pin.id,
  };
}

const TREND_WINDOW_S = 300;
const TREND_STEP_S = 10;
/** A card shows at most this many rules; a metric watched by more is rare and the worst still colours it. */
const MAX_RULES_PER_CARD = 8;

/** The built-in cards, then the pinned ones in the order they were pinned. */
export async function loadCards(ctx: Ctx, now: Date, openAlertRuleIds: ReadonlySet<string>): Promise<Card[]> {
  const specs = [...DASHBOARD_CARDS, ...(await listPins(ctx)).map(pinCardSpec)];
  const rules = await ctx.db
    .select()
    .from(alertRule)
    // An anomaly rule has no threshold on the card's value to colour it by.
    .where(and(eq(alertRule.isActive, true), eq(alertRule.kind, "threshold"), inArray(alertRule.metric, [...new Set(specs.map((s) => s.metric))])));
  const watching = specs.map((spec) => rules.filter((r) => watches(r, spec)).slice(0, MAX_RULES_PER_CARD));
  // Every card's value, capacity and watching rules' values in one query.
  const windows: WindowSpec[] = specs.flatMap((spec, i) => [
    { metric: spec.metric, service: spec.service, tags: {}, aggregation: spec.aggregation, denominator: null, windowSeconds: spec.windowSeconds },
    { metric: spec.capacityMetric ?? spec.metric, service: spec.service, tags: {}, aggregation: "last", denominator: null, windowSeconds: spec.windowSeconds },
    ...watching[i]!.map((rule) => ({ ...rule, windowSeconds: rule.windowSeconds })),
  ]);
  const [observed, trends] = await Promise.all([observeWindows(ctx.db, windows, now), loadTrends(ctx, specs, now)]);
  let at = 0;
  return specs.map((spec, i) => {
    const value = observed[at++]!.value;
    const capacity = observed[at++]!.value;
    const cardRules = watching[i]!.map((rule): CardRule => {
      const ruleValue = observed[at++]!.value;
      return {
        ruleId: rule.id,
        ruleName: rule.name,
        severity: rule.severity,
        comparison: rule.comparison,
        threshold: rule.threshold,
        aggregation: rule.aggregation,
        windowSeconds: rule.windowSeconds,
        value: ruleValue,
        breached: ruleValue !== null && compare(ruleValue, rule.comparison, rule.threshold),
        alertOpen: openAlertRuleIds.has(rule.id),
      };
    });
    return {
      key: spec.key,
      title: spec.title,
      metric: spec.metric,
      service: spec.service,
      unit: spec.unit,
      value,
      capacity: spec.capacityMetric ? capacity : null,
      state: cardState(value, cardRules),
      rules: cardRules,
      pinId: spec.pinId ?? null,
      trend: trends[i]!,
    };
  });
}

/** Every card's sparkline in one query (a snapshot is built up to four times a second). */
async function loadTrends(ctx: Ctx, specs: readonly CardSpec[], now: Date): Promise<Card["trend"][]> {
  const trends: Card["trend"][] = specs.map(() => []);
  if (specs.length === 0) return trends;
  const from = new Date(now.getTime() - TREND_WINDOW_S * 1000);
  const values = sql.join(
    specs.map((spec, k) => sql`(${k}::int, ${spec.metric}::text, ${spec.service}::text)`),
    sql`, `,
  );
  const rows = await selectRows<{ k: number; t: number; value: number }>(ctx.db, sql`
    with spec(k, metric, service) as (values ${values})
    select spec.k, (floor(extract(epoch from s.ts) / ${TREND_STEP_S}) * ${TREND_STEP_S})::float8 as t, avg(s.value)::float8 as value
    from spec
    join series on series.name = spec.metric and (spec.service is null or series.service = spec.service)
    join sample s on s.series_id = series.id
    where s.ts > ${from.toISOString()}::timestamptz and s.ts <= ${now.toISOString()}::timestamptz
    group by 1, 2 order by 1, 2`);
  for (const row of rows) trends[Number(row.k)]!.push({ t: Number(row.t) * 1000, value: Number(row.value) });
  return trends;
}
