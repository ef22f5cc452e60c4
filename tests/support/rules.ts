/**
 * A rule that fires on the first breaching pass (`for` 0), like the default API rule but
 * without its 30 s `for` and 20-sample minimum, so tests about what follows an alert do not
 * wait for those.
 */
export const IMMEDIATE_API_RULE = {
  name: "API p95 > 1000 ms (test, at once)",
  metric: "api.response_time",
  aggregation: "p95",
  window: "1m",
  operator: ">",
  threshold: 1000,
  for: "0s",
  severity: "warning",
} as const;

/** Creates the rule unless one by its name exists (servers are shared between test files). */
export async function ensureRule(baseUrl: string, cookie: string, rule: { name: string } & Record<string, unknown>): Promise<{ id: string }> {
  const listed = await fetch(`${baseUrl}/api/admin/monitoring/rules`, { headers: { cookie } });
  const { rules } = (await listed.json()) as { rules: { id: string; name: string }[] };
  const existing = rules.find((r) => r.name === rule.name);
  if (existing) return existing;
  const created = await fetch(`${baseUrl}/api/admin/monitoring/rules`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify(rule),
  });
  if (created.status !== 201) throw new Error(`creating rule ${rule.name}: HTTP ${created.status} ${await created.text()}`);
  return ((await created.json()) as { rule: { id: string } }).rule;
}
