"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { ActiveAlerts } from "./active-alerts";
import { alertsApi, escalationPoliciesApi, POLICY_QUERY_KEYS, QUERY_KEYS, rulesApi, silencesApi } from "./alerts-api";
import { EscalationPolicies } from "./escalation-policies";
import { RulesSection } from "./rules-section";
import { Silences } from "./silences";

/** The evaluator runs every second; every 5 s is fresh enough for people and light on the server. */
const REFRESH_MS = 5000;

function LoadState({ what, error }: { what: string; error: Error | null }) {
  return (
    <p className={`text-sm ${error ? "text-red-700 dark:text-red-400" : "text-slate-500"}`} role={error ? "alert" : undefined}>
      {error ? `Could not load the ${what}: ${error.message}` : "Loading…"}
    </p>
  );
}

/** Alert management: what is firing now, the rules that decide it, the silences holding any back, and who is paged. */
export function AlertsPage({ isAdmin }: { isAdmin: boolean }) {
  const alerts = useQuery({ queryKey: QUERY_KEYS.activeAlerts, queryFn: alertsApi.active, refetchInterval: REFRESH_MS });
  const rules = useQuery({ queryKey: QUERY_KEYS.rules, queryFn: rulesApi.list, refetchInterval: REFRESH_MS });
  const silences = useQuery({ queryKey: QUERY_KEYS.silences, queryFn: silencesApi.list, refetchInterval: REFRESH_MS });
  // Policies change only by hand: no polling.
  const policies = useQuery({ queryKey: POLICY_QUERY_KEYS.policies, queryFn: escalationPoliciesApi.list });
  const ruleNames = useMemo(() => new Map((rules.data ?? []).map((rule) => [rule.id, rule.name])), [rules.data]);
  const count = (status: string) => alerts.data?.filter((alert) => alert.status === status).length ?? 0;
  const pending = count("pending");

  return (
    <div className="min-w-0 space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Alert management</h1>
        <p className="mt-1 flex flex-wrap gap-x-3 text-sm text-slate-600 dark:text-slate-400" aria-live="polite">
          <span data-testid="count-active" className="font-medium text-red-700 dark:text-red-400">
            {count("firing")} active
          </span>
          <span data-testid="count-acknowledged" className="font-medium text-amber-700 dark:text-amber-400">
            {count("acknowledged")} acknowledged
          </span>
          {pending > 0 && <span data-testid="count-pending">{pending} pending</span>}
        </p>
      </div>
      {alerts.data ? (
        <ActiveAlerts alerts={alerts.data} ruleNames={ruleNames} silences={silences.data ?? []} canEdit={isAdmin} />
      ) : (
        <LoadState what="alerts" error={alerts.error} />
      )}
      {rules.data ? <RulesSection rules={rules.data} ruleNames={ruleNames} canEdit={isAdmin} /> : <LoadState what="rules" error={rules.error} />}
      {silences.data ? (
        <Silences silences={silences.data} rules={rules.data ?? []} ruleNames={ruleNames} canEdit={isAdmin} />
      ) : (
        <LoadState what="silences" error={silences.error} />
      )}
      {policies.data ? <EscalationPolicies policies={policies.data} canEdit={isAdmin} /> : <LoadState what="escalation policies" error={policies.error} />}
    </div>
  );
}
