import type { RuleView } from "@/lib/rules/rules";
import type { RuleBody } from "./alerts-api";

type Rule = RuleView;

// The API's enums, repeated here because db/schema is server code; `satisfies` keeps them in step.
export const AGGREGATIONS = ["last", "avg", "min", "max", "sum", "count", "rate", "p50", "p90", "p95", "p99", "ratio"] as const satisfies readonly Rule["aggregation"][];
export const OPERATORS = [">", ">=", "<", "<=", "==", "!="] as const satisfies readonly Rule["operator"][];
export const SEVERITIES = ["critical", "warning", "info"] as const satisfies readonly Rule["severity"][];
export const NO_DATA = ["keep", "ok", "alert"] as const satisfies readonly Rule["noData"][];
export const CHANNELS = ["email", "sms", "slack"] as const satisfies readonly Rule["channels"][number][];
export const RULE_KINDS = ["threshold", "anomaly"] as const satisfies readonly Rule["kind"][];
/** What an anomaly rule can judge: the statistics the detector watches. */
export const ANOMALY_STATS = ["avg", "p95"] as const satisfies readonly Rule["aggregation"][];
export type AnomalyStat = (typeof ANOMALY_STATS)[number];

/** What the inputs hold: text, so a half-typed number is the admin's business until they save. */
export interface RuleFormValues {
  name: string;
  kind: Rule["kind"];
  metric: string;
  service: string;
  aggregation: Rule["aggregation"];
  window: string;
  denominator: string;
  operator: Rule["operator"];
  threshold: string;
  clearThreshold: string;
  for: string;
  /** An anomaly rule's statistic and minimum score: kept apart from the threshold fields so switching kinds loses neither. */
  anomalyStat: AnomalyStat;
  minScore: string;
  severity: Rule["severity"];
  minSamples: string;
  keepFiringFor: string;
  noData: Rule["noData"];
  cooldownMinutes: string;
  maxAlertsPerHour: string;
  channels: Rule["channels"];
  runbookUrl: string;
  dependsOn: string[];
  /** "": the default policy of the rule's severity. */
  escalationPolicyId: string;
}

/** The fields typed as text (the rest are choices). */
export type TextField = Exclude<keyof RuleFormValues, "kind" | "aggregation" | "anomalyStat" | "operator" | "severity" | "noData" | "channels" | "dependsOn" | "escalationPolicyId">;

/** The API's defaults, written out so the admin sees what they get. */
export const NEW_RULE: RuleFormValues = {
  name: "",
  kind: "threshold",
  metric: "",
  service: "",
  aggregation: "avg",
  window: "1m",
  denominator: "",
  operator: ">",
  threshold: "",
  clearThreshold: "",
  for: "0s",
  anomalyStat: "avg",
  minScore: "0.8",
  severity: "warning",
  minSamples: "1",
  keepFiringFor: "0s",
  noData: "keep",
  cooldownMinutes: "15",
  maxAlertsPerHour: "4",
  channels: [],
  runbookUrl: "",
  dependsOn: [],
  escalationPolicyId: "",
};

/** Fields in the collapsed "More" part: an error in one of them opens it. */
export const MORE_FIELDS = ["minSamples", "keepFiringFor", "noData", "cooldownMinutes", "maxAlertsPerHour", "channels", "runbookUrl", "dependsOn", "escalationPolicyId"] as const;

export function formValuesOf(rule: Rule): RuleFormValues {
  const anomaly = rule.kind === "anomaly";
  return {
    name: rule.name,
    kind: rule.kind,
    metric: rule.metric,
    service: rule.service ?? "",
    // An anomaly rule's aggregation and threshold are its statistic and score: the threshold fields start afresh.
    aggregation: anomaly ? NEW_RULE.aggregation : rule.aggregation,
    window: anomaly ? NEW_RULE.window : rule.window,
    denominator: rule.denominator ?? "",
    operator: anomaly ? NEW_RULE.operator : rule.operator,
    threshold: anomaly ? NEW_RULE.threshold : String(rule.threshold),
    clearThreshold: rule.clearThreshold === null ? "" : String(rule.clearThreshold),
    for: rule.for,
    anomalyStat: anomaly && rule.aggregation === "p95" ? "p95" : "avg",
    minScore: anomaly ? String(rule.threshold) : NEW_RULE.minScore,
    severity: rule.severity,
    minSamples: String(rule.minSamples),
    keepFiringFor: rule.keepFiringFor,
    noData: rule.noData,
    cooldownMinutes: String(rule.cooldownMinutes),
    maxAlertsPerHour: String(rule.maxAlertsPerHour),
    channels: rule.channels,
    runbookUrl: rule.runbookUrl ?? "",
    dependsOn: rule.dependsOn,
    escalationPolicyId: rule.escalationPolicyId ?? "",
  };
}

/**
 * The form as the API takes it. Blank optional fields are "none" (null) or the API's default
 * (undefined); a blank threshold is sent as null so the API says it is missing. Tags and
 * labels are not in the form: left out, an update keeps them.
 */
export function ruleBodyOf(values: RuleFormValues): RuleBody {
  const text = (value: string) => (value.trim() === "" ? undefined : value.trim());
  const number = (value: string) => (value.trim() === "" ? undefined : Number(value));
  const common = {
    name: values.name,
    kind: values.kind,
    metric: values.metric.trim(),
    service: text(values.service) ?? null,
    for: text(values.for),
    severity: values.severity,
    keepFiringFor: text(values.keepFiringFor),
    noData: values.noData,
    cooldownMinutes: number(values.cooldownMinutes),
    maxAlertsPerHour: number(values.maxAlertsPerHour),
    channels: values.channels,
    runbookUrl: text(values.runbookUrl) ?? null,
    dependsOn: values.dependsOn,
    escalationPolicyId: values.escalationPolicyId || null,
  } satisfies RuleBody;
  if (values.kind === "anomaly") {
    // The API reads an anomaly rule as "score of the statistic >= threshold"; the window, samples and clear level do not apply.
    return {
      ...common,
      aggregation: values.anomalyStat,
      operator: ">=",
      threshold: number(values.minScore) ?? null,
      clearThreshold: null,
      denominator: null,
    };
  }
  return {
    ...common,
    aggregation: values.aggregation,
    window: text(values.window),
    denominator: values.aggregation === "ratio" ? (text(values.denominator) ?? null) : null,
    operator: values.operator,
    threshold: number(values.threshold) ?? null,
    clearThreshold: number(values.clearThreshold) ?? null,
    minSamples: number(values.minSamples),
  };
}
