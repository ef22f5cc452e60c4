import { apiRequest } from "@/components/api-client";
export { ApiRequestError, asApiError } from "@/components/api-client";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { SilenceView } from "@/lib/alerts/silences";
import type { Role } from "@/db/schema";
import type { EscalationPolicyView } from "@/lib/notify/escalation-policies";
import type { Backtest, BacktestPeriod } from "@/lib/rules/backtest";
import type { RuleView } from "@/lib/rules/rules";

const BASE = "/api/admin/monitoring";

export type RuleFields = Omit<RuleView, "id" | "createdAt" | "updatedAt">;

/**
 * A rule as the editor sends it: durations stay strings ("5m") and a blank required field is
 * null, so the API (not the browser) says what is missing, in the same words for every client.
 */
export type RuleBody = { [K in keyof RuleFields]?: RuleFields[K] | null };

export interface SilenceInput {
  matcher: SilenceView["matcher"];
  endsAt: string;
  startsAt?: string;
  reason: string;
}

/** A policy as the form sends it: durations as typed ("5m"), a blank repeat left to the API's default. */
export interface EscalationPolicyBody {
  name: string;
  severity: EscalationPolicyView["severity"];
  tiers: EscalationPolicyView["tiers"];
  repeat?: number;
  repeatAfter?: string;
}

/** A user as `GET /api/admin/users` lists them: who a tier can name. */
export interface VigilUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

const request = <T>(path: string, init?: RequestInit) => apiRequest<T>(`${BASE}${path}`, init);

const post = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

export const rulesApi = {
  list: async () => (await request<{ rules: RuleView[] }>("/rules")).rules,
  create: async (input: RuleBody) => (await request<{ rule: RuleView }>("/rules", post(input))).rule,
  update: async (id: string, input: RuleBody) =>
    (await request<{ rule: RuleView }>(`/rules/${id}`, { method: "PUT", body: JSON.stringify(input) })).rule,
  remove: (id: string) => request<void>(`/rules/${id}`, { method: "DELETE" }),
  /** A saved rule with `edits` laid over it, or (no id) a draft that was never saved. */
  backtest: async (id: string | null, period: BacktestPeriod, rule: RuleBody) =>
    (await request<{ backtest: Backtest }>(id ? `/rules/${id}/test` : "/rules/test", post({ period, rule }))).backtest,
};

export const alertsApi = {
  active: async () => (await request<{ alerts: AlertView[] }>("/alerts/active?include=pending")).alerts,
  acknowledge: async (id: string) => (await request<{ alert: AlertView }>(`/alerts/${id}/acknowledge`, { method: "POST" })).alert,
  resolve: async (id: string, notes: string) =>
    (await request<{ alert: AlertView }>(`/alerts/${id}/resolve`, post(notes.trim() ? { notes: notes.trim() } : {}))).alert,
};

export const silencesApi = {
  list: async () => (await request<{ silences: SilenceView[] }>("/silences")).silences,
  create: async (input: SilenceInput) => (await request<{ silence: SilenceView }>("/silences", post(input))).silence,
  end: (id: string) => request<unknown>(`/silences/${id}`, { method: "DELETE" }),
};

export const escalationPoliciesApi = {
  list: async () => (await request<{ policies: EscalationPolicyView[] }>("/escalation-policies")).policies,
  create: async (input: EscalationPolicyBody) => (await request<{ policy: EscalationPolicyView }>("/escalation-policies", post(input))).policy,
  update: async (id: string, input: EscalationPolicyBody) =>
    (await request<{ policy: EscalationPolicyView }>(`/escalation-policies/${id}`, { method: "PUT", body: JSON.stringify(input) })).policy,
  remove: (id: string) => request<void>(`/escalation-policies/${id}`, { method: "DELETE" }),
  /** Admins only (a viewer gets a 403): the page then names tier members by id. */
  users: async () => (await apiRequest<{ users: VigilUser[] }>("/api/admin/users")).users,
};

export const POLICY_QUERY_KEYS = {
  policies: ["escalation-policies"],
  users: ["users"],
} as const;

export const QUERY_KEYS = {
  rules: ["alert-rules"],
  activeAlerts: ["alerts", "active"],
  silences: ["silences"],
} as const;
